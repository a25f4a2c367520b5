// The adaptation tables of README.md and docs/adaptation.md, from the committed `featpure run --adapt ...`
// results of `npm run adapt-runs` (scripts/docs/adaptRuns.ts).
import type { ExperimentResult } from "../../src/api.js";
import type { AdaptMode } from "../../src/config/types.js";
import { adaptationsTable } from "../../src/report/tables.js";
import type { DocsInput } from "./input.js";
import { markdownTable } from "./markdown.js";

export const ADAPT_DIR = "docs/results/adapt";
const ADAPT_MODES = "clean-linear,adv-linear,adv-full,adv-scratch";

/** The runs: the default supervised and contrastive configurations and the digits, seed 1. */
export const ADAPT_RUNS = [
  { name: "supervised", label: "synthetic, supervised", flags: ["--adapt", ADAPT_MODES] },
  { name: "contrastive", label: "synthetic, contrastive", flags: ["--mode", "contrastive", "--adapt", ADAPT_MODES] },
  { name: "mnist", label: "digits, supervised", flags: ["--data", "mnist", "--adapt", ADAPT_MODES] },
] as const;
export type AdaptRunName = (typeof ADAPT_RUNS)[number]["name"];

/** What adaptRuns.ts records of the machine the runs shared. */
export interface AdaptRunsRecord {
  date: string;
  cpu: string;
  cores: number;
  node: string;
  /** One-minute load average before the first run and after the last. */
  loadBefore: number;
  loadAfter: number;
}

export const adaptSources = (): string[] => [...ADAPT_RUNS.map((r) => `${ADAPT_DIR}/${r.name}.json`), `${ADAPT_DIR}/machine.json`];
const result = (input: DocsInput, name: AdaptRunName) => input.json<ExperimentResult>(`${ADAPT_DIR}/${name}.json`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const share = (x: number) => (x < 0.1 ? `${(100 * x).toFixed(1)}%` : `${(100 * x).toFixed(0)}%`);

function machineLine(input: DocsInput): string {
  const m = input.json<AdaptRunsRecord>(`${ADAPT_DIR}/machine.json`);
  return (
    `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}, one run after the other ` +
    `(load average ${m.loadBefore.toFixed(1)} before, ${m.loadAfter.toFixed(1)} after)`
  );
}

function runCommand(name: AdaptRunName): string {
  const run = ADAPT_RUNS.find((r) => r.name === name)!;
  return `featpure run ${run.flags.join(" ")} --json ${ADAPT_DIR}/${name}.json`;
}

/** One run's full table, as `featpure run` prints it, with its command. */
export function adaptRunBlock(input: DocsInput, name: AdaptRunName): string {
  const r = result(input, name);
  const table = adaptationsTable(r);
  if (!table) throw new Error(`${ADAPT_DIR}/${name}.json has no adaptations beyond clean-linear`);
  const e = r.config.eval;
  return [
    markdownTable(table),
    "",
    `Seed ${r.config.seed}, ${e.n} test samples; robust accuracy per sample the worst case over PGD-${e.steps} × ${e.restarts}, ` +
      `APGD-CE and APGD-margin, and at the headline radius also the strong check (and, for clean-linear, the transfer attack). ` +
      `\`${runCommand(name)}\` (${r.backend} kernels, one kernel thread) on ${machineLine(input)}.`,
  ].join("\n");
}

/**
 * README's summary: the headline robust accuracy (clean accuracy after it) of every mode on every run and
 * pre-training, and the training cost of each mode on the adversarially pre-trained arm: its share of
 * adv-scratch's FLOPs, the FLOPs and the wall time.
 */
export function adaptSummaryBlock(input: DocsInput): string {
  const modes = ADAPT_MODES.split(",") as AdaptMode[];
  const rows: string[][] = [];
  for (const run of ADAPT_RUNS) {
    const r = result(input, run.name);
    const h = r.arms[0].adaptations[0].eval.headline;
    for (const arm of r.arms) {
      const by = (mode: string) => arm.adaptations.find((x) => x.mode === mode);
      rows.push([
        `${run.label}, ${h.norm} eps ${h.eps}`,
        arm.arm,
        ...modes.map((mode) => {
          const x = by(mode);
          return x ? `${pct(x.eval.headline.accuracy)} (${pct(x.eval.clean)})` : "—";
        }),
      ]);
    }
    const adv = r.arms.find((a) => a.arm === "adv") ?? r.arms[r.arms.length - 1];
    const scratch = adv.adaptations.find((x) => x.mode === "adv-scratch")?.flops ?? NaN;
    rows.push([
      `${run.label}: training cost`,
      adv.arm,
      ...modes.map((mode) => {
        const x = adv.adaptations.find((a) => a.mode === mode);
        const seconds = (adv.timingsMs.adaptTraining[mode] ?? NaN) / 1000;
        return x ? `${share(x.flops / scratch)} (${(x.flops / 1e9).toPrecision(3)} GFLOP, ${seconds.toFixed(1)} s)` : "—";
      }),
    ]);
  }
  const e = result(input, "supervised").config.eval;
  return [
    markdownTable({ head: ["data, objective, radius", "pre-training", ...modes], rows }),
    "",
    `Robust accuracy at the headline radius (clean accuracy in brackets), per sample the worst case over PGD-${e.steps} × ${e.restarts}, ` +
      `APGD-CE, APGD-margin and the strong check (clean-linear also the transfer attack); one run each, seed 1; ` +
      `cost of training on the adversarially pre-trained encoder. ` +
      `From ${ADAPT_DIR}/, written by \`npm run adapt-runs\` (${ADAPT_RUNS.map((r) => `\`${runCommand(r.name).replace(/ --json .*/, "")}\``).join(", ")}) ` +
      `on ${machineLine(input)}.`,
  ].join("\n");
}
