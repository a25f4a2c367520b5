// Reference for assembly/contrastive.ts in f64: the contrastive losses over B positive pairs stacked
// as 2B rows (row i and row i + B are positives), optional normalisation, the encoder pass to the
// representation, and the instance-wise PGD attack on view 1.
import { matmulBackward, matmulForward, type Vec } from "./linear.js";
import { activationBackward, activationForward } from "./activation.js";
import { ascend, perturb } from "./attack.js";
import type { RefGrad, RefNet, RefWork } from "./net.js";

export const NTXENT = 0;
export const SPECTRAL = 1;
export const NORM_EPS = 1e-8;

// z, h are (N,m), norms is (N): z = h / sqrt(||h||^2 + NORM_EPS)
export function normalizeForward(z: Vec, norms: Vec, h: Vec, N: number, m: number): void {
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += h[i * m + j] ** 2;
    norms[i] = Math.sqrt(s + NORM_EPS);
    for (let j = 0; j < m; j++) z[i * m + j] = h[i * m + j] / norms[i];
  }
}

// accumulates dh += (dz - z (z . dz)) / norm per row
export function normalizeBackward(dh: Vec, dz: Vec, z: Vec, norms: Vec, N: number, m: number): void {
  for (let i = 0; i < N; i++) {
    let dot = 0;
    for (let j = 0; j < m; j++) dot += z[i * m + j] * dz[i * m + j];
    for (let j = 0; j < m; j++) dh[i * m + j] += (dz[i * m + j] - z[i * m + j] * dot) / norms[i];
  }
}

const positive = (i: number, B: number) => (i < B ? i + B : i - B);

// z is (2B,m), sim (2B,2B): returns the mean NT-Xent loss and leaves softmax probabilities in sim (0 on the diagonal)
export function ntxentForward(sim: Vec, z: Vec, B: number, m: number, tau: number): number {
  const N = 2 * B;
  matmulForward(sim, z, z, null, N, m, N);
  let total = 0;
  for (let i = 0; i < N; i++) {
    const logits = Array.from({ length: N }, (_, j) => sim[i * N + j] / tau);
    const mx = Math.max(...logits.filter((_, j) => j !== i));
    const sum = logits.reduce((s, l, j) => (j === i ? s : s + Math.exp(l - mx)), 0);
    total += mx + Math.log(sum) - logits[positive(i, B)];
    for (let j = 0; j < N; j++) sim[i * N + j] = j === i ? 0 : Math.exp(logits[j] - mx) / sum;
  }
  return total / N;
}

// sim: ntxentForward's probabilities (left unchanged); accumulates dz (2B,m) += scale * dL/dz
export function ntxentBackward(dz: Vec, sim: Vec, z: Vec, B: number, m: number, tau: number, scale: number): void {
  const N = 2 * B;
  const G = (i: number, j: number) => (i === j ? 0 : (scale / (N * tau)) * (sim[i * N + j] - (j === positive(i, B) ? 1 : 0)));
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      const g = G(i, j) + G(j, i);
      for (let k = 0; k < m; k++) dz[i * m + k] += g * z[j * m + k];
    }
}

// z is (2B,m), sim (B,B): returns -2 mean_i <z1_i, z2_i> + mean_{i != j} <z1_i, z2_j>^2, leaves C = z1 z2ᵀ in sim
export function spectralForward(sim: Vec, z: Vec, B: number, m: number): number {
  const z2 = Float64Array.from({ length: B * m }, (_, i) => z[B * m + i]);
  matmulForward(sim, z, z2, null, B, m, B);
  let pos = 0,
    neg = 0;
  for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) i === j ? (pos += sim[i * B + j]) : (neg += sim[i * B + j] ** 2);
  return (-2 * pos) / B + (B > 1 ? neg / (B * (B - 1)) : 0);
}

// sim: spectralForward's C (left unchanged); accumulates dz (2B,m) += scale * dL/dz
export function spectralBackward(dz: Vec, sim: Vec, z: Vec, B: number, m: number, scale: number): void {
  for (let i = 0; i < B; i++)
    for (let j = 0; j < B; j++) {
      const g = scale * (i === j ? -2 / B : (2 * sim[i * B + j]) / (B * (B - 1)));
      for (let k = 0; k < m; k++) {
        dz[i * m + k] += g * z[(B + j) * m + k];
        dz[(B + j) * m + k] += g * z[i * m + k];
      }
    }
}

export interface RefCtr {
  loss: number;
  normalize: boolean;
  tau: number;
}
export interface RefCtrWork {
  z: Float64Array;
  norms: Float64Array;
  sim: Float64Array;
  dz: Float64Array;
}

export function allocCtrWork(B: number, m: number): RefCtrWork {
  return {
    z: new Float64Array(2 * B * m),
    norms: new Float64Array(2 * B),
    sim: new Float64Array(4 * B * B),
    dz: new Float64Array(2 * B * m),
  };
}

// w must hold 2B rows; x is (2B,d). Fills w.pre, w.h and cw; returns the loss.
export function contrastiveForward(n: RefNet, w: RefWork, c: RefCtr, cw: RefCtrWork, x: Vec, B: number): number {
  const N = 2 * B;
  matmulForward(w.pre, x, n.W, null, N, n.d, n.m);
  activationForward(w.h, w.pre, n.thr, N, n.m, n.activation);
  let z: Vec = w.h;
  if (c.normalize) {
    normalizeForward(cw.z, cw.norms, w.h, N, n.m);
    z = cw.z;
  }
  return c.loss === SPECTRAL ? spectralForward(cw.sim, z, B, n.m) : ntxentForward(cw.sim, z, B, n.m, c.tau);
}

// w.dh = scale * dL/dh (2B rows); then the hidden layer's backward for the first `rows` rows into grad's W, thr and dx.
function backwardRows(
  n: RefNet,
  grad: RefGrad | null,
  w: RefWork,
  c: RefCtr,
  cw: RefCtrWork,
  x: Vec,
  dx: Vec | null,
  B: number,
  rows: number,
  deadSlope: number,
  scale: number,
): void {
  const N = 2 * B;
  const z = c.normalize ? cw.z : w.h;
  const dz = c.normalize ? cw.dz : w.dh;
  dz.fill(0);
  if (c.loss === SPECTRAL) spectralBackward(dz, cw.sim, z, B, n.m, scale);
  else ntxentBackward(dz, cw.sim, z, B, n.m, c.tau, scale);
  if (c.normalize) {
    w.dh.fill(0);
    normalizeBackward(w.dh, cw.dz, cw.z, cw.norms, N, n.m);
  }
  w.dpre.fill(0);
  activationBackward(w.dpre, grad?.thr ?? null, w.dh, w.pre, n.thr, rows, n.m, n.activation, deadSlope);
  matmulBackward(dx, grad?.W ?? null, null, w.dpre, x, n.W, rows, n.d, n.m);
}

// After contrastiveForward at x: accumulates scale * dL into grad (W, thr) and dx (2B,d).
export function contrastiveBackward(
  n: RefNet,
  grad: RefGrad | null,
  w: RefWork,
  c: RefCtr,
  cw: RefCtrWork,
  x: Vec,
  dx: Vec | null,
  B: number,
  deadSlope: number,
  scale: number,
): void {
  backwardRows(n, grad, w, c, cw, x, dx, B, 2 * B, deadSlope, scale);
}

// x, xadv are (2B,d), delta (B,d): PGD on view 1 that maximises the loss against view 2.
export function contrastiveAttack(
  n: RefNet,
  w: RefWork,
  c: RefCtr,
  cw: RefCtrWork,
  x: Vec,
  delta: Vec,
  xadv: Vec,
  B: number,
  norm: number,
  eps: number,
  alpha: number,
  steps: number,
  deadSlope: number,
  lo: number,
  hi: number,
): void {
  const len = B * n.d;
  for (let i = len; i < 2 * len; i++) xadv[i] = x[i];
  for (let s = 0; s < steps; s++) {
    perturb(xadv, x, delta, len, lo, hi);
    contrastiveForward(n, w, c, cw, xadv, B);
    w.dx.fill(0);
    backwardRows(n, null, w, c, cw, xadv, w.dx, B, B, deadSlope, 1);
    ascend(delta, w.dx, B, n.d, norm, eps, alpha);
  }
  perturb(xadv, x, delta, len, lo, hi);
}
