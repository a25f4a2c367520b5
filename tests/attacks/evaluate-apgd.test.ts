// The evaluation with APGD on a cleanly pre-trained network (where attacks differ): the reported
// robust accuracy is the per-sample worst case, never above PGD's, and APGD alone breaks at least as
// many samples as the grid's PGD-20 at every radius.
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { allocWork } from "../../src/engine/layout.js";
import { allocEvalScratch, type LabelledSet } from "../../src/attacks/pgd.js";
import { evaluateModel, withTransfer } from "../../src/experiments/evaluate.js";
import { makeDataset } from "../../src/data/datasets.js";
import { pretrainArm } from "../../src/experiments/experiment.js";
import { Rng } from "../../src/rng.js";

describe("evaluation with APGD", async () => {
  const cfg = resolveConfig({
    train: "clean",
    data: { dim: 64 },
    model: { width: 128 },
    optim: { steps: 500 },
    eval: { n: 300, epsL2: [0.1, 0.2, 0.5], epsLinf: [0.02, 0.05, 0.1], strongSteps: 20, strongRestarts: 1 },
  });
  const root = new Rng(cfg.seed);
  const data = await makeDataset(cfg, root);
  const { engine, net } = await pretrainArm(cfg, data, root, "clean");
  afterAll(() => engine.close());
  const { arena } = engine;
  const scratch = allocEvalScratch(engine, allocWork(arena, net.shape, 128), net.shape.d, null, true);
  const x = arena.alloc(data.preTest.x.length),
    y = arena.alloc(data.preTest.n);
  arena.f32(x).set(data.preTest.x);
  arena.f32(y).set(data.preTest.y);
  const set: LabelledSet = { x, y, n: data.preTest.n };
  const withApgd = await evaluateModel(engine, net, set, cfg, null, scratch, new Rng(4));
  const pgdOnly = await evaluateModel(engine, net, set, { ...cfg, eval: { ...cfg.eval, apgd: false } }, null, scratch, new Rng(4));

  it("keeps PGD's own numbers, and per sample breaks every sample PGD breaks", () => {
    expect(withApgd.eval.clean).toBe(pgdOnly.eval.clean);
    expect(withApgd.eval.headline.strongAccuracy).toBe(pgdOnly.eval.headline.strongAccuracy);
    withApgd.eval.grid.forEach((g, i) => {
      const p = pgdOnly.eval.grid[i];
      expect(g.attacks.pgd).toBe(p.attacks.pgd);
      expect(p.attacks.apgdCe).toBeNull();
      expect(p.accuracy).toBe(p.attacks.pgd);
      for (let s = 0; s < set.n; s++) expect(withApgd.gridMargins[i][s]).toBeLessThanOrEqual(pgdOnly.gridMargins[i][s]);
      expect(g.accuracy).toBeLessThanOrEqual(Math.min(g.attacks.pgd, g.attacks.apgdCe!, g.attacks.apgdMargin!));
      expect(g.accuracy).toBeGreaterThanOrEqual(0);
    });
  });

  it("APGD alone, with either loss, breaks at least as many samples as PGD-20 at every radius, and more at some", () => {
    let more = 0;
    for (const g of withApgd.eval.grid) {
      expect(g.attacks.apgdCe!).toBeLessThanOrEqual(g.attacks.pgd);
      expect(g.attacks.apgdMargin!).toBeLessThanOrEqual(g.attacks.pgd);
      if (g.attacks.apgdCe! < g.attacks.pgd) more++;
    }
    expect(more).toBeGreaterThan(0);
    // the grid is not trivial: robust accuracy falls from near clean to near zero
    expect(withApgd.eval.grid[0].accuracy).toBeGreaterThan(0.2);
  });

  it("grows robust accuracy with no radius, and folds the transfer attack in at the headline radius and above", () => {
    for (const norm of ["l2", "linf"] as const) {
      const acc = withApgd.eval.grid.filter((g) => g.norm === norm).map((g) => g.accuracy);
      for (let i = 1; i < acc.length; i++) expect(acc[i]).toBeLessThanOrEqual(acc[i - 1]);
    }
    const copy = structuredClone(withApgd);
    // a transfer that breaks every second sample
    const transferred = Float32Array.from({ length: set.n }, (_, i) => (i % 2 ? -1 : 1));
    withTransfer(copy, transferred);
    const h = copy.eval.headline;
    expect(h.transferAccuracy).toBe(0.5);
    let kept = 0;
    for (let s = 0; s < set.n; s += 2) if (withApgd.margins[s] > 0) kept++;
    expect(h.accuracy).toBe(kept / set.n);
    copy.eval.grid.forEach((g, i) => {
      const before = withApgd.eval.grid[i].accuracy;
      if (g.norm === h.norm && g.eps >= h.eps) expect(g.accuracy).toBeLessThanOrEqual(Math.min(before, 0.5));
      else expect(g.accuracy).toBe(before);
    });
  });
});
