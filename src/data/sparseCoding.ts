// Samples of the sparse-coding data model x = M z + xi with labels y = sign(<theta, z>) (docs/model.md, "Data").
//
// This runs once per training step (n = 256, D = d = 100), so nothing here allocates per sample:
// every function writes into an `out` buffer the caller may reuse. An `out` longer than needed is
// used from its start and returned as a view of the used part.
import type { Dictionary } from "./dictionary.js";
import type { Rng } from "../rng.js";

/** Each of D coordinates is active with probability k/D; an active value is ±1 ("sign") or ±U[magnitudeLow, 1] ("uniform"). */
export interface LatentSpec {
  D: number;
  k: number;
  magnitude: "sign" | "uniform";
  magnitudeLow: number;
}

/** One labelling task on the sparse-coding data: the dictionary is shared, the label rule is not. */
export interface Task {
  dict: Dictionary;
  spec: LatentSpec;
  theta: Float64Array;
  noise: number;
}

export interface Labelled {
  x: Float32Array;
  y: Float32Array;
  z: Float64Array;
  n: number;
}

/** A sample whose codes never give theta·z != 0 would loop forever; past this many redraws we give up. */
export const MAX_TIE_REDRAWS = 1_000_000;

/**
 * theta in {±1}^D. With subsetFraction < 1 only round(subsetFraction * D) (at least 1) coordinates,
 * chosen at random, are ±1 and the rest 0: a downstream task that reads a subset of the features.
 */
export function labelDirection(D: number, subsetFraction: number, rng: Rng): Float64Array {
  checkCount("labelDirection: D", D, 1);
  if (!(subsetFraction >= 0 && subsetFraction <= 1))
    throw new RangeError(`labelDirection: subsetFraction must be in [0, 1], got ${subsetFraction}`);
  const theta = new Float64Array(D);
  if (subsetFraction >= 1) {
    for (let i = 0; i < D; i++) theta[i] = randomSign(rng);
    return theta;
  }
  const support = Math.max(1, Math.round(subsetFraction * D));
  // Partial Fisher-Yates: the first `support` entries of idx become a uniform random subset.
  const idx = Int32Array.from({ length: D }, (_, i) => i);
  for (let i = 0; i < support; i++) {
    const j = i + rng.int(D - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
    theta[idx[i]] = randomSign(rng);
  }
  return theta;
}

/**
 * n x D codes (row-major). With theta given, a sample with theta·z == 0 (z = 0 included) is redrawn
 * whole until theta·z != 0, so every sample has a well-defined label; this conditions the code
 * distribution on "not a tie", the resampling docs/model.md describes.
 */
export function sampleCodes(n: number, spec: LatentSpec, theta: Float64Array | null, rng: Rng, out?: Float64Array): Float64Array {
  const { D, k, magnitude, magnitudeLow } = spec;
  checkSpec(spec);
  checkCount("sampleCodes: n", n, 0);
  if (theta) checkTheta(theta, D, "sampleCodes");
  const z = outBuffer(out, n * D, Float64Array, "sampleCodes");
  // Activation test on raw 32-bit draws: u < p * 2^32 has probability p (to 2^-32), one draw per coordinate.
  const threshold = (k / D) * 4294967296;
  const uniformMag = magnitude === "uniform";
  const span = 1 - magnitudeLow;
  for (let s = 0; s < n; s++) {
    const base = s * D;
    for (let attempt = 0; ; attempt++) {
      if (attempt >= MAX_TIE_REDRAWS) throw tiesError(spec);
      let dot = 0;
      for (let i = 0; i < D; i++) {
        if (rng.nextU32() >= threshold) {
          z[base + i] = 0;
          continue;
        }
        const mag = uniformMag ? magnitudeLow + span * rng.uniform() : 1;
        const v = rng.nextU32() & 1 ? -mag : mag;
        z[base + i] = v;
        if (theta) dot += theta[i] * v;
      }
      if (!theta || dot !== 0) break;
    }
  }
  return z;
}

/** What sampleCodes throws when a sample's codes keep giving theta·z = 0. */
export function tiesError({ k, D }: LatentSpec): Error {
  return new Error(
    `sampleCodes: ${MAX_TIE_REDRAWS} redraws in a row gave theta·z = 0; k/D (${k}/${D}) or the support of theta is too small`,
  );
}

/** y_i = sign(theta·z_i) as ±1 floats. An exact tie (only possible when z was drawn for another theta) counts as +1. */
export function labels(z: Float64Array, n: number, theta: Float64Array, out?: Float32Array): Float32Array {
  const D = theta.length;
  checkCount("labels: n", n, 0);
  if (z.length < n * D) throw new RangeError(`labels: z must hold n*D = ${n * D} values, got ${z.length}`);
  const y = outBuffer(out, n, Float32Array, "labels");
  for (let s = 0; s < n; s++) {
    const base = s * D;
    let dot = 0;
    for (let i = 0; i < D; i++) {
      const v = z[base + i];
      if (v !== 0) dot += theta[i] * v;
    }
    y[s] = dot < 0 ? -1 : 1;
  }
  return y;
}

// Row accumulator for encode(): f64, so x is M z rounded once to f32.
let scratch = new Float64Array(0);

/** x = M z + noise * N(0, I): n x d, f32. Only the active coordinates of z are visited. */
export function encode(z: Float64Array, n: number, dict: Dictionary, noise: number, rng: Rng, out?: Float32Array): Float32Array {
  const { d, D, atoms } = dict;
  checkCount("encode: n", n, 0);
  if (!(noise >= 0 && Number.isFinite(noise))) throw new RangeError(`encode: noise must be a finite number >= 0, got ${noise}`);
  if (z.length < n * D) throw new RangeError(`encode: z must hold n*D = ${n * D} values, got ${z.length}`);
  const x = outBuffer(out, n * d, Float32Array, "encode");
  if (scratch.length < d) scratch = new Float64Array(d);
  const row = scratch.subarray(0, d);
  const identity = dict.kind === "identity";
  for (let s = 0; s < n; s++) {
    if (noise > 0) rng.fillNormal(row, noise);
    else row.fill(0);
    const zb = s * D;
    for (let i = 0; i < D; i++) {
      const zi = z[zb + i];
      if (zi === 0) continue;
      if (identity) {
        row[i] += zi;
        continue;
      }
      const ab = i * d;
      for (let r = 0; r < d; r++) row[r] += zi * atoms[ab + r];
    }
    x.set(row, s * d);
  }
  return x;
}

/**
 * n labelled samples drawn from `rng` (codes first, then noise). Pass `out` (for example the
 * previous result) to reuse its buffers.
 */
export function sampleLabelled(
  n: number,
  dict: Dictionary,
  spec: LatentSpec,
  theta: Float64Array,
  noise: number,
  rng: Rng,
  out?: Labelled,
): Labelled {
  if (spec.D !== dict.D) throw new RangeError(`sampleLabelled: spec.D (${spec.D}) must equal the dictionary's D (${dict.D})`);
  const z = sampleCodes(n, spec, theta, rng, out?.z);
  const y = labels(z, n, theta, out?.y);
  const x = encode(z, n, dict, noise, rng, out?.x);
  return { x, y, z, n };
}

function randomSign(rng: Rng): number {
  return rng.nextU32() & 1 ? -1 : 1;
}

function outBuffer<T extends Float32Array | Float64Array>(out: T | undefined, len: number, Ctor: { new (n: number): T }, who: string): T {
  if (!out) return new Ctor(len);
  if (out.length < len) throw new RangeError(`${who}: out must hold ${len} values, got ${out.length}`);
  return out.length === len ? out : (out.subarray(0, len) as T);
}

function checkCount(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${what} must be an integer >= ${min}, got ${v}`);
}

function checkSpec(spec: LatentSpec): void {
  checkCount("LatentSpec.D", spec.D, 1);
  if (!(spec.k >= 0 && spec.k <= spec.D)) throw new RangeError(`LatentSpec.k must be in [0, D=${spec.D}], got ${spec.k}`);
  if (spec.magnitude !== "sign" && spec.magnitude !== "uniform")
    throw new RangeError(`LatentSpec.magnitude must be "sign" or "uniform", got ${String(spec.magnitude)}`);
  if (spec.magnitude === "uniform" && !(spec.magnitudeLow >= 0 && spec.magnitudeLow <= 1)) {
    throw new RangeError(`LatentSpec.magnitudeLow must be in [0, 1], got ${spec.magnitudeLow}`);
  }
}

function checkTheta(theta: Float64Array, D: number, who: string): void {
  if (theta.length !== D) throw new RangeError(`${who}: theta must have length D=${D}, got ${theta.length}`);
  if (!theta.some((t) => t !== 0)) throw new RangeError(`${who}: theta must have at least one nonzero entry`);
}
