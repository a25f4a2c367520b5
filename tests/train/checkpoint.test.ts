// Resuming from any checkpoint ends with exactly the result of an uninterrupted run, for the training
// variants whose state differs (fixed training set, SGD, output bias, fixed head and thresholds, the
// contrastive objectives);
// an interrupt (AbortSignal) leaves a checkpoint at the step it stopped; the encoder workflow
// reproduces `run`'s numbers and adapts to new tasks.
import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../../src/config/validate.js";
import type { Config, DeepPartial } from "../../src/config/types.js";
import { runExperiment, runDownstream, pretrainEncoder, decodeEncoder, encodeEncoder, type ExperimentResult } from "../../src/api.js";
import { decodeCheckpoint } from "../../src/io/checkpointFile.js";

const base: DeepPartial<Config> = {
  seed: 11,
  data: { dim: 10, sparsity: 2 },
  model: { width: 8 },
  optim: { steps: 24, batch: 16 },
  downstream: { n: 60 },
  eval: { n: 40, epsL2: [0.3], epsLinf: [0.05], steps: 3, restarts: 1, strongSteps: 4, strongRestarts: 1 },
  logEvery: 5,
};

/** The result without its wall-clock timings, which are the only numbers allowed to differ. */
function numbers(r: ExperimentResult) {
  return JSON.stringify({ ...r, timingsMs: null, arms: r.arms.map((a) => ({ ...a, timingsMs: null })) });
}

async function checkpointsOf(cfg: Config, every: number): Promise<{ result: ExperimentResult; files: Uint8Array[] }> {
  const files: Uint8Array[] = [];
  const result = await runExperiment(cfg, { checkpoint: { every, write: (b) => files.push(b) } });
  return { result, files };
}

describe("resuming from checkpoints", () => {
  it.each<[string, DeepPartial<Config>]>([
    ["population training, Adam, both arms", {}],
    ["a fixed training set (epoch order and position), SGD", { data: { nTrain: 40 }, optim: { optimizer: "sgd" } }],
    [
      "output bias, fixed head and thresholds, linf FGM",
      { model: { outputBias: true, trainHead: false, trainThreshold: false }, adv: { attack: "fgm", norm: "linf", eps: 0.1 } },
    ],
    ["contrastive NT-Xent, RoCL with the clean pair", { mode: "contrastive", contrastive: { keepClean: true } }],
    [
      "contrastive spectral, a fixed set of codes, dropout views, trained thresholds",
      { mode: "contrastive", data: { nTrain: 40 }, model: { trainThreshold: true }, contrastive: { loss: "spectral", views: "dropout" } },
    ],
  ])("%s: every checkpoint resumes to the uninterrupted result", async (_what, variant) => {
    const cfg = resolveConfig(base, variant);
    const plain = numbers(await runExperiment(cfg));
    const { result, files } = await checkpointsOf(cfg, 7);
    expect(numbers(result)).toBe(plain); // checkpointing itself changes nothing
    // steps 7, 14, 21 and the end of each arm
    expect(
      files.map((f) =>
        Object.entries(decodeCheckpoint(f).arms)
          .map(([a, s]) => `${a}:${s!.step}`)
          .join(","),
      ),
    ).toEqual(["clean:7", "clean:14", "clean:21", "clean:24", "clean:24,adv:7", "clean:24,adv:14", "clean:24,adv:21", "clean:24,adv:24"]);
    for (const f of files) {
      const resumed = await runExperiment(cfg, { checkpoint: { every: 7, resume: f, write: () => {} } });
      expect(numbers(resumed)).toBe(plain);
    }
  });

  it("an interrupt writes a checkpoint at the step it stopped, and resuming from it completes the run", async () => {
    const cfg = resolveConfig(base, { train: "adv", optim: { steps: 400 } });
    const plain = numbers(await runExperiment(cfg));
    const stop = new AbortController();
    const files: Uint8Array[] = [];
    let steps = 0;
    const run = runExperiment(cfg, {
      signal: stop.signal,
      onProgress: (p) => p.phase === "pretrain" && ++steps === 150 && stop.abort(new Error("stop")),
      checkpoint: { every: 0, write: (b) => files.push(b) },
    });
    await expect(run).rejects.toThrow("stop");
    expect(files).toHaveLength(1);
    const step = decodeCheckpoint(files[0]).arms.adv!.step;
    expect(step).toBeGreaterThanOrEqual(150);
    expect(step).toBeLessThan(400);
    expect(numbers(await runExperiment(cfg, { checkpoint: { every: 0, resume: files[0], write: () => {} } }))).toBe(plain);
  });

  it("refuses to resume a checkpoint of another configuration, naming the fields", async () => {
    const cfg = resolveConfig(base, { train: "clean" });
    const { files } = await checkpointsOf(cfg, 10);
    const other = resolveConfig(cfg, { model: { width: 9 }, optim: { lr: 0.02 } });
    const err = await runExperiment(other, { checkpoint: { every: 10, resume: files[0], write: () => {} } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(["model.width", "optim.lr"]);
  });
});

describe("pre-train once, adapt many", () => {
  const cfg = resolveConfig(base, { train: "adv" });

  it("the encoder's own downstream task gives exactly the numbers of run", async () => {
    const run = await runExperiment(cfg);
    const enc = decodeEncoder(encodeEncoder(await pretrainEncoder(cfg)));
    const down = await runDownstream(enc);
    expect(down.config).toEqual(cfg);
    expect(down.task.seed).toBeNull();
    expect(JSON.stringify({ ...down.arm, timingsMs: null })).toBe(JSON.stringify({ ...run.arms[0], timingsMs: null }));
  });

  it("other task seeds and feature subsets give other, reproducible tasks on the same frozen encoder", async () => {
    const enc = await pretrainEncoder(cfg);
    const own = await runDownstream(enc);
    const [a, b, c] = await Promise.all(
      [7, 7, 8].map((taskSeed) => runDownstream(enc, { taskSeed, overrides: { data: { downstreamSubset: 0.5 } } })),
    );
    const downstream = (r: typeof a) => JSON.stringify(r.arm.downstream);
    expect(downstream(a)).toBe(downstream(b));
    expect(downstream(a)).not.toBe(downstream(c));
    expect(downstream(a)).not.toBe(downstream(own));
    // the frozen encoder and its own task are untouched
    expect(a.arm.pretrained).toEqual(own.arm.pretrained);
    expect(a.arm.neurons).toEqual(own.arm.neurons);
  });

  it("refuses changes to how the encoder was trained, and both arms at once", async () => {
    const enc = await pretrainEncoder(cfg);
    const err = await runDownstream(enc, { overrides: { model: { width: 3 }, eval: { n: 30 } } }).catch((e: unknown) => e);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(["model.width"]);
    await expect(pretrainEncoder({ ...cfg, train: "both" })).rejects.toThrow(/choose clean or adv/);
  });
});
