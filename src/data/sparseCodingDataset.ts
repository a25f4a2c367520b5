// The synthetic dataset of paper.md §1: one dictionary shared by a pre-training task and a
// downstream task whose labels read the same latent features through different directions.
import type { Config } from "../config/types.js";
import { featureCount } from "../config/validate.js";
import { makeDictionary } from "./dictionary.js";
import { labelDirection, sampleLabelled, type LatentSpec } from "./sparseCoding.js";
import { batchSource, type Task } from "./source.js";
import type { Dataset } from "./dataset.js";
import { denseDirection, pairSource } from "./views.js";
import type { Rng } from "../rng.js";

/** The two labelling tasks of a config (the stream labels fix them, whatever else draws). */
export function sparseCodingTasks(cfg: Config, root: Rng): { pre: Task; down: Task } {
  const D = featureCount(cfg);
  const dict = makeDictionary(cfg.data.dictionary, cfg.data.dim, D, root.fork("dictionary"));
  const spec: LatentSpec = { D, k: cfg.data.sparsity, magnitude: cfg.data.magnitude, magnitudeLow: cfg.data.magnitudeLow };
  const pre: Task = { dict, spec, theta: labelDirection(D, 1, root.fork("theta")), noise: cfg.data.noise };
  const down: Task = { ...pre, theta: labelDirection(D, cfg.data.downstreamSubset, root.fork("theta-downstream")) };
  return { pre, down };
}

export function sparseCodingDataset(cfg: Config, root: Rng): Dataset {
  const { pre, down } = sparseCodingTasks(cfg, root);
  const sample = (n: number, t: Task, label: string) => sampleLabelled(n, t.dict, t.spec, t.theta, t.noise, root.fork(label));
  return {
    d: cfg.data.dim,
    truth: { dict: pre.dict, theta: pre.theta },
    box: null,
    pretrainBatches: (B, rng) => batchSource(pre, cfg.data.nTrain, B, rng),
    pairBatches: (B, views, rng) => pairSource(pre, cfg.data.nTrain, B, views, views.sharedDense > 0 ? denseDirection(cfg.data.dim, root.fork("dense-direction")) : null, rng),
    preTest: sample(cfg.eval.n, pre, "test-pretrain"),
    preTrain: sample(cfg.downstream.n, pre, "train-pretrain"),
    downTrain: sample(cfg.downstream.n, down, "train-downstream"),
    downTest: sample(cfg.eval.n, down, "test-downstream"),
  };
}
