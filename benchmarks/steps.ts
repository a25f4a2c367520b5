// Milliseconds per supervised training step of featpure itself: the whole step (attack on the
// batch, forward, backward, Adam), through the same pretrainSupervised the experiments use, on
// pre-drawn batches so that data generation is not timed.
import { resolveConfig } from "../src/config/validate.js";
import { createEngine, type Backend, type Engine } from "../src/engine/wasm.js";
import { allocTwoLayer } from "../src/model/twoLayer.js";
import { pretrainSupervised } from "../src/train/supervised.js";
import { Rng } from "../src/rng.js";
import { median } from "./timing.js";
import { cyclingSource, EPS, EPS_LINF, LR, type Workload } from "./workload.js";

/** Median milliseconds per step: wall time, and CPU time of this process. */
export interface StepTiming {
  clean: number;
  adversarial: number;
  cleanCpu: number;
  adversarialCpu: number;
}

/** As StepTiming, for one of several thread counts measured together. */
export interface ThreadedStepTiming extends StepTiming {
  backend: Backend;
  threads: number;
  /** Median over repetitions of (wall time on the first thread count) / (wall time on this one), per step kind. */
  speedup: { clean: number; adversarial: number };
}

/** What the step's attack may vary from the benchmark's default (l2, full forward passes). */
export interface StepVariant {
  norm?: "l2" | "linf";
  incrementalForward?: boolean;
}

/**
 * `steps` supervised training steps (adversarial or clean) of the workload on `engine`, from its
 * initial parameters, through pretrainSupervised; the arena is left as it was found.
 */
export async function runSteps(
  engine: Engine,
  w: Workload,
  steps: number,
  adversarial: boolean,
  seed: number,
  variant: StepVariant = {},
): Promise<void> {
  const s = w.shape;
  const norm = variant.norm ?? "l2";
  const cfg = resolveConfig({
    data: { dim: s.d },
    model: { width: s.m },
    optim: { batch: s.B, steps, lr: LR },
    adv: { norm, eps: norm === "l2" ? EPS : EPS_LINF, steps: s.pgd },
    backend: engine.backend,
    threads: engine.threads,
    incrementalForward: variant.incrementalForward ?? false,
  });
  const mark = engine.arena.mark();
  try {
    const net = allocTwoLayer(engine.arena, { d: s.d, m: s.m, C: 1, activation: "symrelu" }, false);
    engine.arena.f32(net.params.W).set(w.W);
    engine.arena.f32(net.params.thr).set(w.thr);
    engine.arena.f32(net.params.A).set(w.A);
    await pretrainSupervised(engine, net, cfg, cyclingSource(w), new Rng(seed), { adversarial, box: null });
  } finally {
    engine.arena.reset(mark);
  }
}

/**
 * Median ms per step on each thread count, over `reps` runs of `steps` steps each after one discarded
 * warm-up run. The thread counts take turns run by run, so that they share the machine's slow and
 * fast spells (a shared VM's speed drifts by tens of percent within minutes), and the speed-up is the
 * median of the per-run ratios against the first count.
 */
export async function featpureSteps(
  w: Workload,
  backend: Backend,
  threadCounts: number[],
  steps: number,
  reps: number,
): Promise<ThreadedStepTiming[]> {
  const engines: Engine[] = [];
  try {
    for (const threads of threadCounts) engines.push(await createEngine({ backend, threads }));
    const out = engines.map((e) => ({
      backend: e.backend,
      threads: e.threads,
      clean: 0,
      adversarial: 0,
      cleanCpu: 0,
      adversarialCpu: 0,
      speedup: { clean: 1, adversarial: 1 },
    }));
    for (const adversarial of [false, true]) {
      const kind = adversarial ? "adversarial" : "clean";
      const wall: number[][] = engines.map(() => []),
        cpu: number[][] = engines.map(() => []);
      for (let r = 0; r <= reps; r++) {
        for (const [i, engine] of engines.entries()) {
          const c0 = process.cpuUsage(),
            t0 = performance.now();
          await runSteps(engine, w, steps, adversarial, r);
          const c = process.cpuUsage(c0);
          if (r > 0) {
            wall[i].push((performance.now() - t0) / steps);
            cpu[i].push((c.user + c.system) / 1000 / steps);
          }
        }
      }
      out.forEach((o, i) => {
        o[kind] = median(wall[i]);
        o[adversarial ? "adversarialCpu" : "cleanCpu"] = median(cpu[i]);
        o.speedup[kind] = median(wall[0].map((t, r) => t / wall[i][r]));
      });
    }
    return out;
  } finally {
    for (const e of engines) e.close();
  }
}
