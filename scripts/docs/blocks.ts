// The registry of generated text: every `<!-- generated:NAME -->` block of README.md, CONTRIBUTING.md and
// docs/*.md, and every generated figure, with the committed files it is made from. To add one, add an
// entry here (CONTRIBUTING.md, "Generated documentation").
import type { BenchResult } from "../../benchmarks/bench.js";
import { optionGroups, optionsMarkdown } from "../../src/cli/options.js";
import { renderSvg, robustVsEpsFigure, significantFeaturesFigure, sweepFigure, type Figure } from "../../src/report/figures.js";
import type { DocsInput } from "./input.js";
import { adaptRunBlock, adaptSources, adaptSummaryBlock } from "./adapt.js";
import {
  adaptationsBlock,
  claimsBlock,
  gapBlock,
  headSensitivityBlock,
  reproduceTimeBlock,
  seedsBlock,
  sensitivitySentence,
  sweepBlock,
  type ReproduceClaimsFile,
} from "./reproduce.js";
import {
  contrastiveTable,
  kernelsTable,
  MAIN_PEERS,
  otherMeasurements,
  peersTable,
  scalingTable,
  speedSummary,
  stepsTable,
} from "./speed.js";

/** `featpure reproduce --out docs/results/reproduce` keeps its results.jsonl here. */
export const REPRODUCE = "docs/results/reproduce/results.jsonl";
const REPRODUCE_COMMAND = "featpure reproduce --out docs/results/reproduce";
/** The same on the digits: `featpure reproduce --config docs/grids/reproduce-mnist.json --out docs/results/reproduce-mnist`. */
export const REPRODUCE_MNIST = "docs/results/reproduce-mnist/results.jsonl";
const REPRODUCE_CLAIMS = "docs/results/reproduce/claims.json";
const REPRODUCE_MNIST_CLAIMS = "docs/results/reproduce-mnist/claims.json";
const REPRODUCE_MNIST_COMMAND = "featpure reproduce --config docs/grids/reproduce-mnist.json --out docs/results/reproduce-mnist";
export const SPEED_BENCH = "docs/speed-bench.json";
/** `featpure sweep --grid docs/grids/NAME.json --out docs/results/sweep-NAME.jsonl`. */
export const SWEEP_ADV_EPS = "docs/results/sweep-adv-eps.jsonl";
export const SWEEP_WIDTH = "docs/results/sweep-width.jsonl";

export interface Block {
  /** Committed files the block is generated from (none for text derived from the code, like the options). */
  sources: string[];
  render(input: DocsInput): string;
}

export interface GeneratedFile {
  sources: string[];
  render(input: DocsInput): Promise<string>;
}

const bench = (input: DocsInput) => input.json<BenchResult>(SPEED_BENCH);
const reproduce = (input: DocsInput) => input.resultLines(REPRODUCE);

export const BLOCKS: Record<string, Block> = {
  "reproduce-claims": { sources: [REPRODUCE], render: (i) => claimsBlock(reproduce(i), REPRODUCE, REPRODUCE_COMMAND) },
  "reproduce-mnist-claims": {
    sources: [REPRODUCE_MNIST],
    render: (i) => claimsBlock(i.resultLines(REPRODUCE_MNIST), REPRODUCE_MNIST, REPRODUCE_MNIST_COMMAND),
  },
  "reproduce-gap": {
    sources: [REPRODUCE, REPRODUCE_MNIST],
    render: (i) =>
      gapBlock([
        { file: REPRODUCE, command: REPRODUCE_COMMAND, lines: reproduce(i) },
        { file: REPRODUCE_MNIST, command: REPRODUCE_MNIST_COMMAND, lines: i.resultLines(REPRODUCE_MNIST) },
      ]),
  },
  "reproduce-time": {
    sources: [REPRODUCE_CLAIMS, REPRODUCE_MNIST_CLAIMS],
    render: (i) => reproduceTimeBlock([REPRODUCE_CLAIMS, REPRODUCE_MNIST_CLAIMS].map((f) => i.json<ReproduceClaimsFile>(f))),
  },
  "reproduce-seeds": { sources: [REPRODUCE], render: (i) => seedsBlock(reproduce(i)) },
  "reproduce-adaptations": { sources: [REPRODUCE], render: (i) => adaptationsBlock(reproduce(i)) },
  "reproduce-head-sensitivity": { sources: [REPRODUCE], render: (i) => headSensitivityBlock(reproduce(i)) },
  "reproduce-sensitivity-sentence": { sources: [REPRODUCE], render: (i) => sensitivitySentence(reproduce(i)) },
  "speed-summary": { sources: [SPEED_BENCH], render: (i) => speedSummary(bench(i), SPEED_BENCH) },
  "speed-summary-main": { sources: [SPEED_BENCH], render: (i) => speedSummary(bench(i), SPEED_BENCH, MAIN_PEERS) },
  "speed-kernels": { sources: [SPEED_BENCH], render: (i) => kernelsTable(bench(i)) },
  "speed-steps": { sources: [SPEED_BENCH], render: (i) => stepsTable(bench(i)) },
  "speed-contrastive": { sources: [SPEED_BENCH], render: (i) => contrastiveTable(bench(i)) },
  "speed-scaling": { sources: [SPEED_BENCH], render: (i) => scalingTable(bench(i)) },
  "speed-peers": { sources: [SPEED_BENCH], render: (i) => peersTable(bench(i)) },
  "speed-other": { sources: [SPEED_BENCH], render: (i) => otherMeasurements(bench(i)) },
  "adapt-summary": { sources: adaptSources(), render: (i) => adaptSummaryBlock(i) },
  "adapt-supervised": { sources: adaptSources(), render: (i) => adaptRunBlock(i, "supervised") },
  "adapt-contrastive": { sources: adaptSources(), render: (i) => adaptRunBlock(i, "contrastive") },
  "adapt-mnist": { sources: adaptSources(), render: (i) => adaptRunBlock(i, "mnist") },
  options: { sources: [], render: () => optionsMarkdown(optionGroups()) },
  "sweep-adv-eps": { sources: [SWEEP_ADV_EPS], render: (i) => sweepBlock(i.resultLines(SWEEP_ADV_EPS), "adv.eps") },
  "sweep-width": { sources: [SWEEP_WIDTH], render: (i) => sweepBlock(i.resultLines(SWEEP_WIDTH), "model.width") },
};

/**
 * Vega numbers clip paths from a counter that lives as long as the process, so the same figure drawn
 * twice gets other ids; numbered from 1 within each file, a figure is the same bytes every time.
 */
export async function svgFile(figure: Figure): Promise<string> {
  const svg = await renderSvg(figure.spec);
  const ids = new Map<string, number>();
  return svg.replace(/\bclip(\d+)\b/g, (_m, id: string) => {
    if (!ids.has(id)) ids.set(id, ids.size + 1);
    return `clip${ids.get(id)}`;
  });
}

/** Whole files written from committed results, by repository path. */
export const FILES: Record<string, GeneratedFile> = {
  "docs/figures/robust-accuracy-vs-eps.svg": { sources: [REPRODUCE], render: (i) => svgFile(robustVsEpsFigure(reproduce(i))) },
  "docs/figures/significant-features.svg": { sources: [REPRODUCE], render: (i) => svgFile(significantFeaturesFigure(reproduce(i))) },
  "docs/figures/sweep-adv-eps.svg": {
    sources: [SWEEP_ADV_EPS],
    render: (i) => svgFile(sweepFigure(i.resultLines(SWEEP_ADV_EPS), "adv.eps")),
  },
  "docs/figures/sweep-model-width.svg": {
    sources: [SWEEP_WIDTH],
    render: (i) => svgFile(sweepFigure(i.resultLines(SWEEP_WIDTH), "model.width")),
  },
};
