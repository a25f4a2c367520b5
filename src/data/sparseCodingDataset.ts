// The synthetic dataset of docs/model.md ("Data"): one dictionary shared by a pre-training task and a
// downstream task whose labels read the same latent features through different directions.
import type { Config } from "../config/types.js";
import { featureCount } from "../config/validate.js";
import { makeDictionary } from "./dictionary.js";
import { labelDirection, sampleLabelled, type LatentSpec, type Task } from "./sparseCoding.js";
import { batchSource } from "./source.js";
import type { Dataset } from "./dataset.js";
import { denseDirection, pairSource } from "./views.js";
import type { Rng } from "../rng.js";

/** The two labelling tasks of a config (the stream labels fix them, whatever else draws). */
export function sparseCodingTasks(cfg: Config, root: Rng): { pre: Task; down: Task } {
  const D = featureCount(cfg);
  const dict = makeDictionary(cfg.data.dictionary, cfg.data.dim, D, root.fork("dictionary"));
  const spec: LatentSpec = { D, k: cfg.data.sparsity, magnitude: cfg.data.magnitude, magnitudeLow: cfg.data.magnitudeLow };
  const pre: Task = { dict, spec, theta: labelDirection(D, 1, root.fork("theta")), noise: cfg.data.noise };
  return { pre, down: downstreamTask(cfg, pre, root) };
}

/**
 * A downstream task on the data of `pre`: the same dictionary and latent model, the label direction
 * theta' drawn from `taskRoot` (the experiment's root gives the config's own downstream task).
 */
export function downstreamTask(cfg: Config, pre: Task, taskRoot: Rng): Task {
  return { ...pre, theta: labelDirection(pre.spec.D, cfg.data.downstreamSubset, taskRoot.fork("theta-downstream")) };
}

export function sparseCodingDataset(cfg: Config, root: Rng): Dataset {
  return tasksDataset(cfg, root, sparseCodingTasks(cfg, root), root);
}

/** The dataset of given tasks: pre-training samples from `root`, downstream samples from `taskRoot`. */
export function tasksDataset(cfg: Config, root: Rng, { pre, down }: { pre: Task; down: Task }, taskRoot: Rng): Dataset {
  const sample = (n: number, t: Task, r: Rng, label: string) => sampleLabelled(n, t.dict, t.spec, t.theta, t.noise, r.fork(label));
  return {
    d: cfg.data.dim,
    truth: { dict: pre.dict, theta: pre.theta },
    box: null,
    pretrainBatches: (B, rng, engine) => batchSource(pre, cfg.data.nTrain, B, rng, engine),
    pairBatches: (B, views, rng, engine) =>
      pairSource(
        pre,
        cfg.data.nTrain,
        B,
        views,
        views.sharedDense > 0 ? denseDirection(cfg.data.dim, root.fork("dense-direction")) : null,
        rng,
        engine,
      ),
    preTest: sample(cfg.eval.n, pre, root, "test-pretrain"),
    preTrain: sample(cfg.downstream.n, pre, root, "train-pretrain"),
    downTrain: sample(cfg.downstream.n, down, taskRoot, "train-downstream"),
    downTest: sample(cfg.eval.n, down, taskRoot, "test-downstream"),
  };
}
