// Milliseconds per supervised training step of featpure itself: the whole step (attack on the
// batch, forward, backward, Adam), through the same pretrainSupervised the experiments use, on
// pre-drawn batches so that data generation is not timed.
import { resolveConfig } from "../src/config/validate.js";
import { createEngine, type Backend } from "../src/engine/wasm.js";
import { allocTwoLayer } from "../src/model/twoLayer.js";
import { pretrainSupervised } from "../src/train/pretrain.js";
import { Rng } from "../src/rng.js";
import { median } from "./timing.js";
import { cyclingSource, EPS, LR, type StepShape, type Workload } from "./workload.js";

/** Median milliseconds per step: wall time, and CPU time of this process. */
export interface StepTiming {
  clean: number;
  adversarial: number;
  cleanCpu: number;
  adversarialCpu: number;
}

/** Median ms per step over `reps` runs of `steps` steps each, after one discarded warm-up run. */
export async function featpureStep(w: Workload, backend: Backend, threads: number, steps: number, reps: number): Promise<StepTiming & { backend: Backend; threads: number }> {
  const s: StepShape = w.shape;
  const cfg = resolveConfig({
    data: { dim: s.d },
    model: { width: s.m },
    optim: { batch: s.B, steps, lr: LR },
    adv: { eps: EPS, steps: s.pgd },
    backend,
    threads,
  });
  const engine = await createEngine({ backend, threads });
  const shape = { d: s.d, m: s.m, C: 1, activation: "symrelu" as const };
  const out = { clean: 0, adversarial: 0, cleanCpu: 0, adversarialCpu: 0 };
  try {
    for (const adversarial of [false, true]) {
      const runs: number[] = [], cpu: number[] = [];
      for (let r = 0; r <= reps; r++) {
        const mark = engine.arena.mark();
        const net = allocTwoLayer(engine.arena, shape, false);
        engine.arena.f32(net.params.W).set(w.W);
        engine.arena.f32(net.params.thr).set(w.thr);
        engine.arena.f32(net.params.A).set(w.A);
        const c0 = process.cpuUsage(), t0 = performance.now();
        await pretrainSupervised(engine, net, cfg, cyclingSource(w), new Rng(r), { adversarial, box: null });
        const c = process.cpuUsage(c0);
        if (r > 0) {
          runs.push((performance.now() - t0) / steps);
          cpu.push((c.user + c.system) / 1000 / steps);
        }
        engine.arena.reset(mark);
      }
      out[adversarial ? "adversarial" : "clean"] = median(runs);
      out[adversarial ? "adversarialCpu" : "cleanCpu"] = median(cpu);
    }
  } finally {
    engine.close();
  }
  return { backend: engine.backend, threads: engine.threads, ...out };
}
