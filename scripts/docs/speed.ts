// Speed tables of the documents from one `featpure bench --json` file (docs/speed-bench.json).
import type { BenchResult, StepRow } from "../../benchmarks/bench.js";
import type { PeerRow } from "../../benchmarks/peerRounds.js";
import { settingsText } from "../../benchmarks/report.js";
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

/**
 * README: each peer family at its best correct setting against featpure's best, per task and step
 * kind (BenchResult.summary), the notes on settings a peer could not use numbered under the table.
 */
/** The summary's rows against the peers a user would most likely pick instead (the front page's table). */
export const MAIN_PEERS = ["PyTorch", "tfjs-backend-wasm"];

export function speedSummary(r: BenchResult, file: string, peers?: readonly string[]): string {
  const notes: string[] = [];
  const mark = (n?: string) => {
    if (!n) return "";
    if (!notes.includes(n)) notes.push(n);
    return ` [${notes.indexOf(n) + 1}]`;
  };
  const rows = r.summary.rows
    .filter((s) => !peers || peers.includes(s.peer))
    .map((s) => [
      `${s.task} ${s.kind}`,
      `${s.match === "best" ? s.peer : `${s.peer}, one thread`}${mark(s.note)}`,
      s.peerSetting || "none correct",
      Number.isNaN(s.peerMs) ? "-" : f(s.peerMs),
      s.featpureSetting,
      f(s.featpureMs),
      Number.isNaN(s.ratio) ? "-" : `**${f(s.ratio)}×**`,
      Number.isNaN(s.ratio) ? "-" : `${f(s.spread[0])}-${f(s.spread[1])}× (${s.rounds} rounds)`,
    ]);
  return [
    markdownTable({
      head: [
        "step",
        "peer",
        "peer's best setting",
        "peer, ms",
        "featpure's best",
        "featpure, ms",
        "featpure is … faster",
        "per-round spread",
      ],
      rows,
    }),
    "",
    ...notes.map((n, i) => `[${i + 1}] ${n}.`),
    ...(notes.length ? [""] : []),
    "Wall ms per step, medians over rounds in which every setting of every implementation takes its turn on the same data and initial parameters; " +
      "each peer's loss and gradients agree with featpure's (checked from one start). " +
      benchMachine(r, file),
  ].join("\n");
}

/** Every peer setting: how it ran, its times and its agreement with featpure. */
function peerCells(p: PeerRow): string[] {
  return [
    p.label,
    p.task,
    String(p.threads),
    settingsText(p),
    p.settings?.processor ?? "",
    f(p.clean.ms),
    f(p.adversarial.ms),
    p.agreement ? `${p.agreement.ok ? "yes" : "**no**"} (${p.agreement.worst.toExponential(1)})` : "reference",
  ];
}
const PEER_HEAD = [
  "setting",
  "step",
  "threads",
  "how it ran",
  "processor",
  "clean, ms",
  "adversarial, ms",
  "agrees with featpure (worst rel. error)",
];

export function stepsTable(r: BenchResult): string {
  const rows = r.steps.map((s) => [...stepCells(s), s.speedup && s.threads > 1 ? `${f(s.speedup.adversarial)}×` : ""]);
  return markdownTable({ head: [...STEP_HEAD, "speed-up over 1 thread (adv., wall)"], rows });
}

export function peersTable(r: BenchResult): string {
  return markdownTable({ head: PEER_HEAD, rows: r.peers.map(peerCells) });
}

export function scalingTable(r: BenchResult): string {
  return markdownTable({ head: ["shape", ...PEER_HEAD], rows: r.scaling.map((p) => [shapeText(p.shape), ...peerCells(p)]) });
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
