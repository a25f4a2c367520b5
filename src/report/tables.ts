// Plain-data tables (header + rows of strings) of an experiment result; the CLI renders them with
// cli-table3, and anything else (a web page, a Markdown report) can render the same rows.
import type { ExperimentResult } from "../api.js";
import type { Config } from "../config/types.js";
import type { ModelEval } from "../experiments/evaluate.js";
import type { Summary } from "../metrics/purity.js";
import type { ProxySummary } from "../metrics/proxies.js";
import { TOTAL_DIGITS } from "../config/limits.js";

export interface TableData {
  title: string;
  head: string[];
  rows: string[][];
}

const pct = (x: number | null) => (x === null ? "—" : (100 * x).toFixed(1) + "%");
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3).replace(/^-(0\.0*)$/, "$1") : String(x));
const summ = (s: Summary) => `${f3(s.mean)} (median ${f3(s.median)})`;

export function configTable(c: Config): TableData {
  const D = c.data.features || c.data.dim;
  const attack = c.adv.attack === "fgm" ? "FGM, 1 step" : `PGD-${c.adv.steps}${c.adv.randomStart ? ", random start" : ""}`;
  return {
    title: "Configuration",
    head: ["option", "value"],
    rows: [
      ["seed", String(c.seed)],
      [
        "data",
        c.data.source === "mnist"
          ? mnistData(c)
          : `${c.data.dictionary} M, d=${c.data.dim}, D=${D}, k=${c.data.sparsity}, noise=${c.data.noise}, ${c.data.nTrain ? `n=${c.data.nTrain}` : "fresh samples per step"}`,
      ],
      [
        "network",
        `m=${c.model.width}, ${c.model.activation}, thresholds ${c.model.trainThreshold ? "trained" : "fixed"} from ${c.model.thresholdInit}, init std ${c.model.initStd}, head ${c.model.trainHead ? "trained" : "fixed"}`,
      ],
      [
        "training",
        `${c.optim.optimizer} lr=${c.optim.lr}, batch ${c.optim.batch}, ${c.optim.steps} steps${c.optim.weightDecay ? `, weight decay ${c.optim.weightDecay}` : ""}`,
      ],
      ["adversarial training", `${attack}, ${c.adv.norm} eps=${c.adv.eps}`],
      ...(c.mode === "contrastive" ? [["contrastive", contrastiveText(c)]] : []),
      [
        "downstream",
        `clean logistic head on ${c.downstream.n} samples, l2=${c.downstream.l2}${c.downstream.adapt.some((a) => a !== "clean-linear") ? `; adaptations ${c.downstream.adapt.join(", ")} (adversarial: PGD-${c.adv.steps} at ${c.eval.radiusNorm} eps=${c.eval.radius}, ${c.downstream.steps} steps; adv-scratch ${c.optim.steps})` : ""}${c.downstream.l2Sweep.length ? `; head refitted at l2 = ${c.downstream.l2Sweep.join(", ")}` : ""}`,
      ],
      [
        "evaluation",
        `${c.eval.n} samples, PGD-${c.eval.steps} x ${c.eval.restarts} restarts; check at ${c.eval.radiusNorm} eps=${c.eval.radius}: PGD-${c.eval.strongSteps} x ${c.eval.strongRestarts} and transfer`,
      ],
    ],
  };
}

function mnistData(c: Config): string {
  const pre = c.mnist.nPretrain || `${TOTAL_DIGITS - c.eval.n - c.downstream.n} (all the rest)`;
  return `MNIST digits, pre-training ${c.mnist.pretrainTask} on ${pre}, downstream ${c.mnist.downstreamTask}; disjoint pools`;
}

/** The dictionary-free purification proxies; null when no arm has them (non-image data). */
export function proxiesTable(r: ExperimentResult): TableData | null {
  const arms = r.arms.flatMap((a) => (a.proxies ? [{ arm: a.arm, p: a.proxies }] : []));
  if (arms.length === 0 || arms.length !== r.arms.length) return null;
  const o = arms[0].p.options;
  const row = (name: string, f: (p: ProxySummary) => string) => [name, ...arms.map((a) => f(a.p))];
  return {
    title: "Purification proxies of the hidden neurons (over live neurons; no dictionary is known)",
    head: ["proxy", ...arms.map((a) => `${a.arm} pre-training`)],
    rows: [
      row("live neurons", (p) => `${p.live} / ${p.neurons}`),
      row("pixel participation ratio (lower: sparser)", (p) => summ(p.participation)),
      row(`weight energy in top ${100 * o.topFraction}% pixels`, (p) => summ(p.topMass)),
      row(`weight energy in densest ${o.window}x${o.window} window`, (p) => summ(p.windowMass)),
      row("spread around centre, pixels (lower: more local)", (p) => summ(p.spread)),
      row("class selectivity max/sum of class-mean |h| (1/classes: none)", (p) => summ(p.selectivity)),
    ],
  };
}

function contrastiveText(c: Config): string {
  const k = c.contrastive;
  const views = {
    identical: "identical views",
    noise: `independent noise ${k.viewNoise} per view`,
    dropout: `feature dropout, keep ${k.keepProb}`,
    mask: "coordinate masking 2Dx, 2(I-D)x",
  }[k.views];
  const loss = k.loss === "ntxent" ? `NT-Xent tau=${k.tau}` : "spectral loss";
  return `${views}${k.sharedDense ? `, shared dense component std ${k.sharedDense}` : ""}; ${loss}${k.normalize ? " on h/||h||" : " on h"}; attack on view 1${k.keepClean ? " + clean-view term" : ""}; pre-trained model scored by a clean linear probe`;
}

/** null when the data has no known dictionary to measure purity against. */
export function purityTable(r: ExperimentResult): TableData | null {
  const arms = r.arms.flatMap((a) => (a.purity ? [{ ...a, purity: a.purity }] : []));
  if (arms.length !== r.arms.length) return null;
  const row = (name: string, f: (a: (typeof arms)[number]) => string) => [name, ...arms.map(f)];
  return {
    title: "Purification of the hidden neurons (over live neurons)",
    head: ["metric", ...arms.map((a) => `${a.arm} pre-training`)],
    rows: [
      row("live neurons", (a) => `${a.purity.live} / ${a.purity.neurons}`),
      row("top-1 share max|c|/||c||", (a) => summ(a.purity.top1)),
      row("participation ratio", (a) => summ(a.purity.participation)),
      row(`energy outside top ${r.config.metrics.topR}`, (a) => summ(a.purity.outsideTopR)),
      row("|cos(w, M theta)|", (a) => summ(a.purity.cosLabel)),
      row("significant features", (a) => summ(a.purity.significant)),
      row("features per neuron (1,2,3,...)", (a) => a.purity.histogram.join(" ")),
      row("thresholds mean / max", (a) => `${f3(a.thresholds.mean)} / ${f3(a.thresholds.max)}`),
    ],
  };
}

function models(r: ExperimentResult): [string, ModelEval][] {
  return r.arms.flatMap(
    (a) =>
      [
        [`${a.arm}: pre-trained`, a.pretrained],
        [`${a.arm}: downstream`, a.downstream],
      ] as [string, ModelEval][],
  );
}

export function accuracyTable(r: ExperimentResult): TableData {
  const cols = models(r);
  return {
    title:
      "Accuracy against attack radius (robust accuracy: per sample, the worst case over PGD with restarts, APGD-CE and APGD-margin; at the headline radius also the strong PGD and the transfer attack)",
    head: ["attack", ...cols.map(([name]) => name)],
    rows: [
      ["clean", ...cols.map(([, e]) => pct(e.clean))],
      ...cols[0][1].grid.map((g, i) => [`${g.norm} eps=${g.eps}`, ...cols.map(([, e]) => pct(e.grid[i].accuracy))]),
    ],
  };
}

export function checksTable(r: ExperimentResult): TableData {
  const h = r.arms[0].downstream.headline;
  return {
    title: `Is the attack strong enough? Each attack's own robust accuracy, and the per-sample worst case over all (${h.norm} eps=${h.eps})`,
    head: [
      "model",
      `PGD-${r.config.eval.steps} x ${r.config.eval.restarts}`,
      `APGD-CE-${r.config.eval.apgdSteps}`,
      `APGD-margin-${r.config.eval.apgdSteps}`,
      `PGD-${h.strongSteps} x ${h.strongRestarts} (after PGD)`,
      "transfer from the other arm",
      "worst case",
    ],
    rows: models(r).map(([name, e]) => {
      const a = e.headline.attacks;
      return [
        name,
        pct(a.pgd),
        pct(a.apgdCe),
        pct(a.apgdMargin),
        pct(e.headline.strongAccuracy),
        pct(e.headline.transferAccuracy),
        pct(e.headline.accuracy),
      ];
    }),
  };
}

/** The downstream adaptations of each arm (config downstream.adapt); null with the clean head alone. */
export function adaptationsTable(r: ExperimentResult): TableData | null {
  if (!r.arms.some((a) => a.adaptations.some((x) => x.mode !== "clean-linear"))) return null;
  const first = r.arms[0].adaptations[0].eval;
  const h = first.headline;
  return {
    title: `Downstream adaptations, same attacks and test samples (training FLOPs counted from shapes and steps; strong check PGD-${h.strongSteps} x ${h.strongRestarts})`,
    head: [
      "pre-training",
      "adaptation",
      "clean",
      ...first.grid.map((g) => `${g.norm} eps=${g.eps}`),
      `strong ${h.norm} eps=${h.eps}`,
      "steps",
      "training s",
      "GFLOP",
    ],
    rows: r.arms.flatMap((a) =>
      a.adaptations.map((x) => [
        a.arm,
        x.mode,
        pct(x.eval.clean),
        ...x.eval.grid.map((g) => pct(g.accuracy)),
        pct(x.eval.headline.strongAccuracy),
        String(x.steps),
        ((a.timingsMs.adaptTraining[x.mode] ?? NaN) / 1000).toFixed(2),
        (x.flops / 1e9).toFixed(2),
      ]),
    ),
  };
}

/** The clean head refitted with each penalty of config downstream.l2Sweep; null without one. */
export function headSensitivityTable(r: ExperimentResult): TableData | null {
  if (!r.arms.some((a) => a.headSensitivity.length)) return null;
  const { radiusNorm, radius } = r.config.eval;
  const probe = r.arms.some((a) => a.headSensitivity.some((p) => p.probe));
  return {
    title: `The clean head against its l2 penalty (robust: PGD-${r.config.eval.steps} x ${r.config.eval.restarts} at ${radiusNorm} eps=${radius})`,
    head: ["pre-training", "l2", "downstream clean", "downstream robust", ...(probe ? ["probe clean", "probe robust"] : [])],
    rows: r.arms.flatMap((a) =>
      a.headSensitivity.map((p) => [
        a.arm,
        String(p.l2),
        pct(p.downstream.clean),
        pct(p.downstream.robust),
        ...(probe ? [pct(p.probe?.clean ?? null), pct(p.probe?.robust ?? null)] : []),
      ]),
    ),
  };
}
