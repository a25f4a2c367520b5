// The numbers of a result as table rows (one row per quantity, one column per arm, so the table fits a
// phone) and as CSV, and the spread of several seeds.
import type { Arm, ArmResult, ExperimentResult } from "../src/api.js";

export interface Row {
  cells: string[];
  title?: string;
  marked?: boolean;
}

const ARM_ORDER: Arm[] = ["clean", "adv"];

export function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined ? "–" : v.toFixed(digits);
}

interface Quantity {
  name: string;
  title: string;
  pick: (a: ArmResult) => number | null | undefined;
  digits?: number;
}

function quantities(r: ExperimentResult): Quantity[] {
  const h = r.arms[0].downstream.headline;
  const at = `${h.norm} ${h.eps}`;
  const e = r.config.eval;
  return [
    {
      name: "top-1 purity",
      title: "share of a neuron's weight on its top feature, mean over live neurons (1: pure)",
      pick: (a) => a.purity?.top1.mean,
    },
    {
      name: "participation",
      title: "participation ratio: about how many features a neuron mixes, mean over live neurons (1: pure)",
      pick: (a) => a.purity?.participation.mean,
      digits: 1,
    },
    {
      name: "pre-trained clean",
      title: "accuracy of the pre-trained network (or its clean probe) on clean test samples",
      pick: (a) => a.pretrained.clean,
    },
    {
      name: `pre-trained robust ${at}`,
      title: `under PGD-${e.steps} with ${e.restarts} restarts at ${at}`,
      pick: (a) => a.pretrained.headline.accuracy,
    },
    {
      name: "downstream clean",
      title: "the clean-trained downstream head on frozen features, clean test samples",
      pick: (a) => a.downstream.clean,
    },
    {
      name: `downstream robust ${at}`,
      title: `under PGD-${e.steps} with ${e.restarts} restarts at ${at}: the inherited robustness`,
      pick: (a) => a.downstream.headline.accuracy,
    },
    {
      name: "strong check",
      title: `the same radius under PGD-${e.strongSteps} with ${e.strongRestarts} restarts: far below the robust row means the grid attack was too weak`,
      pick: (a) => a.downstream.headline.strongAccuracy,
    },
    {
      name: "transfer",
      title: "under the other arm's worst perturbations: must not be below the robust row",
      pick: (a) => a.downstream.headline.transferAccuracy,
    },
  ];
}

function armsOf(r: ExperimentResult): ArmResult[] {
  return ARM_ORDER.flatMap((arm) => r.arms.filter((a) => a.arm === arm));
}

export function summaryRows(r: ExperimentResult): Row[] {
  return quantities(r).map((q) => ({ cells: [q.name, ...armsOf(r).map((a) => fmt(q.pick(a), q.digits))], title: q.title }));
}

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd };
}

/** Mean ± sample standard deviation (min–max) over seeds, per quantity and arm. */
export function spreadRows(seeds: ExperimentResult[]): Row[] {
  return quantities(seeds[0]).map((q) => ({
    cells: [
      q.name,
      ...armsOf(seeds[0]).map((a0) => {
        const xs = seeds.map((r) => q.pick(r.arms.find((a) => a.arm === a0.arm)!)).filter((v): v is number => typeof v === "number");
        if (xs.length === 0) return "–";
        const { mean, sd } = meanSd(xs);
        const d = q.digits ?? 3;
        return `${mean.toFixed(d)} ± ${sd.toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
      }),
    ],
    title: q.title,
  }));
}

/** One line per (seed, arm, model, norm, eps) accuracy, with the headline's strong and transfer checks as their own lines. */
export function csvOf(runs: ExperimentResult[]): string {
  const lines = ["seed,backend,arm,model,attack,norm,eps,accuracy"];
  for (const r of runs) {
    for (const a of armsOf(r)) {
      for (const model of ["pretrained", "downstream"] as const) {
        const m = a[model];
        const row = (attack: string, norm: string, eps: number, acc: number | null | undefined) =>
          acc !== null && acc !== undefined && lines.push([r.config.seed, r.backend, a.arm, model, attack, norm, eps, acc].join(","));
        row("none", "", 0, m.clean);
        for (const g of m.grid) row(`pgd-${r.config.eval.steps}x${r.config.eval.restarts}`, g.norm, g.eps, g.accuracy);
        row(`pgd-${m.headline.strongSteps}x${m.headline.strongRestarts}`, m.headline.norm, m.headline.eps, m.headline.strongAccuracy);
        row("transfer", m.headline.norm, m.headline.eps, m.headline.transferAccuracy);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
