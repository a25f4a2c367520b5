// The downstream head (docs/model.md, "Downstream"): l2-penalised logistic regression on the frozen, standardised
// hidden features, solved to high accuracy by Newton's method in f64.
//
// This is deliberately a small exact solver, not a training loop: the downstream claim is about the
// best clean linear head on a given representation, so optimisation error must not blur it. For
// n ~ 2000, m ~ 200 a fit is ~10 Newton steps; the Hessian (n p^2 / 2 flops) dominates.
import { exp, log1p } from "../math/portable.js";
import type { Engine } from "../engine/wasm.js";

/** s(F) = (F - mean) * scale, with scale = 1/std, or 0 for a feature with std < MIN_STD (dead neurons contribute nothing). */
export interface Standardizer {
  mean: Float64Array;
  scale: Float64Array;
}

export interface LogisticFit {
  /** Weights on the standardised features (0 for dead ones). */
  w: Float64Array;
  b: number;
  /** The minimised objective: mean logistic loss + (l2/2)||w||^2. */
  loss: number;
  /** Newton steps taken. */
  iterations: number;
  converged: boolean;
  /** ||grad|| of the objective over (w, b) at the returned point. */
  gradNorm: number;
}

/** What a run reports of a head's fit. */
export type HeadFit = Pick<LogisticFit, "iterations" | "converged" | "loss">;

export const MIN_STD = 1e-6;
export const GRAD_TOL = 1e-9;
export const MAX_ITERATIONS = 100;

/** Column means and 1/std (population std) of F (n x m, row-major). */
export function fitStandardizer(F: Float32Array, n: number, m: number): Standardizer {
  checkShape(F, n, m, "fitStandardizer");
  const mean = new Float64Array(m);
  const scale = new Float64Array(m);
  if (n === 0) return { mean, scale };
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += F[i * m + j];
  for (let j = 0; j < m; j++) mean[j] /= n;
  // Two passes (mean first): the one-pass formula cancels badly for features with a large offset.
  const v = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const e = F[i * m + j] - mean[j];
      v[j] += e * e;
    }
  }
  for (let j = 0; j < m; j++) {
    const sd = Math.sqrt(v[j] / n);
    scale[j] = sd >= MIN_STD ? 1 / sd : 0;
  }
  return { mean, scale };
}

/**
 * Minimises mean_i log(1 + exp(-y_i (w·s(F_i) + b))) + (l2/2)||w||^2 (bias not penalised), y in {±1}.
 * Dead features (scale 0) are left out of the solve and get w_j = 0, so they cannot make the
 * Hessian singular even with l2 = 0.
 */
export function fitLogistic(
  F: Float32Array,
  y: Float32Array,
  n: number,
  m: number,
  std: Standardizer,
  l2: number,
  engine?: Engine,
): LogisticFit {
  checkShape(F, n, m, "fitLogistic");
  if (y.length !== n) throw new RangeError(`fitLogistic: y must have n=${n} values, got ${y.length}`);
  for (let i = 0; i < n; i++) if (y[i] !== 1 && y[i] !== -1) throw new RangeError(`fitLogistic: labels must be ±1, got y[${i}]=${y[i]}`);
  if (std.mean.length !== m || std.scale.length !== m) throw new RangeError(`fitLogistic: standardizer must have m=${m} features`);
  if (!(l2 >= 0 && Number.isFinite(l2))) throw new RangeError(`fitLogistic: l2 must be a finite number >= 0, got ${l2}`);
  if (n === 0) throw new RangeError("fitLogistic: needs at least one sample");

  const active: number[] = [];
  for (let j = 0; j < m; j++) if (std.scale[j] !== 0) active.push(j);
  const ma = active.length;
  const p = ma + 1; // the last parameter is the bias
  const mark = engine?.arena.mark();
  try {
    // y may be a view of the engine's memory, which the solve's allocations can move.
    return newton(F, engine ? y.slice(0, n) : y, n, m, std, l2, active, p, engine);
  } finally {
    if (engine && mark !== undefined) engine.arena.reset(mark);
  }
}

/**
 * The solve itself. With an engine, the Hessian (most of the time) is the kernel's, whose buffers
 * then live in the engine's arena, and S is also kept transposed for it; the bits are the same.
 */
function newton(
  F: Float32Array,
  y: Float32Array,
  n: number,
  m: number,
  std: Standardizer,
  l2: number,
  active: number[],
  p: number,
  engine?: Engine,
): LogisticFit {
  const ma = active.length;
  // With an engine: one block of its arena for S, Sᵀ, v, H, U and U2, allocated before any view of
  // it is taken (an allocation can move the memory those views see).
  const base = engine?.arena.alloc(2 * (2 * p * n + 3 * n + p * p), "downstream head solve").ptr ?? 0;
  let at = base;
  const f64 = (len: number): Float64Array => {
    if (!engine) return new Float64Array(len);
    const view = new Float64Array(engine.arena.memory.buffer, at, len);
    at += 8 * len;
    return view;
  };
  // Design matrix column-major (p x n), so every Hessian entry is a contiguous dot product.
  const S = f64(p * n);
  const ST = engine ? f64(n * p) : null;
  for (let a = 0; a < ma; a++) {
    const j = active[a];
    const mu = std.mean[j];
    const sc = std.scale[j];
    for (let i = 0; i < n; i++) S[a * n + i] = (F[i * m + j] - mu) * sc;
  }
  S.fill(1, ma * n);
  if (ST) for (let a = 0; a < p; a++) for (let i = 0; i < n; i++) ST[i * p + a] = S[a * n + i];

  const theta = new Float64Array(p);
  const t = new Float64Array(n); // current scores
  const q = new Float64Array(n); // scores of the step direction
  const r = new Float64Array(n); // d loss_i / d t_i
  const v = f64(n); // d^2 loss_i / d t_i^2
  const g = new Float64Array(p);
  const H = f64(p * p);
  const R = new Float64Array(p * p);
  const U = f64(n);
  const U2 = f64(n);
  const hessian =
    engine && ST
      ? () => engine.kernels.hessianUpper(S.byteOffset, ST.byteOffset, v.byteOffset, n, p, H.byteOffset, U.byteOffset, U2.byteOffset)
      : () => hessianUpper(S, v, n, p, H, U, U2);
  const step = new Float64Array(p);

  const objective = (scores: Float64Array, th: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += softplus(-y[i] * scores[i]);
    let w2 = 0;
    for (let a = 0; a < ma; a++) w2 += th[a] * th[a];
    return s / n + 0.5 * l2 * w2;
  };

  let f = objective(t, theta);
  let gradNorm = Infinity;
  let iterations = 0;
  for (;;) {
    // Gradient and curvature weights at theta.
    for (let i = 0; i < n; i++) {
      const yi = y[i];
      const sig = sigmoid(-yi * t[i]); // P(wrong label)
      r[i] = -yi * sig;
      v[i] = sig * (1 - sig);
    }
    let gn2 = 0;
    for (let a = 0; a < p; a++) {
      let s = dotn(S, a * n, r, n) / n;
      if (a < ma) s += l2 * theta[a];
      g[a] = s;
      gn2 += s * s;
    }
    gradNorm = Math.sqrt(gn2);
    if (gradNorm < GRAD_TOL || iterations >= MAX_ITERATIONS) break;

    // Upper triangle of H = S diag(v) S^T / n + l2 I (weights only).
    hessian();
    for (let a = 0; a < ma; a++) H[a * p + a] += l2;
    for (let a = 0; a < p; a++) step[a] = -g[a];
    solveSpd(H, R, p, step);

    // Step scores q = S^T step, so each trial point costs O(n).
    q.fill(0);
    for (let a = 0; a < p; a++) axpyn(step[a], S, a * n, q, n);
    let gd = 0;
    for (let a = 0; a < p; a++) gd += g[a] * step[a];
    if (!(gd < 0)) break; // not a descent direction: the solve lost all accuracy

    // Backtracking (Armijo). The slack lets the full Newton step through once f is flat to rounding,
    // where the true decrease (~ gradNorm^2) is below what f can resolve.
    const slack = 4 * Number.EPSILON * (Math.abs(f) + 1);
    let s = 1;
    let accepted = false;
    const trial = U; // reused as scratch for trial scores
    for (let k = 0; k < 60; k++, s *= 0.5) {
      for (let i = 0; i < n; i++) trial[i] = t[i] + s * q[i];
      let w2 = 0;
      for (let a = 0; a < ma; a++) {
        const th = theta[a] + s * step[a];
        w2 += th * th;
      }
      let loss = 0;
      for (let i = 0; i < n; i++) loss += softplus(-y[i] * trial[i]);
      const fNew = loss / n + 0.5 * l2 * w2;
      if (fNew <= f + 1e-4 * s * gd + slack) {
        for (let a = 0; a < p; a++) theta[a] += s * step[a];
        t.set(trial);
        f = fNew;
        accepted = true;
        break;
      }
    }
    iterations++;
    if (!accepted) break;
  }
  // Recompute from theta so the reported objective matches the returned parameters exactly.
  t.fill(0);
  for (let a = 0; a < p; a++) axpyn(theta[a], S, a * n, t, n);
  f = objective(t, theta);

  const w = new Float64Array(m);
  for (let a = 0; a < ma; a++) w[active[a]] = theta[a];
  return { w, b: theta[ma], loss: f, iterations, converged: gradNorm < GRAD_TOL, gradNorm };
}

/** The objective fitLogistic minimises, at (w, b); for checks and diagnostics. */
export function logisticObjective(
  F: Float32Array,
  y: Float32Array,
  n: number,
  m: number,
  std: Standardizer,
  l2: number,
  w: ArrayLike<number>,
  b: number,
): number {
  checkShape(F, n, m, "logisticObjective");
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let t = b;
    for (let j = 0; j < m; j++) if (std.scale[j] !== 0) t += w[j] * (F[i * m + j] - std.mean[j]) * std.scale[j];
    loss += softplus(-y[i] * t);
  }
  let w2 = 0;
  for (let j = 0; j < m; j++) w2 += w[j] * w[j];
  return (n ? loss / n : 0) + 0.5 * l2 * w2;
}

/** The head on raw features: A_j = w_j scale_j, c = b - sum_j w_j scale_j mean_j, so A·F + c == w·s(F) + b. */
export function foldHead(fit: LogisticFit, std: Standardizer): { A: Float32Array; c: number } {
  const m = fit.w.length;
  if (std.scale.length !== m || std.mean.length !== m) throw new RangeError(`foldHead: standardizer must have m=${m} features`);
  const A = new Float32Array(m);
  let c = fit.b;
  for (let j = 0; j < m; j++) {
    const a = fit.w[j] * std.scale[j];
    A[j] = a;
    if (a !== 0) c -= a * std.mean[j];
  }
  return { A, c };
}

/** log(1 + e^u) without overflow. */
function softplus(u: number): number {
  return u > 0 ? u + log1p(exp(-u)) : log1p(exp(u));
}

function sigmoid(u: number): number {
  return u >= 0 ? 1 / (1 + exp(-u)) : exp(u) / (1 + exp(u));
}

/** a[off..off+n) · b[0..n), four accumulators to break the add dependency chain. */
function dotn(a: Float64Array, off: number, b: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[off + i] * b[i];
    s1 += a[off + i + 1] * b[i + 1];
    s2 += a[off + i + 2] * b[i + 2];
    s3 += a[off + i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[off + i] * b[i];
  return s0 + s1 + (s2 + s3);
}

/**
 * Upper triangle of S diag(v) S^T / n (S is p x n). Rows are done in pairs and columns in fours, so
 * each load feeds two multiply-adds: this is most of the fit's time.
 */
function hessianUpper(S: Float64Array, v: Float64Array, n: number, p: number, H: Float64Array, u0: Float64Array, u1: Float64Array): void {
  const inv = 1 / n;
  let a = 0;
  for (; a + 1 < p; a += 2) {
    const sa0 = a * n;
    const sa1 = sa0 + n;
    for (let i = 0; i < n; i++) {
      u0[i] = v[i] * S[sa0 + i];
      u1[i] = v[i] * S[sa1 + i];
    }
    // (a, a) and (a, a+1) first, then columns >= a+1 for both rows.
    H[a * p + a] = dotn(S, sa0, u0, n) * inv;
    let b = a + 1;
    for (; b + 3 < p; b += 4) {
      const o0 = b * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      let x0 = 0,
        x1 = 0,
        x2 = 0,
        x3 = 0;
      let y0 = 0,
        y1 = 0,
        y2 = 0,
        y3 = 0;
      for (let i = 0; i < n; i++) {
        const p0 = u0[i];
        const p1 = u1[i];
        const c0 = S[o0 + i];
        const c1 = S[o1 + i];
        const c2 = S[o2 + i];
        const c3 = S[o3 + i];
        x0 += p0 * c0;
        x1 += p0 * c1;
        x2 += p0 * c2;
        x3 += p0 * c3;
        y0 += p1 * c0;
        y1 += p1 * c1;
        y2 += p1 * c2;
        y3 += p1 * c3;
      }
      const r0 = a * p + b;
      const r1 = r0 + p;
      H[r0] = x0 * inv;
      H[r0 + 1] = x1 * inv;
      H[r0 + 2] = x2 * inv;
      H[r0 + 3] = x3 * inv;
      H[r1] = y0 * inv; // (a+1, a+1) when b = a+1: still the upper triangle
      H[r1 + 1] = y1 * inv;
      H[r1 + 2] = y2 * inv;
      H[r1 + 3] = y3 * inv;
    }
    for (; b < p; b++) {
      H[a * p + b] = dotn(S, b * n, u0, n) * inv;
      H[(a + 1) * p + b] = dotn(S, b * n, u1, n) * inv;
    }
  }
  if (a < p) {
    for (let i = 0; i < n; i++) u0[i] = v[i] * S[a * n + i];
    H[a * p + a] = dotn(S, a * n, u0, n) * inv;
  }
}

/** out[0..n) += alpha * x[off..off+n) */
function axpyn(alpha: number, x: Float64Array, off: number, out: Float64Array, n: number): void {
  if (alpha === 0) return;
  for (let i = 0; i < n; i++) out[i] += alpha * x[off + i];
}

/**
 * Solves H x = rhs in place (rhs becomes x) for symmetric positive-definite H given by its upper
 * triangle, via H = R^T R. If rounding makes a pivot non-positive (nearly collinear features with
 * l2 = 0), retries with a growing ridge: a slightly damped Newton step is still a descent direction.
 */
function solveSpd(H: Float64Array, R: Float64Array, p: number, rhs: Float64Array): void {
  let maxDiag = 0;
  for (let a = 0; a < p; a++) maxDiag = Math.max(maxDiag, Math.abs(H[a * p + a]));
  let ridge = 0;
  while (!cholesky(H, R, p, ridge)) ridge = ridge === 0 ? 1e-12 * (maxDiag || 1) : ridge * 10;
  // R^T y = rhs, then R x = y.
  for (let k = 0; k < p; k++) {
    const yk = rhs[k] / R[k * p + k];
    rhs[k] = yk;
    for (let j = k + 1; j < p; j++) rhs[j] -= R[k * p + j] * yk;
  }
  for (let k = p - 1; k >= 0; k--) {
    let s = rhs[k];
    for (let j = k + 1; j < p; j++) s -= R[k * p + j] * rhs[j];
    rhs[k] = s / R[k * p + k];
  }
}

/** Upper Cholesky factor R of (H + ridge I) into R (row-major, upper triangle); false if not positive definite. */
function cholesky(H: Float64Array, R: Float64Array, p: number, ridge: number): boolean {
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) R[a * p + b] = H[a * p + b];
    R[a * p + a] += ridge;
  }
  // Right-looking: after row k is final, subtract its outer product from the trailing rows (contiguous).
  for (let k = 0; k < p; k++) {
    const pivot = R[k * p + k];
    if (!(pivot > 0) || !Number.isFinite(pivot)) return false;
    const rkk = Math.sqrt(pivot);
    const inv = 1 / rkk;
    R[k * p + k] = rkk;
    for (let j = k + 1; j < p; j++) R[k * p + j] *= inv;
    for (let i = k + 1; i < p; i++) {
      const rki = R[k * p + i];
      if (rki === 0) continue;
      for (let j = i; j < p; j++) R[i * p + j] -= rki * R[k * p + j];
    }
  }
  return true;
}

function checkShape(F: Float32Array, n: number, m: number, who: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${who}: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`${who}: m must be an integer >= 0, got ${m}`);
  if (F.length !== n * m) throw new RangeError(`${who}: F must be n x m = ${n} x ${m} (${n * m} values), got ${F.length}`);
}
