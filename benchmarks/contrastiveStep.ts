// Milliseconds per contrastive pre-training step at the default contrastive size (issue 4): clean, and
// adversarial (PGD on view 1). Medians over runs after a warm-up run, in the caller's process; several
// thread counts take turns run by run, as the supervised steps do (steps.ts). The pairs are pre-drawn
// (makeContrastiveWorkload), so data generation is not timed and the peers get the same ones.
import { createEngine, resolveConfig, type Backend, type Engine } from "../src/api.js";
import { allocTwoLayer } from "../src/model/twoLayer.js";
import { pretrainContrastive } from "../src/train/contrastive.js";
import { Rng } from "../src/rng.js";
import { median } from "./timing.js";
import { cyclingPairs, makeContrastiveWorkload, type ContrastiveWorkload } from "./workload.js";

export interface ContrastiveStepRow {
  backend: Backend;
  threads: number;
  kind: string;
  /** Median wall ms per step. */
  ms: number;
  /** Median over runs of (wall time on the first thread count) / (wall time on this one). */
  speedup: number;
}

/** `steps` contrastive training steps of the workload on `engine`, from its initial parameters; the arena is left as it was found. */
export async function runContrastiveSteps(
  engine: Engine,
  w: ContrastiveWorkload,
  steps: number,
  adversarial: boolean,
  seed: number,
): Promise<void> {
  const cfg = resolveConfig(w.cfg, { backend: engine.backend, threads: engine.threads, optim: { steps } });
  const mark = engine.arena.mark();
  try {
    const net = allocTwoLayer(engine.arena, { d: w.shape.d, m: w.shape.m, C: 1, activation: cfg.model.activation }, false);
    engine.arena.f32(net.params.W).set(w.W);
    engine.arena.f32(net.params.thr).set(w.thr);
    await pretrainContrastive(engine, net, cfg, cyclingPairs(w), new Rng(seed), { adversarial, box: null });
  } finally {
    engine.arena.reset(mark);
  }
}

/** What a row's step is, in words. */
export function contrastiveKind(w: ContrastiveWorkload, adversarial: boolean): string {
  const { cfg, shape } = w,
    c = cfg.contrastive;
  const kind = `contrastive ${adversarial ? `adversarial step (PGD-${shape.pgd} on view 1, ${cfg.adv.norm})` : "clean step"}, ${c.loss}${c.normalize ? " normalised" : ""}`;
  return `${kind}, d=${shape.d} m=${shape.m} B=${shape.B} pairs`;
}

export async function contrastiveStepBench(
  backend: Backend,
  adversarial: boolean,
  threadCounts: number[],
  steps: number,
  runs: number,
  w: ContrastiveWorkload = makeContrastiveWorkload(),
): Promise<ContrastiveStepRow[]> {
  const engines: Engine[] = [];
  try {
    for (const threads of threadCounts) engines.push(await createEngine({ backend, threads }));
    const times: number[][] = engines.map(() => []);
    for (let r = 0; r < runs + 1; r++) {
      for (const [i, engine] of engines.entries()) {
        const t0 = performance.now();
        await runContrastiveSteps(engine, w, steps, adversarial, r);
        // The first run warms up V8's optimising tier; it is not counted.
        if (r > 0) times[i].push((performance.now() - t0) / steps);
      }
    }
    return engines.map((e, i) => ({
      backend,
      threads: e.threads,
      kind: contrastiveKind(w, adversarial),
      ms: median(times[i]),
      speedup: median(times[0].map((t, r) => t / times[i][r])),
    }));
  } finally {
    for (const e of engines) e.close();
  }
}
