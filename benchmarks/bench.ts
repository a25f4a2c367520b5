// `featpure bench` and `npm run bench`: every measurement in one process, medians after warm-up.
// Kernel GFLOP/s per backend against the per-core limit of 128-bit SIMD, ms per training step of
// featpure per backend and thread count and as the shape grows, and the same step in the peers a
// user would pick instead (plain JS, tfjs wasm and cpu, PyTorch when installed).
import { BACKENDS, createEngine, type Backend } from "../src/engine/wasm.js";
import { kernelRows, type KernelRow, type MatShape } from "./kernels.js";
import { machine, type Machine } from "./machine.js";
import { featpureSteps, runSteps } from "./steps.js";
import { parallelCeiling, type Ceiling } from "./ceiling.js";
import { incrementalBench, type IncrementalRow } from "./incremental.js";
import { dataBatchBench, type DataBatchRow } from "./dataBatches.js";
import { contrastiveStepBench, type ContrastiveStepRow } from "./contrastiveStep.js";
import { evaluationBench, type EvaluationRow } from "./evaluation.js";
import type { StepTiming } from "./steps.js";
import { DEFAULT_SHAPE, EPS, makeContrastiveWorkload, makeWorkload, stepFlops, type StepShape } from "./workload.js";
import { featpureContender, jsContender, torchContender, TASKS, type Contender, type Workloads } from "./peers/contender.js";
import { tfjsContender } from "./peers/tfjs.js";
import { BLAS_OVERRIDES, torchMissing } from "./peers/torch.js";
import { peerRounds, summarize, type PeerRow, type PeerSummary } from "./peerRounds.js";

/** The parts of the benchmark, in the order they run. */
export const SECTIONS = ["kernels", "steps", "contrastive", "scaling", "evaluation", "peers"] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Tiny sizes and few repetitions: checks that everything runs, in seconds. */
  quick?: boolean;
  /** Clock to use for the limit instead of the measured one, GHz. */
  ghz?: number;
  /** Skip the peers. */
  noPeers?: boolean;
  /** Run only these sections (default: all). */
  sections?: Section[];
  /** Thread counts of the threaded step, its parallel ceilings and PyTorch (default: 1, 2 and 4, capped at the cores). */
  threads?: number[];
  log?: (line: string) => void;
}

export interface StepRow extends StepTiming {
  who: string;
  threads: number;
  shape: StepShape;
  /** Effective GFLOP/s of the adversarial step: stepFlops over its CPU time (one thread) or wall time (more). */
  gflops: number;
  /** featpure's own steps: wall-time speed-up over one thread, median of paired runs (ThreadedStepTiming). */
  speedup?: { clean: number; adversarial: number };
}

export interface BenchResult {
  machine: Machine;
  date: string;
  quick: boolean;
  kernels: (KernelRow & { shareOfLimit: number })[];
  steps: StepRow[];
  /** Per thread count above 1, that many one-thread loops side by side on the best backend: what those threads can give here now. */
  ceilings: Ceiling[];
  /** The adversarial step with and without incremental forward passes in its attack, best backend, one thread. */
  incremental: IncrementalRow[];
  /** The robustness evaluation of one model per 1000 test samples, PGD alone and with APGD, best backend. */
  evaluation: EvaluationRow[];
  /** Sparse-coding pre-training batches drawn in TypeScript and by the engine, best backend. */
  dataBatches: DataBatchRow[];
  /** Contrastive pre-training steps at the default contrastive size, each backend on one thread and the best on every thread count. */
  contrastive: ContrastiveStepRow[];
  /** How the adversarial step grows: featpure's best backend and PyTorch on one thread, taking turns, per shape. */
  scaling: PeerRow[];
  /** featpure's settings and every peer setting on the supervised and contrastive steps, taking turns round by round. */
  peers: PeerRow[];
  /** Each peer family at its best correct setting against featpure's best. */
  summary: PeerSummary;
  /** Peers that could not run here, and why (not failures: PyTorch and tfjs are optional). */
  skipped: Skipped[];
  notes: string[];
}

function row(who: string, threads: number, shape: StepShape, t: StepTiming): StepRow {
  const ms = threads > 1 ? t.adversarial : t.adversarialCpu;
  return { who, threads, shape, ...t, gflops: stepFlops(shape, true) / ms / 1e6 };
}

/** The backends this runtime validates, fastest first (relaxed needs the V8 flag on Node 20). */
async function available(): Promise<Backend[]> {
  const out: Backend[] = [];
  for (const b of BACKENDS) {
    try {
      (await createEngine({ backend: b, maxMemoryMiB: 16 })).close();
      out.push(b);
    } catch {
      // not runnable here
    }
  }
  return out;
}

/** PyTorch as the shell gives it and, where the shell sets OpenBLAS overrides, with them dropped. */
const overrideChoices = () => (BLAS_OVERRIDES.some((k) => process.env[k] !== undefined) ? [false, true] : [false]);

/**
 * PyTorch's settings for these thread counts: one thread with glibc's default malloc and with
 * KEEP_HEAP, more with the default only (on this project's 2-core machine two threads were far
 * slower than one in every run).
 */
const torchSettings = (counts: number[]): (readonly [number, boolean])[] => [
  [1, false],
  [1, true],
  ...counts.filter((t) => t > 1).map((t) => [t, false] as const),
];

export interface Skipped {
  peer: string;
  reason: string;
}

/**
 * featpure's best backend on each thread count, and every peer setting that can run here: PyTorch on
 * the same counts, as the shell sets OpenBLAS's overrides and with them dropped (where the shell
 * sets any), on one thread also with malloc keeping its heap; tfjs wasm and cpu; plain JS. A peer
 * that cannot run is skipped with its reason, not a failure: PyTorch and tfjs are optional.
 */
export async function peerContenders(
  wl: Workloads,
  best: Backend,
  threadCounts: number[],
  opts: { python?: string; loadTfjs?: Parameters<typeof tfjsContender>[2]; torch?: (readonly [number, boolean])[] } = {},
): Promise<{ contenders: Contender[]; skipped: Skipped[] }> {
  const contenders: Contender[] = [];
  const skipped: Skipped[] = [];
  const counts = [...new Set([1, ...threadCounts])];
  for (const t of counts) contenders.push(await featpureContender(best, t, wl));
  const missingTorch = torchMissing(opts.python);
  if (missingTorch) skipped.push({ peer: "PyTorch", reason: missingTorch });
  else {
    const settings = (opts.torch ?? torchSettings(counts)).flatMap(([t, heap]) =>
      overrideChoices().map((drop) => [t, drop, heap] as const),
    );
    // Started together: importing torch takes seconds. One that fails to start (a broken install) is skipped.
    const started = await Promise.allSettled(settings.map(([t, drop, heap]) => torchContender(t, drop, heap, wl, opts.python)));
    for (const r of started) {
      if (r.status === "fulfilled") contenders.push(r.value);
      else if (!skipped.some((s) => s.peer === "PyTorch"))
        skipped.push({ peer: "PyTorch", reason: `failed to start: ${(r.reason as Error).message}` });
    }
  }
  for (const tb of ["wasm", "cpu"] as const) {
    const tf = await tfjsContender(tb, wl, opts.loadTfjs).catch((e: Error) => e);
    if (tf instanceof Error) skipped.push({ peer: `tfjs-backend-${tb}`, reason: `failed to start: ${tf.message}` });
    else if (!tf) skipped.push({ peer: `tfjs-backend-${tb}`, reason: "@tensorflow/tfjs not installed (a dev dependency)" });
    else contenders.push(tf);
  }
  contenders.push(jsContender(wl));
  return { contenders, skipped };
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const quick = opts.quick ?? false;
  const log = opts.log ?? (() => {});
  const mach = machine(opts.ghz);
  const notes: string[] = [];
  const backends = await available();
  const best = backends[0];
  const want = new Set(opts.sections ?? SECTIONS);
  if (opts.noPeers) want.delete("peers");
  const threadCounts = opts.threads ?? [...new Set([1, Math.min(2, mach.cores), Math.min(4, mach.cores)])];
  if (!backends.includes("relaxed"))
    notes.push("relaxed SIMD not validated by this runtime (Node 20 needs --experimental-wasm-relaxed-simd; the featpure CLI sets it)");

  // Kernels.
  const expShapes: MatShape[] = quick
    ? [[64, 20, 40]]
    : [
        [256, 100, 200],
        [1000, 100, 200],
      ];
  const bigShapes: MatShape[] = quick
    ? []
    : [
        [256, 512, 1024],
        [1024, 1000, 2000],
      ];
  const reps = quick ? 2 : 21;
  const kernels: BenchResult["kernels"] = [];
  for (const b of want.has("kernels") ? backends : []) {
    log(`kernels: ${b}`);
    const rows = [
      ...(await kernelRows(b, expShapes, [1, 0.2], reps)),
      // The scalar build on the largest shapes only shows what is already plain: seconds per call.
      ...(await kernelRows(b, b === "scalar" ? bigShapes.slice(0, 1) : bigShapes, [1], reps)),
    ];
    kernels.push(...rows.map((r) => ({ ...r, shareOfLimit: r.gflops / mach.peakGflops })));
  }

  // featpure training steps at the default shape, per backend and thread count.
  const shape0: StepShape = quick ? { d: 20, m: 24, B: 32, pgd: 2 } : DEFAULT_SHAPE;
  const w0 = makeWorkload(shape0);
  const nSteps = quick ? 2 : 20,
    nReps = quick ? 1 : 7;
  const steps: StepRow[] = [];
  for (const b of want.has("steps") ? backends : []) {
    // Quick mode checks the threaded path once, on the best backend.
    const counts = b === "scalar" || (quick && b !== best) ? [1] : threadCounts;
    log(`steps: ${b}, ${counts.join(" and ")} thread(s), taking turns`);
    for (const r of await featpureSteps(w0, b, counts, nSteps, nReps))
      steps.push({ ...row(`featpure ${r.backend}`, r.threads, shape0, r), speedup: r.speedup });
  }

  const ceilings: Ceiling[] = [];
  for (const n of want.has("steps") ? threadCounts.filter((t) => t > 1) : []) {
    log(`parallel ceiling: ${n} one-thread ${best} loops side by side`);
    ceilings.push(await parallelCeiling(best, shape0, n, nSteps, quick ? 1 : nReps));
  }

  const incremental: IncrementalRow[] = [];
  if (want.has("steps")) {
    log(`incremental forward passes: ${best}, l-inf, taking turns with full ones`);
    const cases = (quick ? [shape0.pgd] : [5, 20]).map((pgd) => ({ norm: "linf" as const, shape: { ...shape0, pgd } }));
    incremental.push(...(await incrementalBench(best, cases, quick ? 2 : 10, quick ? 1 : 7)));
  }

  const dataBatches: DataBatchRow[] = [];
  if (want.has("steps")) {
    log(`data batches: TypeScript and ${best}, taking turns`);
    const shapes = quick
      ? [{ d: shape0.d, B: shape0.B }]
      : [
          { d: 100, B: 256 },
          { d: 400, B: 1024 },
        ];
    dataBatches.push(...(await dataBatchBench(best, shapes, quick ? 2 : 20, quick ? 1 : 7)));
  }

  const contrastive: ContrastiveStepRow[] = [];
  for (const b of want.has("contrastive") ? backends : []) {
    const counts = b === best ? threadCounts : [1];
    for (const adversarial of [false, true]) {
      log(`contrastive steps: ${b}, ${adversarial ? "adversarial" : "clean"}, ${counts.join(" and ")} thread(s), taking turns`);
      contrastive.push(...(await contrastiveStepBench(b, adversarial, counts, quick ? 2 : 20, quick ? 1 : 5)));
    }
  }

  const skipped: Skipped[] = [];
  const missingTorch = torchMissing();
  if (missingTorch && want.has("peers")) skipped.push({ peer: "PyTorch", reason: missingTorch });
  const rounds = quick ? 2 : 7,
    budgetMs = quick ? 1 : 150;

  // How the step grows: one dimension at a time from the default, best backend, one thread.
  const grow: StepShape[] = !want.has("scaling")
    ? []
    : quick
      ? [{ ...shape0, pgd: 4 }]
      : [
          { ...shape0, d: 1000 },
          { ...shape0, m: 2000 },
          { ...shape0, B: 1024 },
          { ...shape0, pgd: 10 },
          { ...shape0, pgd: 20 },
        ];
  const scaling: PeerRow[] = [];
  for (const s of grow) {
    log(`scaling: ${JSON.stringify(s)}`);
    const wl: Workloads = { supervised: makeWorkload(s, 2) };
    const cs: Contender[] = [await featpureContender(best, 1, wl)];
    try {
      if (!missingTorch && want.has("peers")) for (const drop of overrideChoices()) cs.push(await torchContender(1, drop, true, wl));
      scaling.push(...(await peerRounds(cs, "supervised", s, EPS, quick ? 1 : 3, quick ? 1 : 300, log)));
    } finally {
      for (const c of cs) c.close();
    }
  }

  // Peers on the same data and initial parameters, supervised and contrastive.
  const peers: PeerRow[] = [];
  if (want.has("peers")) {
    const contrastiveW = makeContrastiveWorkload(quick ? { d: 20, m: 24, B: 32, pgd: 2 } : undefined);
    const wl: Workloads = { supervised: w0, contrastive: contrastiveW };
    const { contenders: cs, skipped: missing } = await peerContenders(wl, best, threadCounts);
    skipped.push(...missing.filter((m) => !skipped.some((s) => s.peer === m.peer)));
    try {
      for (const task of TASKS) {
        const w = task === "supervised" ? w0 : contrastiveW;
        peers.push(...(await peerRounds(cs, task, w.shape, task === "supervised" ? EPS : contrastiveW.cfg.adv.eps, rounds, budgetMs, log)));
      }
    } finally {
      for (const c of cs) c.close();
    }
  }
  for (const s of skipped) notes.push(`${s.peer} skipped: ${s.reason}`);
  const evaluation = want.has("evaluation") ? await evaluationBench(best, threadCounts, quick, log) : [];
  return {
    machine: mach,
    date: new Date().toISOString(),
    quick,
    kernels,
    steps,
    ceilings,
    incremental,
    dataBatches,
    contrastive,
    scaling,
    evaluation,
    peers,
    summary: summarize(peers),
    skipped,
    notes,
  };
}
