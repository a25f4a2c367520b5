// Speed tables of the documents from one `featpure bench --json` file (docs/speed-bench.json).
import type { BenchResult, StepRow } from "../../benchmarks/bench.js";
import { markdownTable } from "./markdown.js";

const f = (x: number, digits = 2) => x.toFixed(digits);
const shapeText = (s: StepRow["shape"]) => `d=${s.d}, m=${s.m}, B=${s.B}, PGD-${s.pgd}`;

/** The machine and date of the run, and the command that writes the file. */
export function benchMachine(r: BenchResult, file: string): string {
  const m = r.machine;
  return (
    `${m.cpu}, ${m.cores} cores at ${(m.measuredMhz / 1000).toFixed(2)} GHz measured (${m.nominalMhz} MHz nominal); Node ${m.node}; ` +
    `${r.date.slice(0, 10)}${r.quick ? " (quick run)" : ""}. From \`${file}\`, written by \`featpure bench --json ${file}\`.`
  );
}

/** Time per step (ms, CPU time on one thread, wall time on more): the columns every step table shares. */
function stepCells(r: StepRow): string[] {
  const clean = r.threads > 1 ? r.clean : r.cleanCpu;
  const adv = r.threads > 1 ? r.adversarial : r.adversarialCpu;
  return [r.who, String(r.threads), f(clean), f(adv), f(r.gflops, 1)];
}
const STEP_HEAD = ["implementation", "threads", "clean step, ms", "adversarial step, ms", "adv. GFLOP/s"];

/** README: featpure's best build against each peer, with the paired ratio of the adversarial step. */
export function speedSummary(r: BenchResult, file: string): string {
  const best = r.steps.filter((s) => s.who === r.steps[0]?.who);
  const rows = [
    ...best.map((s) => [...stepCells(s), ""]),
    ...r.peers.map((p) => [...stepCells(p), p.featpureSpeedup === undefined ? "" : `${f(p.featpureSpeedup)}×`]),
  ];
  const shape = r.steps[0] ? shapeText(r.steps[0].shape) : "";
  return [
    markdownTable({ head: [...STEP_HEAD, `${best[0]?.who ?? "featpure"} is … faster (adversarial step, paired rounds)`], rows }),
    "",
    `One training step of the default network (${shape}, l2 eps 0.2), the same data and initial parameters for every implementation; ` +
      "ms per step are medians, CPU time on one thread and wall time on more; the ratio is the median over rounds in which featpure (one thread) " +
      "and the peer take turns. " +
      benchMachine(r, file),
  ].join("\n");
}

export function stepsTable(r: BenchResult): string {
  const rows = r.steps.map((s) => [...stepCells(s), s.speedup && s.threads > 1 ? `${f(s.speedup.adversarial)}×` : ""]);
  return markdownTable({ head: [...STEP_HEAD, "speed-up over 1 thread (adv., wall)"], rows });
}

export function peersTable(r: BenchResult): string {
  const rows = r.peers.map((p) => [...stepCells(p), p.featpureSpeedup === undefined ? "" : `${f(p.featpureSpeedup)}×`]);
  return markdownTable({ head: [...STEP_HEAD, "featpure is … faster (paired)"], rows });
}

export function scalingTable(r: BenchResult): string {
  return markdownTable({
    head: ["implementation", "threads", "shape", "clean step, ms", "adversarial step, ms", "adv. GFLOP/s"],
    rows: r.scaling.map((s) => {
      const c = stepCells(s);
      return [c[0], c[1], shapeText(s.shape), ...c.slice(2)];
    }),
  });
}

export function kernelsTable(r: BenchResult): string {
  return markdownTable({
    head: ["backend", "kernel", "shape", "density", "ms (CPU)", "GFLOP/s", "% of limit", "% of FMA loop"],
    rows: r.kernels.map((k) => [
      k.backend,
      k.kernel,
      k.shape,
      String(k.density),
      f(k.cpuMs, 3),
      f(k.gflops, 1),
      f(100 * k.shareOfLimit, 0),
      k.shareOfLoop === undefined ? "" : f(100 * k.shareOfLoop, 0),
    ]),
  });
}

export function contrastiveTable(r: BenchResult): string {
  return markdownTable({
    head: ["backend", "threads", "step", "ms (wall)", "speed-up over 1 thread"],
    rows: r.contrastive.map((c) => [c.backend, String(c.threads), c.kind, f(c.ms), c.threads > 1 ? `${f(c.speedup)}×` : ""]),
  });
}

/** Parallel ceilings, incremental forward passes and engine-drawn batches, one line each. */
export function otherMeasurements(r: BenchResult): string {
  const lines: string[] = [];
  for (const c of r.ceilings) {
    const mine = r.steps.find((s) => s.threads === c.threads && s.who === r.steps[0].who);
    const share = mine?.speedup
      ? `; featpure's adversarial step gained ${f(mine.speedup.adversarial)}× on ${c.threads} threads, ${f((100 * mine.speedup.adversarial) / c.ceiling, 0)} % of it`
      : "";
    lines.push(
      `- Parallel ceiling: ${c.threads} independent one-thread loops side by side ran at ${f(c.ceiling)}× the throughput of one${share}.`,
    );
  }
  for (const i of r.incremental)
    lines.push(
      `- \`--incremental-forward\`, PGD-${i.shape.pgd} ${i.norm} step: ${f(i.full)} ms with full forward passes, ${f(i.incremental)} ms incremental (${f(i.speedup)}×).`,
    );
  for (const b of r.dataBatches)
    lines.push(
      `- Sparse-coding batch (d=${b.d}, B=${b.B}): ${f(b.typescript, 3)} ms in TypeScript, ${f(b.engine, 3)} ms by the engine (${f(b.speedup)}×, the same bits).`,
    );
  for (const n of r.notes) lines.push(`- Note: ${n}`);
  return lines.join("\n");
}
