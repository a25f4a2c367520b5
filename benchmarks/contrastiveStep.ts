// Milliseconds per contrastive pre-training step at the default contrastive size (issue 4): clean, and
// adversarial (PGD on view 1). Medians over runs after a warm-up run, in the caller's process.
import { createEngine, resolveConfig, type Backend } from "../src/api.js";
import { allocTwoLayer, initTwoLayer } from "../src/model/twoLayer.js";
import { pretrainContrastive } from "../src/train/contrastive.js";
import { sparseCodingDataset } from "../src/data/sparseCodingDataset.js";
import { Rng } from "../src/rng.js";
import { median } from "./timing.js";

export interface ContrastiveStepRow { backend: Backend; kind: string; ms: number }

export async function contrastiveStepBench(backend: Backend, adversarial: boolean, steps: number, runs: number): Promise<ContrastiveStepRow> {
  const cfg = resolveConfig({ mode: "contrastive", backend, optim: { steps }, eval: { n: 1 }, downstream: { n: 2 } });
  const engine = await createEngine({ backend });
  const root = new Rng(cfg.seed);
  const dataset = sparseCodingDataset(cfg, root);
  const shape = { d: cfg.data.dim, m: cfg.model.width, C: 1, activation: cfg.model.activation };
  const times: number[] = [];
  for (let r = 0; r < runs + 1; r++) {
    const mark = engine.arena.mark();
    const net = allocTwoLayer(engine.arena, shape, false);
    initTwoLayer(engine.arena, net, cfg.model, root.fork("init"));
    const pairs = dataset.pairBatches!(cfg.optim.batch, cfg.contrastive, root.fork("pairs"));
    const t0 = performance.now();
    pretrainContrastive(engine, net, cfg, pairs, root.fork("attack"), { adversarial, box: null });
    times.push((performance.now() - t0) / steps);
    engine.arena.reset(mark);
  }
  const c = cfg.contrastive;
  const kind = `contrastive ${adversarial ? `adversarial step (PGD-${cfg.adv.steps} on view 1, ${cfg.adv.norm})` : "clean step"}, ${c.loss}${c.normalize ? " normalised" : ""}`;
  // The first run warms up V8's optimising tier; it is not counted.
  return { backend, kind: `${kind}, d=${cfg.data.dim} m=${cfg.model.width} B=${cfg.optim.batch} pairs`, ms: median(times.slice(1)) };
}
