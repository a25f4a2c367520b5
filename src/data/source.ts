// Where pre-training batches come from: fresh draws every step (population training) or minibatches
// of a fixed training set, reshuffled every epoch.
import type { Dictionary } from "./dictionary.js";
import { encode, labels, sampleCodes, sampleLabelled, type LatentSpec } from "./sparseCoding.js";
import type { LabelledData } from "./dataset.js";
import type { Rng } from "../rng.js";

/** One labelling task on the sparse-coding data: the dictionary is shared, the label rule is not. */
export interface Task {
  dict: Dictionary;
  spec: LatentSpec;
  theta: Float64Array;
  noise: number;
}

export interface BatchSource {
  /** Fills x (B,d) and y (B) with the next batch. */
  next(x: Float32Array, y: Float32Array): void;
}

export function batchSource(task: Task, nTrain: number, B: number, rng: Rng): BatchSource {
  if (nTrain === 0) {
    const z = new Float64Array(B * task.spec.D);
    return {
      next(x, y) {
        sampleCodes(B, task.spec, task.theta, rng, z);
        encode(z, B, task.dict, task.noise, rng, x);
        labels(z, B, task.theta, y);
      },
    };
  }
  return shuffledBatches(sampleLabelled(nTrain, task.dict, task.spec, task.theta, task.noise, rng), B, rng);
}

/** Minibatches of a fixed labelled set, reshuffled every epoch. */
export function shuffledBatches(set: LabelledData, B: number, rng: Rng): BatchSource {
  const n = set.n;
  const d = set.x.length / n;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let pos = n;
  return {
    next(x, y) {
      for (let b = 0; b < B; b++) {
        if (pos === n) {
          rng.shuffle(order);
          pos = 0;
        }
        const s = order[pos++];
        x.set(set.x.subarray(s * d, (s + 1) * d), b * d);
        y[b] = set.y[s];
      }
    },
  };
}
