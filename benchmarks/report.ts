// The benchmark result as text tables (cli-table3), the same for `featpure bench` and `npm run bench`.
import Table from "cli-table3";
import type { BenchResult, StepRow } from "./bench.js";
import type { PeerRow, PeerSummary } from "./peerRounds.js";
import type { Ceiling } from "./ceiling.js";
import type { EvaluationRow } from "./evaluation.js";
import { MADD_LOOP } from "./kernels.js";

function table(title: string, head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  t.push(...rows.map((r) => r.map(String)));
  return `${title}\n${t.toString()}`;
}

const f = (x: number, digits = 2) => x.toFixed(digits);
const shapeText = (r: StepRow) => `d=${r.shape.d} m=${r.shape.m} B=${r.shape.B} PGD-${r.shape.pgd}`;

function stepTable(title: string, rows: StepRow[]): string {
  const speedups = rows.some((r) => r.speedup);
  const head = ["implementation", "threads", "shape", "clean ms CPU (wall)", "adversarial ms CPU (wall)", "adv. GFLOP/s"];
  return table(
    title,
    speedups ? [...head, "speed-up clean / adv. (wall)"] : head,
    rows.map((r) => {
      const cells = [
        r.who,
        r.threads,
        shapeText(r),
        `${f(r.cleanCpu)} (${f(r.clean)})`,
        `${f(r.adversarialCpu)} (${f(r.adversarial)})`,
        f(r.gflops, 1),
      ];
      return speedups ? [...cells, r.speedup ? `${f(r.speedup.clean)} / ${f(r.speedup.adversarial)}` : ""] : cells;
    }),
  );
}

function ceilingText(r: BenchResult, c: Ceiling): string {
  const mine = r.steps.find((s) => s.threads === c.threads && s.speedup && s.who === r.steps[0].who);
  const engine = mine?.speedup
    ? `; featpure ${mine.who.replace("featpure ", "")} on ${c.threads} threads: ${f(mine.speedup.adversarial)}x, ${f((100 * mine.speedup.adversarial) / c.ceiling, 0)} % of it`
    : "";
  return `Parallel ceiling (adversarial step): ${c.threads} one-thread loops side by side, separate engines, ${f(c.sideBySide)} ms/step each against ${f(c.alone)} alone: this machine gave ${c.threads} threads ${f(c.ceiling)}x in this run${engine}`;
}

const shapeOf = (r: PeerRow) => `d=${r.shape.d} m=${r.shape.m} B=${r.shape.B} PGD-${r.shape.pgd}`;

/** A peer's settings in a few words: BLAS library and kernel, the overrides in force, SIMD and threads builds. */
export function settingsText(r: PeerRow): string {
  const s = r.settings;
  if (!s) return "";
  const parts: string[] = [];
  if (s.blas)
    parts.push(
      s.blas.library
        ? `${s.blas.library} ${s.blas.version ?? ""} kernel ${s.blas.kernel ?? "?"}, ${s.blas.threadingLayer ?? "?"}`
        : `BLAS: ${s.blas.built}`,
    );
  const env = Object.entries(s.env).map(([k, v]) => `${k}=${v ?? "unset"}`);
  if (env.length) parts.push(`${env.join(" ")} (${s.overrides === "dropped" ? "dropped by the bench" : "as the shell sets them"})`);
  if (s.malloc) parts.push(`GLIBC_TUNABLES=${s.malloc}`);
  if (s.simd !== undefined) parts.push(`${s.simd ? "SIMD" : "no SIMD"}, ${s.wasmThreads ? "threads build" : "no threads build"}`);
  return parts.join("; ");
}

function peerTable(title: string, rows: PeerRow[]): string {
  return table(
    title,
    [
      "setting",
      "step",
      "shape",
      "threads",
      "processor",
      "how it ran",
      "clean ms wall (CPU)",
      "adversarial ms wall (CPU)",
      "agrees with featpure",
    ],
    rows.map((r) => [
      r.label,
      r.task,
      shapeOf(r),
      r.threads,
      r.settings?.processor ?? "",
      settingsText(r),
      `${f(r.clean.ms)} (${f(r.clean.cpuMs)})`,
      `${f(r.adversarial.ms)} (${f(r.adversarial.cpuMs)})`,
      r.agreement ? `${r.agreement.ok ? "yes" : "NO"} (${r.agreement.worst.toExponential(1)})` : "reference",
    ]),
  );
}

function summaryTable(s: PeerSummary): string {
  // Notes go under the table, numbered, so that its columns stay narrow.
  const notes: string[] = [];
  const mark = (n?: string) => {
    if (!n) return "";
    if (!notes.includes(n)) notes.push(n);
    return ` [${notes.indexOf(n) + 1}]`;
  };
  const t = table(
    "Summary: each peer at its best correct setting against featpure's best (ratio of medians of wall ms per step over paired rounds; spread: the smallest and largest per-round ratio)",
    ["step", "peer", "peer's setting", "peer ms", "featpure", "featpure ms", "featpure is … faster", "spread"],
    s.rows.map((r) => [
      `${r.task} ${r.kind}`,
      `${r.match === "best" ? r.peer : `${r.peer} (one thread)`}${mark(r.note)}`,
      r.peerSetting || "none correct",
      Number.isNaN(r.peerMs) ? "-" : f(r.peerMs),
      r.featpureSetting,
      f(r.featpureMs),
      Number.isNaN(r.ratio) ? "-" : `${f(r.ratio)}x`,
      Number.isNaN(r.ratio) ? "-" : `${f(r.spread[0])}-${f(r.spread[1])}x over ${r.rounds}`,
    ]),
  );
  return [t, ...notes.map((n, i) => `[${i + 1}] ${n}`)].join("\n");
}

function evaluationTable(rows: EvaluationRow[]): string {
  const e = rows[0];
  return table(
    `Robustness evaluation of one model (clean pre-training, default shape), ms wall per 1000 test samples, medians; ${e.radii} radii: ${e.pgd}; with ${e.apgd} (docs/evaluation.md)`,
    ["threads", "samples", "PGD only", "PGD + APGD", "ratio", "headline robust acc. PGD / worst case"],
    rows.map((v) => [
      v.threads,
      v.n,
      f(v.pgdOnly, 0),
      f(v.withApgd, 0),
      `${f(v.ratio)}x`,
      `${f(v.headline.pgd, 3)} / ${f(v.headline.worstCase, 3)}`,
    ]),
  );
}

export function formatBench(r: BenchResult): string {
  const m = r.machine;
  const out = [
    `${m.cpu}, ${m.cores} cores, ${m.nominalMhz} MHz nominal, ${m.measuredMhz} MHz measured; Node ${m.node} (V8 ${m.v8}); ${r.date}${r.quick ? " (quick)" : ""}`,
    `Per-core limit of 128-bit SIMD: 16 flop/cycle (two 4-lane FMAs) x ${(m.mhz / 1000).toFixed(2)} GHz${m.mhz === m.measuredMhz ? " (measured)" : ""} = ${f(m.peakGflops, 1)} GFLOP/s`,
  ];
  // Sections left out with --only have no rows and print nothing.
  if (r.kernels.length) {
    out.push(
      "",
      table(
        "Matrix kernels, one thread (medians; GFLOP/s from CPU time, counting 2·B·C·OC flops whatever the density of dout)",
        ["backend", "kernel", "shape", "density", "ms CPU (wall)", "GFLOP/s", "% of limit", "% of loop"],
        r.kernels.map((k) => [
          k.backend,
          k.kernel,
          k.shape,
          k.density,
          `${f(k.cpuMs, 3)} (${f(k.ms, 3)})`,
          f(k.gflops, 1),
          f(100 * k.shareOfLimit, 0),
          k.shareOfLoop === undefined ? "" : f(100 * k.shareOfLoop, 0),
        ]),
      ),
    );
    out.push(
      `% of loop: of the ${MADD_LOOP} (12 independent relaxed_madd chains, no memory traffic) timed just before each shape: what the FMA pipes gave this process then. It falls short of the limit where the clock is not the constraint, e.g. a sibling hyper-thread on a shared core taking FMA slots (the clock is measured on dependent integer adds, which it does not slow).`,
    );
  }
  if (r.steps.length) {
    out.push(
      "",
      stepTable(
        "Training step of featpure (median ms per step, CPU time of the process and wall time; adversarial: PGD l2, eps 0.2; GFLOP/s from CPU time with one thread, wall time with more; thread counts take turns, speed-up = median of paired wall-time ratios)",
        r.steps,
      ),
    );
  }
  if (r.ceilings.length) out.push("", ...r.ceilings.map((c) => ceilingText(r, c)));
  if (r.evaluation?.length) out.push("", evaluationTable(r.evaluation));
  if (r.incremental.length) {
    out.push(
      "",
      table(
        "Incremental forward passes in the attack (--incremental-forward): adversarial step, one thread, median ms CPU; speed-up = median of paired ratios",
        ["attack", "shape", "full forward", "incremental", "speed-up"],
        r.incremental.map((i) => [
          `PGD-${i.shape.pgd} ${i.norm}`,
          `d=${i.shape.d} m=${i.shape.m} B=${i.shape.B}`,
          f(i.full),
          f(i.incremental),
          `${f(i.speedup)}x`,
        ]),
      ),
    );
  }
  if (r.dataBatches.length) {
    out.push(
      "",
      table(
        "Pre-training batches of the sparse-coding data (one per step of population training, on the calling thread): median ms CPU per batch, TypeScript and the engine's kernel (the same bits); speed-up = median of paired ratios",
        ["shape", "TypeScript", "engine", "speed-up"],
        r.dataBatches.map((b) => [`d=${b.d} B=${b.B}`, f(b.typescript, 3), f(b.engine, 3), `${f(b.speedup)}x`]),
      ),
    );
  }
  if (r.contrastive.length) {
    out.push(
      "",
      table(
        "Contrastive pre-training step (median wall ms per step; thread counts take turns, speed-up = median of paired ratios)",
        ["backend", "threads", "step", "ms", "speed-up"],
        r.contrastive.map((c) => [c.backend, c.threads, c.kind, f(c.ms), `${f(c.speedup)}x`]),
      ),
    );
  }
  if (r.scaling.length)
    out.push(
      "",
      peerTable(
        "How the adversarial step grows (one dimension at a time; featpure's best backend and PyTorch on one thread taking turns)",
        r.scaling,
      ),
    );
  if (r.peers.length)
    out.push("", peerTable("Peers: the same steps, data and initial parameters, every setting taking turns round by round", r.peers));
  if (r.summary.rows.length) out.push("", summaryTable(r.summary));
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join("\n");
}
