// Milliseconds per contrastive pre-training step at the default contrastive size (issue 4): clean, and
// adversarial (PGD on view 1). Medians over runs after a warm-up run, in the caller's process; several
// thread counts take turns run by run, as the supervised steps do (steps.ts).
import { createEngine, resolveConfig, type Backend, type Engine } from "../src/api.js";
import { allocTwoLayer, initTwoLayer } from "../src/model/twoLayer.js";
import { pretrainContrastive } from "../src/train/contrastive.js";
import { sparseCodingDataset } from "../src/data/sparseCodingDataset.js";
import { Rng } from "../src/rng.js";
import { median } from "./timing.js";

export interface ContrastiveStepRow {
  backend: Backend;
  threads: number;
  kind: string;
  /** Median wall ms per step. */
  ms: number;
  /** Median over runs of (wall time on the first thread count) / (wall time on this one). */
  speedup: number;
}

export async function contrastiveStepBench(backend: Backend, adversarial: boolean, threadCounts: number[], steps: number, runs: number): Promise<ContrastiveStepRow[]> {
  const cfg = resolveConfig({ mode: "contrastive", backend, optim: { steps }, eval: { n: 1 }, downstream: { n: 2 } });
  const root = new Rng(cfg.seed);
  const dataset = sparseCodingDataset(cfg, root);
  const shape = { d: cfg.data.dim, m: cfg.model.width, C: 1, activation: cfg.model.activation };
  const engines: Engine[] = [];
  try {
    for (const threads of threadCounts) engines.push(await createEngine({ backend, threads }));
    const times: number[][] = engines.map(() => []);
    for (let r = 0; r < runs + 1; r++) {
      for (const [i, engine] of engines.entries()) {
        const mark = engine.arena.mark();
        const net = allocTwoLayer(engine.arena, shape, false);
        initTwoLayer(engine.arena, net, cfg.model, root.fork("init"));
        const pairs = dataset.pairBatches!(cfg.optim.batch, cfg.contrastive, root.fork("pairs"), engine);
        const t0 = performance.now();
        await pretrainContrastive(engine, net, cfg, pairs, root.fork("attack"), { adversarial, box: null });
        // The first run warms up V8's optimising tier; it is not counted.
        if (r > 0) times[i].push((performance.now() - t0) / steps);
        engine.arena.reset(mark);
      }
    }
    const c = cfg.contrastive;
    const kind = `contrastive ${adversarial ? `adversarial step (PGD-${cfg.adv.steps} on view 1, ${cfg.adv.norm})` : "clean step"}, ${c.loss}${c.normalize ? " normalised" : ""}`;
    return engines.map((e, i) => ({
      backend, threads: e.threads, kind: `${kind}, d=${cfg.data.dim} m=${cfg.model.width} B=${cfg.optim.batch} pairs`,
      ms: median(times[i]), speedup: median(times[0].map((t, r) => t / times[i][r])),
    }));
  } finally {
    for (const e of engines) e.close();
  }
}
