// Where pre-training batches come from: fresh draws every step (population training) or minibatches
// of a fixed training set, reshuffled every epoch.
import { encode, labels, sampleCodes, sampleLabelled, type Task } from "./sparseCoding.js";
import type { BatchSource, LabelledData, SourceState } from "./dataset.js";
import type { Rng } from "../rng.js";
import type { Engine } from "../engine/wasm.js";
import { kernelBatches } from "./sparseCodingBatches.js";

/**
 * Pre-training batches of a task: fresh draws every step (nTrain = 0), by the engine's kernel when
 * one is given (bit-identical, faster), else in TypeScript; or minibatches of nTrain samples.
 */
export function batchSource(task: Task, nTrain: number, B: number, rng: Rng, engine?: Engine): BatchSource {
  if (nTrain > 0) return shuffledBatches(sampleLabelled(nTrain, task.dict, task.spec, task.theta, task.noise, rng), B, rng);
  return {
    next: engine ? kernelBatches(engine, task, B, rng) : typescriptBatches(task, B, rng),
    save: () => sourceState(rng, null, 0),
    load(s) {
      restoreSource(s, rng, null);
    },
  };
}

function typescriptBatches(task: Task, B: number, rng: Rng): (x: Float32Array, y: Float32Array) => void {
  const z = new Float64Array(B * task.spec.D);
  return (x, y) => {
    sampleCodes(B, task.spec, task.theta, rng, z);
    encode(z, B, task.dict, task.noise, rng, x);
    labels(z, B, task.theta, y);
  };
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
    save: () => sourceState(rng, order, pos),
    load(s) {
      pos = restoreSource(s, rng, order);
    },
  };
}

/** The state of a source drawing from rng; `order`: the epoch order of a fixed set (null: population draws). */
export function sourceState(rng: Rng, order: Int32Array | null, pos: number): SourceState {
  return { rng: rng.state(), order: order && order.slice(), pos };
}

/**
 * Puts a saved state back into a source built as sourceState's caller (the same `order` array, or
 * null) and returns the position; a state that does not fit is a TypeError.
 */
export function restoreSource(s: SourceState, rng: Rng, order: Int32Array | null): number {
  if (order === null) {
    if (s.order !== null) throw new TypeError("batch source state: population training has no sample order");
  } else {
    const n = order.length;
    if (!isPermutation(s.order, n)) throw new TypeError(`batch source state: the sample order must be a permutation of 0..${n - 1}`);
    if (!Number.isInteger(s.pos) || s.pos < 0 || s.pos > n)
      throw new TypeError(`batch source state: position must be an integer in [0, ${n}], got ${s.pos}`);
  }
  rng.restore(s.rng);
  if (order && s.order) order.set(s.order);
  return s.pos;
}

function isPermutation(a: Int32Array | null, n: number): a is Int32Array {
  if (!a || a.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const v of a) {
    if (v < 0 || v >= n || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}
