// Failure handling before and during a run: configurations too large for the WASM memory are refused
// before anything is allocated (the estimate bounds the real arena use), and divergence stops
// training with what diverged, at which step, and what to try.
import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../../src/config/validate.js";
import type { Config, DeepPartial } from "../../src/config/types.js";
import { ENGINE_MEMORY_LIMIT_BYTES } from "../../src/config/limits.js";
import { estimateArenaBytes } from "../../src/experiments/memoryBudget.js";
import { adaptAndEvaluate, pretrainArm } from "../../src/experiments/experiment.js";
import { makeDataset } from "../../src/data/datasets.js";
import { Rng } from "../../src/rng.js";
import { checkLoss, checkTensor, DivergenceError } from "../../src/train/divergence.js";
import { runExperiment } from "../../src/api.js";
import { runnableConfig } from "../../src/experiments/plan.js";

const small: DeepPartial<Config> = {
  data: { dim: 10, sparsity: 2 },
  model: { width: 8 },
  optim: { steps: 3, batch: 16 },
  downstream: { n: 50 },
  eval: { n: 30, epsL2: [0.3], epsLinf: [], steps: 2, restarts: 1, strongSteps: 2, strongRestarts: 1 },
};

describe("WASM memory budget", () => {
  it.each<[string, DeepPartial<Config>]>([
    ["small", {}],
    ["wide with Adam", { model: { width: 300, outputBias: true } }],
    ["large batch, SGD, fixed head", { optim: { batch: 700, optimizer: "sgd" }, model: { trainHead: false } }],
    ["large evaluation in small chunks", { eval: { n: 3000, chunk: 64 }, downstream: { n: 1500 }, data: { dim: 37, sparsity: 3 } }],
    ["contrastive, NT-Xent (a large similarity matrix)", { mode: "contrastive", optim: { batch: 300 } }],
    [
      "contrastive, spectral, not normalised",
      { mode: "contrastive", optim: { batch: 300 }, contrastive: { loss: "spectral", normalize: false } },
    ],
  ])("%s: the estimate bounds the arena's peak use, closely", async (_what, variant) => {
    const cfg = resolveConfig(small, { train: "adv" }, variant);
    const root = new Rng(cfg.seed);
    const dataset = await makeDataset(cfg, root);
    const pre = await pretrainArm(cfg, dataset, root, "adv");
    await adaptAndEvaluate(pre, cfg, dataset, root);
    const used = pre.engine.arena.peak;
    const estimate = estimateArenaBytes(cfg);
    expect(estimate).toBeGreaterThanOrEqual(used);
    expect(estimate - used).toBeLessThan(65536 + 0.05 * used); // static data and alignment are the slack
  });

  it.each<[DeepPartial<Config>, string]>([
    [{ eval: { n: 1_000_000 }, data: { dim: 1000 } }, "eval.n"],
    [{ model: { width: 65536 }, data: { dim: 4096 } }, "model.width"],
    [{ optim: { batch: 65536 }, data: { dim: 4096 } }, "optim.batch"],
  ])("refuses %j before allocating, naming the largest part and the limit", (layer, path) => {
    let err: unknown;
    try {
      runnableConfig(layer);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const issue = (err as ConfigError).issues.find((i) => i.message.includes("WASM memory"))!;
    expect(issue.path).toBe(path);
    expect(issue.message).toContain(`over the limit of ${ENGINE_MEMORY_LIMIT_BYTES / 2 ** 20}.0 MiB`);
    expect(issue.message).toContain(`reduce ${path}`);
  });

  it("the default configuration fits with room to spare", () => {
    expect(estimateArenaBytes(resolveConfig({}))).toBeLessThan(ENGINE_MEMORY_LIMIT_BYTES / 20);
  });
});

describe("divergence", () => {
  const cfg = resolveConfig(small);

  it("a run with an absurd learning rate stops with the step, what diverged and what to try", async () => {
    const err = await runExperiment(
      resolveConfig(small, { train: "clean", optim: { lr: 100, steps: 200, optimizer: "sgd", momentum: 0.99 }, model: { initStd: 50 } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    const e = err as DivergenceError;
    expect(e.step).toBeGreaterThan(0);
    expect(e.message).toMatch(new RegExp(`^training diverged at step ${e.step}: `));
    expect(e.message).toContain("--lr, now 100");
    expect(e.message).toContain("--momentum, now 0.99");
  });

  it.each<[string, Float32Array, number, RegExp]>([
    ["a NaN threshold", Float32Array.from([0, NaN, 1]), 3, /the parameter thr has a non-finite entry \(NaN\) at index 1/],
    ["an infinite head weight", Float32Array.from([1, -Infinity]), 2, /non-finite entry \(-Infinity\) at index 1/],
    ["an exploded row", Float32Array.from([1, 2, 3e6, 4e6]), 2, /largest row norm of the parameter thr reached 5\.00e\+6/],
    // The first bad entry of the first bad row, after a row that only exploded; the largest f32s square to finite f64s.
    [
      "the first non-finite entry",
      Float32Array.from([3e38, -3e38, 1, 2, 5, Infinity, NaN, 0]),
      4,
      /non-finite entry \(Infinity\) at index 5/,
    ],
  ])("checkTensor reports %s", (_what, values, rowLength, message) => {
    expect(() => checkTensor(9, "the parameter thr", values, cfg, rowLength)).toThrow(message);
  });

  it("finite tensors and losses pass", () => {
    expect(() => checkTensor(1, "W", Float32Array.from([1, -2, 3]), cfg, 3)).not.toThrow();
    expect(() => checkLoss(1, 0.69, cfg)).not.toThrow();
    expect(() => checkLoss(4, Infinity, cfg)).toThrow("training diverged at step 4: the loss became Infinity");
  });
});
