// Reference for assembly/attack.ts: PGD on the margin objective -y*f of a binary head (C = 1).
import type { Vec } from "./linear.js";
import { netBackward, netForward, type RefNet, type RefWork } from "./net.js";

export const L2 = 0;
export const LINF = 1;

// xadv = x + delta, clamped to [lo, hi] when lo < hi, and then delta follows the clamp. x, delta, xadv are (n)
export function perturb(xadv: Vec, x: Vec, delta: Vec, n: number, lo: number, hi: number): void {
  for (let i = 0; i < n; i++) {
    let v = x[i] + delta[i];
    if (lo < hi && (v < lo || v > hi)) {
      v = Math.min(Math.max(v, lo), hi);
      delta[i] = v - x[i];
    }
    xadv[i] = v;
  }
}

// One ascent step on each row of delta along g, then projection onto the eps-ball. delta, g are (B,d)
export function ascend(delta: Vec, g: Vec, B: number, d: number, norm: number, eps: number, alpha: number): void {
  for (let b = 0; b < B; b++) {
    const r = b * d;
    if (norm === L2) {
      let gn = 0;
      for (let i = 0; i < d; i++) gn += g[r + i] ** 2;
      if (gn > 0) for (let i = 0; i < d; i++) delta[r + i] += (alpha * g[r + i]) / Math.sqrt(gn);
      let dn = 0;
      for (let i = 0; i < d; i++) dn += delta[r + i] ** 2;
      if (dn > eps * eps) for (let i = 0; i < d; i++) delta[r + i] *= eps / Math.sqrt(dn);
    } else {
      for (let i = 0; i < d; i++) delta[r + i] = Math.min(Math.max(delta[r + i] + alpha * Math.sign(g[r + i]), -eps), eps);
    }
  }
}

// Gradient of -y*f(xadv) with respect to xadv, left in w.dx (w already holds the forward pass at xadv).
// With bestMargin, samples already misclassified get a zero gradient and stay where they are.
function inputGradient(n: RefNet, w: RefWork, xadv: Vec, y: Vec, bestMargin: Vec | null, B: number, deadSlope: number): void {
  for (let b = 0; b < B; b++) w.dlogits[b] = bestMargin && bestMargin[b] <= 0 ? 0 : -y[b];
  w.dx.fill(0);
  netBackward(n, null, w, xadv, w.dx, B, deadSlope);
}

// x, delta, xadv are (B,d), y is (B). delta: start on entry, final perturbation on exit; xadv = x + delta.
export function pgdAttack(
  n: RefNet,
  w: RefWork,
  x: Vec,
  y: Vec,
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
  for (let s = 0; s < steps; s++) {
    perturb(xadv, x, delta, B * n.d, lo, hi);
    netForward(n, w, xadv, B);
    inputGradient(n, w, xadv, y, null, B, deadSlope);
    ascend(delta, w.dx, B, n.d, norm, eps, alpha);
  }
  perturb(xadv, x, delta, B * n.d, lo, hi);
}

// As pgdAttack, scoring the start and every step; per sample keeps the lowest margin y*f in bestMargin (B)
// and its delta in best (B,d). Returns how many samples have a best margin > 0.
export function pgdEval(
  n: RefNet,
  w: RefWork,
  x: Vec,
  y: Vec,
  delta: Vec,
  xadv: Vec,
  best: Vec,
  bestMargin: Vec,
  B: number,
  norm: number,
  eps: number,
  alpha: number,
  steps: number,
  deadSlope: number,
  lo: number,
  hi: number,
): number {
  const d = n.d;
  for (let s = 0; s <= steps; s++) {
    perturb(xadv, x, delta, B * d, lo, hi);
    netForward(n, w, xadv, B);
    for (let b = 0; b < B; b++) {
      const margin = y[b] * w.logits[b];
      if (margin < bestMargin[b]) {
        bestMargin[b] = margin;
        for (let i = 0; i < d; i++) best[b * d + i] = delta[b * d + i];
      }
    }
    if (s === steps) break;
    inputGradient(n, w, xadv, y, bestMargin, B, deadSlope);
    ascend(delta, w.dx, B, d, norm, eps, alpha);
  }
  let robust = 0;
  for (let b = 0; b < B; b++) if (bestMargin[b] > 0) robust++;
  return robust;
}
