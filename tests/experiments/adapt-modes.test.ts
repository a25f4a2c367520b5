// The downstream adaptations (src/experiments/adapt.ts) on a case whose answer is known: a frozen
// identity encoder (h(x) = x) on data separated by x1 = ±2, so the most robust linear head is e1 with
// l2 margin exactly 2 on every sample: robust accuracy 1 below eps 2 and 0 above it, for any head.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { createEngine } from "../../src/engine/wasm.js";
import { allocWork } from "../../src/engine/layout.js";
import { allocTwoLayer, withHead } from "../../src/model/twoLayer.js";
import { allocEvalScratch, type LabelledSet } from "../../src/attacks/pgd.js";
import { evaluateModel } from "../../src/experiments/evaluate.js";
import { adaptModes } from "../../src/experiments/adapt.js";
import { headFitFlops, trainingStepFlops, forwardFlops } from "../../src/train/flops.js";
import type { Dataset, LabelledData } from "../../src/data/dataset.js";
import { runExperiment } from "../../src/api.js";
import { Rng } from "../../src/rng.js";

const d = 6;

function separable(n: number, rng: Rng): LabelledData {
  const x = new Float32Array(n * d),
    y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2 ? 1 : -1;
    x[i * d] = 2 * y[i];
    for (let j = 1; j < d; j++) x[i * d + j] = Math.fround(3 * rng.uniform() - 1.5);
  }
  return { x, y, n };
}

describe("downstream adaptations on a frozen identity encoder", async () => {
  const cfg = resolveConfig({
    data: { dim: d },
    model: { width: d },
    optim: { batch: 64, steps: 300, lr: 0.05 },
    adv: { steps: 5 },
    downstream: { n: 400, adapt: ["clean-linear", "adv-linear", "adv-full", "adv-scratch"], steps: 300 },
    eval: {
      n: 200,
      epsL2: [0.5, 2.5],
      epsLinf: [],
      radius: 0.5,
      radiusNorm: "l2",
      steps: 10,
      restarts: 1,
      strongSteps: 20,
      strongRestarts: 1,
    },
  });
  const engine = await createEngine({ backend: "simd" });
  const { arena } = engine;
  const rng = new Rng(7);
  const shape = { d, m: d, C: 1, activation: "symrelu" as const };
  const encoder = allocTwoLayer(arena, shape, false);
  for (let j = 0; j < d; j++) arena.f32(encoder.params.W)[j * d + j] = 1;
  // A clean head that leans on the noise coordinate x2: clean accuracy 1, but not robust at eps 0.5.
  const clean = withHead(arena, encoder, Float32Array.from([1, 1, 0, 0, 0, 0]), 0);
  const train = separable(400, rng.fork("train"));
  const test = separable(200, rng.fork("test"));
  const testSet: LabelledSet = { x: arena.alloc(test.x.length), y: arena.alloc(test.n), n: test.n };
  arena.f32(testSet.x).set(test.x);
  arena.f32(testSet.y).set(test.y);
  const scratch = allocEvalScratch(engine, allocWork(arena, shape, 200), d, null, true);
  const cleanEval = (await evaluateModel(engine, clean, testSet, cfg, null, scratch, rng.fork("eval"))).eval;
  const before = { W: arena.f32(encoder.params.W).slice(), thr: arena.f32(encoder.params.thr).slice() };
  const dataset = { downTrain: train, box: null } as unknown as Dataset;
  const results = await adaptModes({
    engine,
    encoder,
    cfg,
    dataset,
    test: testSet,
    scratch,
    root: rng,
    arm: "adv",
    control: {},
    clean: { model: clean, eval: cleanEval, iterations: 7, ms: 1 },
  });
  const byMode = Object.fromEntries(results.map((r) => [r.mode, r]));
  const robustAt = (mode: string, eps: number) => byMode[mode].eval.grid.find((g) => g.eps === eps)!.accuracy;

  it("runs the modes in the order asked, clean-linear being the given head", () => {
    expect(results.map((r) => r.mode)).toEqual(["clean-linear", "adv-linear", "adv-full", "adv-scratch"]);
    expect(byMode["clean-linear"].eval).toBe(cleanEval);
    expect(cleanEval.clean).toBe(1);
    expect(cleanEval.grid[0].accuracy).toBeLessThan(0.97);
  });

  it("adv-linear reaches the robust optimum through the frozen encoder and leaves it untouched", () => {
    expect(robustAt("adv-linear", 0.5)).toBe(1);
    expect(robustAt("adv-linear", 2.5)).toBe(0);
    expect(arena.f32(encoder.params.W)).toEqual(before.W);
    expect(arena.f32(encoder.params.thr)).toEqual(before.thr);
  });

  it("adv-full fine-tunes a copy of the whole network to the same answer", () => {
    expect(robustAt("adv-full", 0.5)).toBe(1);
    expect(robustAt("adv-full", 2.5)).toBeLessThan(0.05);
    expect(arena.f32(encoder.params.W)).toEqual(before.W);
  });

  it("adv-scratch learns the robust rule from a fresh initialisation in optim.steps steps", () => {
    expect(byMode["adv-scratch"].steps).toBe(cfg.optim.steps);
    expect(robustAt("adv-scratch", 0.5)).toBeGreaterThanOrEqual(0.98);
    expect(byMode["adv-scratch"].final!.adversarialAccuracy).toBeGreaterThan(0.9);
  });

  it("counts training FLOPs from shapes and steps", () => {
    const B = cfg.optim.batch;
    expect(byMode["clean-linear"].flops).toBe(headFitFlops(shape, 400, 7));
    expect(byMode["adv-linear"].flops).toBe(300 * trainingStepFlops(shape, B, 5, false));
    expect(byMode["adv-full"].flops).toBe(300 * trainingStepFlops(shape, B, 5, true));
    // By hand for d = m = 6, C = 1, B = 64: a forward pass is 2*64*6*7 = 5376 flops; an attack step
    // adds the backward to the input 2*64*6*7; training's backward 4*64*6 (+ 2*64*6*6 for W).
    expect(forwardFlops(shape, B)).toBe(5376);
    expect(trainingStepFlops(shape, B, 5, false)).toBe(5 * 2 * 5376 + 5376 + 1536);
    expect(trainingStepFlops(shape, B, 5, true) - trainingStepFlops(shape, B, 5, false)).toBe(4608);
  });
});

describe("adaptations in a run", () => {
  const tiny = {
    data: { dim: 12, sparsity: 2 },
    model: { width: 16 },
    optim: { steps: 20, batch: 48 },
    eval: { n: 60, epsL2: [0.2], epsLinf: [0.05], steps: 3, restarts: 1, strongSteps: 4, strongRestarts: 1 },
  };
  const strip = (r: Awaited<ReturnType<typeof runExperiment>>) => r.arms.map(({ timingsMs: _t, ...rest }) => rest);

  it("leave the clean head's numbers as they are, and are the same on every thread count", async () => {
    const plain = await runExperiment({ ...tiny, downstream: { n: 100 } });
    const adapt = { n: 100, adapt: ["clean-linear", "adv-linear", "adv-full", "adv-scratch"] as const, steps: 10, l2Sweep: [0, 5e-4] };
    const one = await runExperiment({ ...tiny, downstream: { ...adapt, adapt: [...adapt.adapt] }, threads: 1 });
    const two = await runExperiment({ ...tiny, downstream: { ...adapt, adapt: [...adapt.adapt] }, threads: 2 });
    expect(plain.arms.map((a) => a.adaptations.map((x) => x.mode))).toEqual([["clean-linear"], ["clean-linear"]]);
    expect(Object.keys(one.arms[0].timingsMs.adaptTraining)).toEqual(adapt.adapt);
    for (let i = 0; i < 2; i++) {
      expect(one.arms[i].downstream).toEqual(plain.arms[i].downstream);
      expect(one.arms[i].pretrained).toEqual(plain.arms[i].pretrained);
      // The sweep's point at the run's own penalty is the run's own head.
      const own = one.arms[i].headSensitivity.find((p) => p.l2 === 5e-4)!;
      expect(own.downstream.clean).toBe(one.arms[i].downstream.clean);
      expect(own.downstream.fit).toEqual(one.arms[i].downstream.fit);
    }
    expect(strip(two)).toEqual(strip(one));
  }, 120_000);
});
