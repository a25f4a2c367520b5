// Contrastive pre-training end to end through the public API, on a tiny configuration.
import { describe, expect, it } from "vitest";
import { runExperiment, type DeepPartial, type Config } from "../../src/api.js";
import { retrievalAccuracy } from "../../src/train/contrastive.js";

const tiny: DeepPartial<Config> = {
  mode: "contrastive",
  data: { dim: 12, sparsity: 2 },
  model: { width: 16 },
  optim: { steps: 60, batch: 32 },
  downstream: { n: 200 },
  eval: { n: 100, epsL2: [0.2, 1], epsLinf: [0.05], strongSteps: 10, strongRestarts: 1 },
  logEvery: 10,
};
const strip = (r: Awaited<ReturnType<typeof runExperiment>>) => ({ ...r, timingsMs: 0, arms: r.arms.map((a) => ({ ...a, timingsMs: 0 })) });

describe("contrastive experiment", () => {
  it("runs both arms, scores the encoder through a linear probe, and repeats its numbers", async () => {
    const a = await runExperiment(tiny);
    const b = await runExperiment(tiny);
    expect(strip(a)).toEqual(strip(b));
    expect(a.config.model).toMatchObject({ thresholdInit: 0.3, trainThreshold: false, initStd: 0.1 });
    for (const arm of a.arms) {
      expect(arm.pretrained.probe).toBeDefined();
      expect(arm.downstream.fit).toBeDefined();
      expect(arm.thresholds.mean).toBeCloseTo(0.3, 6); // fixed
      expect(arm.purity).not.toBeNull();
      // contrastive training learns to pick the positive out of the batch
      const first = arm.curve[0],
        last = arm.curve[arm.curve.length - 1];
      expect(last.cleanAccuracy).toBeGreaterThan(first.cleanAccuracy);
      expect(arm.pretrained.clean).toBeGreaterThan(0.6);
    }
    const clean = a.arms[0],
      adv = a.arms[1];
    expect(clean.curve.every((p) => p.adversarialAccuracy === null)).toBe(true);
    // the attack on view 1 makes the positive harder to retrieve
    const mean = (f: (p: (typeof adv.curve)[number]) => number) => adv.curve.reduce((s, p) => s + f(p), 0) / adv.curve.length;
    expect(mean((p) => p.adversarialAccuracy!)).toBeLessThan(mean((p) => p.cleanAccuracy));
  });

  it("supports the spectral loss, unnormalised representations, every view kind and the RoCL clean term", async () => {
    const runs = await Promise.all([
      runExperiment({ ...tiny, train: "adv", contrastive: { loss: "spectral", normalize: false, views: "noise", keepClean: true } }),
      runExperiment({ ...tiny, train: "clean", contrastive: { views: "mask", sharedDense: 0.3 } }),
      runExperiment({ ...tiny, train: "clean", contrastive: { views: "dropout", keepProb: 0.5 } }),
    ]);
    for (const r of runs) {
      expect(r.arms).toHaveLength(1);
      expect(Number.isFinite(r.arms[0].curve.at(-1)!.loss)).toBe(true);
      expect(r.arms[0].pretrained.probe).toBeDefined();
    }
  });

  it("leaves supervised results without a probe", async () => {
    const r = await runExperiment({ ...tiny, mode: "supervised", train: "clean" });
    expect(r.arms[0].pretrained.probe).toBeUndefined();
    expect(r.config.model.thresholdInit).toBe(0);
  });
});

describe("retrievalAccuracy", () => {
  it("counts rows whose most similar other row is their positive", () => {
    // NT-Xent probabilities for B = 2 (rows 0,1 view 1; rows 2,3 view 2): rows 0 and 3 right, 1 and 2 wrong
    const p = [0, 0.1, 0.8, 0.1, /**/ 0.5, 0, 0.2, 0.3, /**/ 0.3, 0.6, 0, 0.1, /**/ 0.1, 0.7, 0.2, 0];
    expect(retrievalAccuracy(Float32Array.from(p), 2, "ntxent")).toBe(0.5);
    // spectral: C = z1 z2ᵀ (B,B); row i should pick column i
    expect(retrievalAccuracy(Float32Array.from([1, 0.2, 0.9, 0.1]), 2, "spectral")).toBe(0.5);
    expect(retrievalAccuracy(Float32Array.from([1, 0.2, 0.1, 0.9]), 2, "spectral")).toBe(1);
  });
});
