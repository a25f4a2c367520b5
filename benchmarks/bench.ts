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
import { median, medians, timeIt, timeItAsync } from "./timing.js";
import type { StepTiming } from "./steps.js";
import { DEFAULT_SHAPE, makeWorkload, stepFlops, type StepShape, type Workload } from "./workload.js";
import { jsStep } from "./peers/js.js";
import { tfjsStep } from "./peers/tfjs.js";
import { PYTHON, torchAvailable, torchStep } from "./peers/torch.js";

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
  /** Peers (one thread): how many times faster featpure's adversarial step was, median of paired rounds (pairedWithFeatpure). */
  featpureSpeedup?: number;
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
  scaling: StepRow[];
  peers: StepRow[];
  notes: string[];
}

function row(who: string, threads: number, shape: StepShape, t: StepTiming): StepRow {
  const ms = threads > 1 ? t.adversarial : t.adversarialCpu;
  return { who, threads, shape, ...t, gflops: stepFlops(shape, true) / ms / 1e6 };
}

function fromTimes(clean: { ms: number; cpuMs: number }, adversarial: { ms: number; cpuMs: number }): StepTiming {
  return { clean: clean.ms, cleanCpu: clean.cpuMs, adversarial: adversarial.ms, adversarialCpu: adversarial.cpuMs };
}

/**
 * Pairs a peer with featpure (the best backend, one thread) on the adversarial step: the two take
 * turns, `rounds` times, and `against` returns the median of the per-round ratios of CPU time per
 * step, peer over featpure. Measured back to back, both sides see the same spell of this shared
 * machine, which drifts by tens of percent between the minutes that separate the sections above.
 */
async function pairedWithFeatpure(backend: Backend, w: Workload, steps: number, rounds: number) {
  const engine = await createEngine({ backend, threads: 1 });
  const featpureCpu = async (seed: number) => {
    const c0 = process.cpuUsage();
    await runSteps(engine, w, steps, true, seed);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / steps;
  };
  await featpureCpu(0);
  return {
    async against(peerCpu: () => Promise<number>): Promise<number> {
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // Who goes first alternates, so that a spell changing within a round favours neither side.
        let peer: number, mine: number;
        if (r % 2 === 0) {
          peer = await peerCpu();
          mine = await featpureCpu(r + 1);
        } else {
          mine = await featpureCpu(r + 1);
          peer = await peerCpu();
        }
        ratios.push(peer / mine);
      }
      return median(ratios);
    },
    close: () => engine.close(),
  };
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
  if (!backends.includes("relaxed")) notes.push("relaxed SIMD not validated by this runtime (Node 20 needs --experimental-wasm-relaxed-simd; the featpure CLI sets it)");

  // Kernels.
  const expShapes: MatShape[] = quick ? [[64, 20, 40]] : [[256, 100, 200], [1000, 100, 200]];
  const bigShapes: MatShape[] = quick ? [] : [[256, 512, 1024], [1024, 1000, 2000]];
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
  const nSteps = quick ? 2 : 20, nReps = quick ? 1 : 7;
  const steps: StepRow[] = [];
  for (const b of want.has("steps") ? backends : []) {
    // Quick mode checks the threaded path once, on the best backend.
    const counts = b === "scalar" || (quick && b !== best) ? [1] : threadCounts;
    log(`steps: ${b}, ${counts.join(" and ")} thread(s), taking turns`);
    for (const r of await featpureSteps(w0, b, counts, nSteps, nReps)) steps.push({ ...row(`featpure ${r.backend}`, r.threads, shape0, r), speedup: r.speedup });
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
    const shapes = quick ? [{ d: shape0.d, B: shape0.B }] : [{ d: 100, B: 256 }, { d: 400, B: 1024 }];
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

  // How the step grows: one dimension at a time from the default, best backend, one thread.
  const grow: StepShape[] = !want.has("scaling") ? [] : quick
    ? [{ ...shape0, pgd: 4 }]
    : [{ ...shape0, d: 1000 }, { ...shape0, m: 2000 }, { ...shape0, B: 1024 }, { ...shape0, pgd: 10 }, { ...shape0, pgd: 20 }];
  const scaling: StepRow[] = [];
  const torch = want.has("peers") && torchAvailable();
  for (const s of grow) {
    log(`scaling: ${JSON.stringify(s)}`);
    const w = makeWorkload(s, 2);
    const [r] = await featpureSteps(w, best, [1], quick ? 2 : 5, quick ? 1 : 3);
    scaling.push(row(`featpure ${r.backend}`, 1, s, r));
    if (torch) {
      const p = torchStep(w, 1, quick ? 2 : 5, quick ? 1 : 3);
      if (p) scaling.push(row(`PyTorch ${p.torch}`, p.threads, s, p));
    }
  }

  // Peers on the same data and initial parameters.
  const peers: StepRow[] = [];
  if (want.has("peers")) {
    const pSteps = quick ? 2 : 15;
    const rounds = quick ? 1 : 5;
    const paired = await pairedWithFeatpure(best, w0, quick ? 2 : 10, rounds);
    try {
      log("peers: plain JS");
      const js = jsStep(w0);
      peers.push({
        ...row("plain JS (Float32Array)", 1, shape0, fromTimes(medians(timeIt(js.clean, pSteps, 2)), medians(timeIt(js.adversarial, pSteps, 2)))),
        featpureSpeedup: await paired.against(async () => medians(timeIt(js.adversarial, quick ? 1 : 3, 0)).cpuMs),
      });
      for (const tb of ["wasm", "cpu"] as const) {
        log(`peers: tfjs-${tb}`);
        try {
          const tf = await tfjsStep(w0, tb);
          if (!tf) {
            notes.push(`tfjs-backend-${tb} not installed: skipped`);
            continue;
          }
          const clean = medians(await timeItAsync(async () => tf.clean(), pSteps, 3));
          const adv = medians(await timeItAsync(async () => tf.adversarial(), pSteps, 3));
          const against = await paired.against(async () => medians(await timeItAsync(async () => tf.adversarial(), quick ? 1 : 4, 0)).cpuMs);
          peers.push({ ...row(`tfjs-backend-${tb} 4.22.0`, tf.threads, shape0, fromTimes(clean, adv)), featpureSpeedup: against });
        } catch (e) {
          notes.push(`tfjs-backend-${tb} failed: ${(e as Error).message}`);
        }
      }
      if (torch) {
        for (const t of threadCounts) {
          log(`peers: PyTorch, ${t} thread(s)`);
          const p = torchStep(w0, t, nSteps, nReps);
          if (!p) continue;
          // CPU time sums over threads: only the one-thread PyTorch is paired with one-thread featpure.
          const against = t === 1 ? await paired.against(async () => torchStep(w0, 1, quick ? 2 : 10, quick ? 1 : 3)!.adversarialCpu) : undefined;
          peers.push({ ...row(`PyTorch ${p.torch}`, p.threads, shape0, p), featpureSpeedup: against });
        }
      } else notes.push(`PyTorch not importable from ${PYTHON} (FEATPURE_PYTHON names another interpreter): skipped`);
    } finally {
      paired.close();
    }
  }
  const evaluation = want.has("evaluation") ? await evaluationBench(best, threadCounts, quick, log) : [];
  return { machine: mach, date: new Date().toISOString(), quick, kernels, steps, ceilings, incremental, dataBatches, contrastive, scaling, evaluation, peers, notes };
}
