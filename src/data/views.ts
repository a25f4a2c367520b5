// Positive pairs for contrastive pre-training on the sparse-coding data (docs/model.md, "Pre-training"): two
// views of one latent code z. The sample's own noise xi (data.noise) and the optional shared dense
// component s u are drawn once per sample and appear in both views (masked with it under "mask").
//   identical  x1 = x2 = M z + xi + s u                          (the PyTorch reference setting)
//   noise      x_v = M z + xi + s u + viewNoise * N(0, I), independently per view   (Option B)
//   dropout    x_v = M (z ∘ keep_v) + xi + s u, each active feature kept with probability keepProb per view
//   mask       x1 = 2 D x, x2 = 2 (I - D) x, D a random 0/1 diagonal per sample  (Wen & Li, Option A)
import type { PairSource, ViewSpec } from "./dataset.js";
import { encode, sampleCodes, type Task } from "./sparseCoding.js";
import { restoreSource, sourceState } from "./source.js";
import type { Rng } from "../rng.js";
import type { Engine } from "../engine/wasm.js";
import { kernelDraws } from "./sparseCodingBatches.js";

/** A uniformly random unit direction in R^d: the dense feature u. */
export function denseDirection(d: number, rng: Rng): Float64Array {
  const u = new Float64Array(d);
  do rng.fillNormal(u);
  while (!u.some((v) => v !== 0));
  const n = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
  return u.map((v) => v / n);
}

/**
 * Pairs of views of the task's samples: fresh codes every batch (nTrain = 0), or minibatches of a
 * fixed set of nTrain codes, reshuffled every epoch, with fresh views each time.
 */
export function pairSource(
  task: Task,
  nTrain: number,
  B: number,
  spec: ViewSpec,
  u: Float64Array | null,
  rng: Rng,
  engine?: Engine,
): PairSource {
  const { D } = task.spec;
  const d = task.dict.d;
  const z = new Float64Array(B * D);
  const z2 = new Float64Array(B * D);
  const shared = new Float32Array(B * d);
  const codes = nTrain > 0 ? sampleCodes(nTrain, task.spec, task.theta, rng) : null;
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  let pos = nTrain;
  // Fresh codes drawn by the engine, which also encodes them without noise (the first view before
  // the shared part): the same draws and bits as sampleCodes then encode (sparseCodingBatches.ts).
  const drawn = !codes && engine ? kernelDraws(engine, { ...task, noise: 0 }, B, rng) : null;
  /** The batch's codes into z; true when x1 already holds their noiseless encoding. */
  const nextCodes = (x1: Float32Array): boolean => {
    if (drawn) {
      drawn.draw();
      if (spec.views === "dropout") z.set(drawn.z());
      else x1.set(drawn.x());
      return true;
    }
    if (!codes) {
      sampleCodes(B, task.spec, task.theta, rng, z);
      return false;
    }
    for (let b = 0; b < B; b++) {
      if (pos === nTrain) {
        rng.shuffle(order);
        pos = 0;
      }
      const s = order[pos++];
      z.set(codes.subarray(s * D, (s + 1) * D), b * D);
    }
    return false;
  };
  // xi + s u for every sample, in `shared`
  const sharedPart = () => {
    if (task.noise > 0) rng.fillNormal(shared, task.noise);
    else shared.fill(0);
    if (!u || spec.sharedDense === 0) return;
    for (let b = 0; b < B; b++) {
      const s = spec.sharedDense * rng.normal();
      for (let i = 0; i < d; i++) shared[b * d + i] += s * u[i];
    }
  };
  const add = (x: Float32Array, v: Float32Array) => {
    for (let i = 0; i < B * d; i++) x[i] += v[i];
  };
  const fixedOrder = codes ? order : null;
  return {
    save: () => sourceState(rng, fixedOrder, pos),
    load(s) {
      const at = restoreSource(s, rng, fixedOrder);
      if (fixedOrder) pos = at;
    },
    next(x1, x2) {
      const encoded = nextCodes(x1);
      if (spec.views === "dropout") {
        dropFeatures(z, z2, spec.keepProb, rng);
        encode(z2, B, task.dict, 0, rng, x1);
        dropFeatures(z, z2, spec.keepProb, rng);
        encode(z2, B, task.dict, 0, rng, x2);
        sharedPart();
        add(x1, shared);
        add(x2, shared);
        return;
      }
      if (!encoded) encode(z, B, task.dict, 0, rng, x1);
      sharedPart();
      add(x1, shared);
      if (spec.views === "mask") {
        for (let i = 0; i < B * d; i++) {
          const keep = rng.nextU32() & 1;
          x2[i] = keep ? 0 : 2 * x1[i];
          x1[i] = keep ? 2 * x1[i] : 0;
        }
        return;
      }
      x2.set(x1.subarray(0, B * d));
      if (spec.views === "noise" && spec.viewNoise > 0) {
        for (const x of [x1, x2]) {
          const v = x.subarray(0, B * d);
          for (let i = 0; i < v.length; i++) v[i] += spec.viewNoise * rng.normal();
        }
      }
    },
  };
}

/** out = z with each non-zero entry kept with probability keep (zeroed otherwise). */
function dropFeatures(z: Float64Array, out: Float64Array, keep: number, rng: Rng): void {
  const threshold = keep * 4294967296;
  for (let i = 0; i < z.length; i++) out[i] = z[i] !== 0 && rng.nextU32() < threshold ? z[i] : 0;
}
