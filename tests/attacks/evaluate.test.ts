// The evaluation's composition rules: an attack continued from a prior at a larger radius never
// reports more robust samples than the prior, and samples the prior broke are not attacked again.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { createEngine } from "../../src/engine/wasm.js";
import { allocWork } from "../../src/engine/layout.js";
import { allocTwoLayer, initTwoLayer } from "../../src/model/twoLayer.js";
import { allocEvalScratch, robustAccuracy, type LabelledSet } from "../../src/attacks/pgd.js";
import { gridAttack, evaluateModel } from "../../src/experiments/evaluate.js";
import { makeDataset } from "../../src/data/datasets.js";
import { Rng } from "../../src/rng.js";

describe("robust evaluation", async () => {
  const cfg = resolveConfig({
    data: { dim: 16 },
    model: { width: 24, initStd: 0.3, headInitStd: 0.3 },
    eval: { n: 200, epsL2: [0.05, 0.3, 3], epsLinf: [0.02, 0.2], strongSteps: 30, strongRestarts: 2 },
  });
  const engine = await createEngine({ backend: "simd" });
  const { arena } = engine;
  const root = new Rng(3);
  const data = await makeDataset(cfg, root);
  const shape = { d: 16, m: 24, C: 1, activation: "symrelu" as const };
  const net = allocTwoLayer(arena, shape, false);
  initTwoLayer(arena, net, cfg.model, root.fork("init"));
  const scratch = allocEvalScratch(engine, allocWork(arena, shape, 64), 16, null, true);
  const x = arena.alloc(data.preTest.x.length),
    y = arena.alloc(data.preTest.n);
  arena.f32(x).set(data.preTest.x);
  arena.f32(y).set(data.preTest.y);
  const set: LabelledSet = { x, y, n: data.preTest.n };

  it("continuing from a prior keeps its broken samples broken and its perturbations", async () => {
    const small = await robustAccuracy(engine, net, set, gridAttack(cfg, "l2", 0.3, null), scratch, new Rng(1));
    const big = await robustAccuracy(engine, net, set, gridAttack(cfg, "l2", 1, null), scratch, new Rng(2), small);
    expect(small.accuracy).toBeGreaterThan(0);
    expect(big.accuracy).toBeLessThan(small.accuracy);
    for (let i = 0; i < set.n; i++) {
      if (small.margins[i] <= 0) {
        expect(big.margins[i]).toBe(small.margins[i]);
        expect(Array.from(big.worst.subarray(i * 16, (i + 1) * 16))).toEqual(Array.from(small.worst.subarray(i * 16, (i + 1) * 16)));
      } else expect(big.margins[i]).toBeLessThanOrEqual(small.margins[i]);
    }
  });

  it("the grid falls with eps, reaches zero at a large radius, and the strong check never exceeds PGD", async () => {
    const e = (await evaluateModel(engine, net, set, cfg, null, scratch, new Rng(4))).eval;
    for (const norm of ["l2", "linf"] as const) {
      const acc = e.grid.filter((g) => g.norm === norm).map((g) => g.accuracy);
      for (let i = 1; i < acc.length; i++) expect(acc[i]).toBeLessThanOrEqual(acc[i - 1]);
      expect(acc[0]).toBeLessThanOrEqual(e.clean);
    }
    expect(e.grid.find((g) => g.norm === "l2" && g.eps === 3)!.accuracy).toBeLessThan(0.05);
    // the headline radius 0.2 is not on the grid but is chained between its neighbours 0.05 and 0.3
    const at = (eps: number) => e.grid.find((g) => g.norm === "l2" && g.eps === eps)!.accuracy;
    expect(e.headline.accuracy).toBeLessThanOrEqual(at(0.05));
    expect(e.headline.accuracy).toBeGreaterThanOrEqual(at(0.3));
    // the strong check continues from PGD; the reported number is the worst case over every attack
    expect(e.headline.strongAccuracy).toBeLessThanOrEqual(e.headline.attacks.pgd);
    expect(e.headline.accuracy).toBeLessThanOrEqual(e.headline.strongAccuracy);
  });

  it("attacks in calls of a few rows at a time give the bits of one call over the whole chunk", async () => {
    for (const norm of ["l2", "linf"] as const) {
      const attack = gridAttack(cfg, norm, norm === "l2" ? 0.3 : 0.05, null);
      const run = async (callRows: number) => {
        const r = await robustAccuracy(engine, net, set, attack, { ...scratch, callRows }, new Rng(7));
        return [r.accuracy, Array.from(r.margins), Array.from(r.worst)];
      };
      const whole = await run(64);
      expect(whole[0]).toBeGreaterThan(0);
      expect(whole[0]).toBeLessThan(1);
      for (const rows of [1, 5, 24]) expect(await run(rows)).toEqual(whole);
    }
  });

  it("stops between attack calls when its signal is aborted, with the signal's reason", async () => {
    const stop = new AbortController();
    stop.abort(new Error("stop here"));
    await expect(evaluateModel(engine, net, set, cfg, null, scratch, new Rng(4), { signal: stop.signal })).rejects.toThrow("stop here");
  });
});
