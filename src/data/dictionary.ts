// The feature dictionary M of the data model x = M z + xi (docs/model.md, "Data"): D atoms M_i in R^d.
//
// Atoms are stored as rows (D x d, row-major), because every consumer wants one atom at a time:
// encoding adds z_i M_i for the few active i, and the purity metrics take c = M^T w atom by atom.
import type { Rng } from "../rng.js";

export type DictionaryKind = "identity" | "orthogonal" | "overcomplete";

/** atoms is D x d row-major: row i is the atom M_i (the i-th column of M). */
export interface Dictionary {
  kind: DictionaryKind;
  d: number;
  D: number;
  atoms: Float64Array;
}

export function makeDictionary(kind: DictionaryKind, d: number, D: number, rng: Rng): Dictionary {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`dictionary needs an integer d >= 1, got d=${d}`);
  if (!Number.isInteger(D) || D < 1) throw new RangeError(`dictionary needs an integer D >= 1, got D=${D}`);
  switch (kind) {
    case "identity": {
      if (D !== d) throw new RangeError(`identity dictionary requires D = d, got d=${d}, D=${D}`);
      const atoms = new Float64Array(d * d);
      for (let i = 0; i < d; i++) atoms[i * d + i] = 1;
      return { kind, d, D, atoms };
    }
    case "orthogonal": {
      if (D !== d) throw new RangeError(`orthogonal dictionary requires D = d, got d=${d}, D=${D}`);
      return { kind, d, D, atoms: haarOrthogonal(d, rng) };
    }
    case "overcomplete": {
      if (D < d) throw new RangeError(`overcomplete dictionary requires D >= d, got d=${d}, D=${D}`);
      return { kind, d, D, atoms: unitGaussianRows(D, d, rng) };
    }
    default:
      throw new RangeError(`unknown dictionary kind ${String(kind)}; expected identity, orthogonal or overcomplete`);
  }
}

/** c = M^T w: c_i = <M_i, w>, D values. */
export function coefficients(dict: Dictionary, w: ArrayLike<number>): Float64Array {
  if (w.length !== dict.d) throw new RangeError(`coefficients: w must have length d=${dict.d}, got ${w.length}`);
  const out = new Float64Array(dict.D);
  coefficientsInto(dict, w, 0, out);
  return out;
}

/**
 * c = M^T w for the d values of `w` starting at `offset` (one row of a row-major weight matrix),
 * written to out[0..D). Allocates nothing.
 */
export function coefficientsInto(dict: Dictionary, w: ArrayLike<number>, offset: number, out: Float64Array): void {
  const { d, D, atoms } = dict;
  if (dict.kind === "identity") {
    for (let i = 0; i < d; i++) out[i] = w[offset + i];
    return;
  }
  for (let i = 0; i < D; i++) {
    const base = i * d;
    let s = 0;
    for (let r = 0; r < d; r++) s += atoms[base + r] * w[offset + r];
    out[i] = s;
  }
}

/** M c = sum_i c_i M_i in R^d (for example the label direction M theta in input space). */
export function synthesize(dict: Dictionary, c: ArrayLike<number>): Float64Array {
  const { d, D, atoms } = dict;
  if (c.length !== D) throw new RangeError(`synthesize: c must have length D=${D}, got ${c.length}`);
  const out = new Float64Array(d);
  for (let i = 0; i < D; i++) {
    const ci = c[i];
    if (ci === 0) continue;
    const base = i * d;
    for (let r = 0; r < d; r++) out[r] += ci * atoms[base + r];
  }
  return out;
}

/**
 * Haar-random orthogonal d x d matrix, returned as its columns (the atoms) in rows.
 *
 * Householder QR of a Gaussian matrix G = QR, then Q diag(sign R_ii): without the sign fix Q is
 * not Haar (its distribution depends on the QR sign convention).
 */
function haarOrthogonal(n: number, rng: Rng): Float64Array {
  const A = new Float64Array(n * n); // row-major, reduced in place to R
  rng.fillNormal(A);
  const V = new Float64Array(n * n); // reflector k lives in V[k*n + k .. k*n + n)
  const signR = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm2 = 0;
    for (let r = k; r < n; r++) norm2 += A[r * n + k] * A[r * n + k];
    const norm = Math.sqrt(norm2);
    const x0 = A[k * n + k];
    // alpha = -sign(x0) ||x|| avoids cancellation in v = x - alpha e1; R_kk = alpha.
    const alpha = x0 >= 0 ? -norm : norm;
    if (k === n - 1 || norm === 0) {
      // No reflection here, so R_kk is x0 itself.
      signR[k] = x0 >= 0 ? 1 : -1;
      continue;
    }
    signR[k] = alpha >= 0 ? 1 : -1;
    let vnorm2 = 0;
    for (let r = k; r < n; r++) {
      const v = r === k ? x0 - alpha : A[r * n + k];
      V[k * n + r] = v;
      vnorm2 += v * v;
    }
    const inv = 1 / Math.sqrt(vnorm2);
    for (let r = k; r < n; r++) V[k * n + r] *= inv;
    applyReflector(A, n, V, k, k);
  }
  // Q = H_0 H_1 ... H_{n-2}: apply the reflectors to I from the last one back.
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  for (let k = n - 2; k >= 0; k--) applyReflector(Q, n, V, k, 0);
  const atoms = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let r = 0; r < n; r++) atoms[i * n + r] = Q[r * n + i] * signR[i];
  return atoms;
}

/** X[k:, c0:] -= 2 v (v^T X[k:, c0:]) for the unit reflector v stored in row k of V. */
function applyReflector(X: Float64Array, n: number, V: Float64Array, k: number, c0: number): void {
  const vk = k * n;
  for (let c = c0; c < n; c++) {
    let dot = 0;
    for (let r = k; r < n; r++) dot += V[vk + r] * X[r * n + c];
    if (dot === 0) continue;
    const f = 2 * dot;
    for (let r = k; r < n; r++) X[r * n + c] -= f * V[vk + r];
  }
}

/** D i.i.d. Gaussian rows of length d, each scaled to unit norm (a zero row, probability 0, is redrawn). */
function unitGaussianRows(D: number, d: number, rng: Rng): Float64Array {
  const atoms = new Float64Array(D * d);
  for (let i = 0; i < D; i++) {
    const row = atoms.subarray(i * d, (i + 1) * d);
    let norm2 = 0;
    while (norm2 === 0) {
      rng.fillNormal(row);
      norm2 = 0;
      for (let r = 0; r < d; r++) norm2 += row[r] * row[r];
    }
    const inv = 1 / Math.sqrt(norm2);
    for (let r = 0; r < d; r++) row[r] *= inv;
  }
  return atoms;
}
