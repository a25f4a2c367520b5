// Reference for assembly/apgd.ts in f64: APGD (Croce & Hein 2020) on a binary head, the same schedule,
// the same order of operations, plain loops.
import type { Vec } from "./linear.js";
import { netBackward, netForward, type RefNet, type RefWork } from "./net.js";
import { LINF, perturb } from "./attack.js";

export const CE = 0;
export const MARGIN = 1;
/** A plain margin loss -y f: not in the kernel, whose iterates it reproduces (tests/kernels/kernels-apgd.test.ts shows it). */
export const PLAIN_MARGIN = 2;
/** Croce & Hein's checkpoint rule: a row's step halves when at most this share of the steps since the last checkpoint raised its loss. */
export const RHO = 0.75;

export interface ApgdRow {
  eta: number;
  fBest: number;
  fCheck: number;
  reduced: boolean;
  fPrev: number;
  rises: number;
}

/**
 * How close each row's run came to a decision that f32 rounding could take the other way: the
 * smallest relative gap of a loss comparison, of an l-inf gradient entry to 0, of a pre-activation to
 * a kink of the activation, of a margin to 0. Tests compare the rows where it is comfortably large.
 */
export interface Closest {
  rows: Float64Array;
}

// Exact ties are no risk: they come from scoring the very same point again, which f32 repeats too.
function near(c: Closest | undefined, b: number, u: number, v: number): void {
  if (c && u !== v && Number.isFinite(u) && Number.isFinite(v)) c.rows[b] = Math.min(c.rows[b], Math.abs(u - v) / (1 + Math.abs(v)));
}

function watchForward(c: Closest | undefined, n: RefNet, w: RefWork, y: Vec, B: number): void {
  if (!c) return;
  for (let i = 0; i < B * n.m; i++) {
    const t = n.thr[i % n.m],
      b = Math.floor(i / n.m);
    near(c, b, w.pre[i], t);
    if (n.activation === 0) near(c, b, w.pre[i], -t);
  }
  for (let b = 0; b < B; b++) near(c, b, y[b] * w.logits[b], 0);
}

function keepWorst(logits: Vec, y: Vec, delta: Vec, best: Vec, bestMargin: Vec, B: number, d: number): void {
  for (let b = 0; b < B; b++) {
    const t = y[b] * logits[b];
    if (t < bestMargin[b]) {
      bestMargin[b] = t;
      for (let i = 0; i < d; i++) best[b * d + i] = delta[b * d + i];
    }
  }
}

// z = P(delta + eta s(g)), delta' = P(delta + a (z - delta) + (1 - a)(delta - prev)), prev' = delta, on row r.
function step(delta: Vec, g: Vec, prev: Vec, r: number, d: number, norm: number, eps: number, eta: number, a: number): void {
  const b = 1 - a;
  if (norm === LINF) {
    for (let i = r; i < r + d; i++) {
      const xi = delta[i],
        pi = prev[i];
      const z = Math.min(Math.max(xi + eta * Math.sign(g[i]), -eps), eps);
      prev[i] = xi;
      delta[i] = Math.min(Math.max(xi + a * (z - xi) + b * (xi - pi), -eps), eps);
    }
    return;
  }
  let gn = 0;
  for (let i = r; i < r + d; i++) gn += g[i] * g[i];
  const gs = gn > 0 ? eta / Math.sqrt(gn) : 0;
  const z = new Float64Array(d),
    v = new Float64Array(d);
  for (let i = 0; i < d; i++) z[i] = delta[r + i] + gs * g[r + i];
  let zn = 0;
  for (const u of z) zn += u * u;
  const s1 = zn > eps * eps ? eps / Math.sqrt(zn) : 1;
  let vn = 0;
  for (let i = 0; i < d; i++) {
    const xi = delta[r + i];
    v[i] = xi + a * (s1 * z[i] - xi) + b * (xi - prev[r + i]);
    vn += v[i] * v[i];
  }
  const s2 = vn > eps * eps ? eps / Math.sqrt(vn) : 1;
  for (let i = 0; i < d; i++) {
    prev[r + i] = delta[r + i];
    delta[r + i] = s2 * v[i];
  }
}

// The gradient of -y f: the direction of every loss's gradient here (assembly/apgd.ts says why).
function ascentDirection(n: RefNet, w: RefWork, xadv: Vec, y: Vec, bestMargin: Vec, B: number, deadSlope: number): void {
  for (let b = 0; b < B; b++) w.dlogits[b] = bestMargin[b] <= 0 ? 0 : -y[b];
  w.dx.fill(0);
  netBackward(n, null, w, xadv, w.dx, B, deadSlope);
}

function lossOf(w: RefWork, y: Vec, b: number, d: number, norm: number, loss: number): number {
  const t = y[b] * w.logits[b];
  if (loss === CE) return Math.max(-t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
  if (loss === PLAIN_MARGIN) return -t;
  let gn = 0;
  for (let i = b * d; i < (b + 1) * d; i++) gn += norm === LINF ? Math.abs(w.dx[i]) : w.dx[i] * w.dx[i];
  if (norm !== LINF) gn = Math.sqrt(gn);
  return gn > 0 ? -t / gn : -Infinity;
}

/** The kernel's contract (apgdEval in assembly/apgd.ts; rho other than RHO only to show that the rule matters); returns the robust count and, for tests, each row's final state and step sizes. */
export function apgdEval(
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
  loss: number,
  eps: number,
  steps: number,
  deadSlope: number,
  lo: number,
  hi: number,
  closest?: Closest,
  rho = RHO,
): { robust: number; rows: ApgdRow[] } {
  const d = n.d;
  const robust = () => bestMargin.filter((t) => t > 0).length;
  perturb(xadv, x, delta, B * d, lo, hi);
  netForward(n, w, xadv, B);
  watchForward(closest, n, w, y, B);
  keepWorst(w.logits, y, delta, best, bestMargin, B, d);
  if (steps === 0) return { robust: robust(), rows: [] };
  ascentDirection(n, w, xadv, y, bestMargin, B, deadSlope);
  const prev = delta.slice(),
    xmax = delta.slice(),
    gmax = w.dx.slice();
  const rows: ApgdRow[] = Array.from({ length: B }, (_, b) => {
    const f = lossOf(w, y, b, d, norm, loss);
    return { eta: 2 * eps, fBest: f, fCheck: f, reduced: true, fPrev: f, rises: 0 };
  });
  let interval = Math.max(Math.floor(0.22 * steps), 1);
  const shortest = Math.max(Math.floor(0.06 * steps), 1),
    shorten = Math.max(Math.floor(0.03 * steps), 1);
  let since = 0;
  const live = (b: number) => bestMargin[b] > 0;
  const copyRow = (dst: Vec, src: Vec, b: number) => {
    for (let i = b * d; i < (b + 1) * d; i++) dst[i] = src[i];
  };
  for (let s = 0; s < steps; s++) {
    const a = s === 0 ? 1 : 0.75;
    for (let b = 0; b < B; b++) {
      if (!live(b)) continue;
      if (closest && norm === LINF) {
        let big = 0;
        for (let i = b * d; i < (b + 1) * d; i++) big = Math.max(big, Math.abs(w.dx[i]));
        for (let i = b * d; i < (b + 1) * d; i++) if (big > 0) closest.rows[b] = Math.min(closest.rows[b], Math.abs(w.dx[i]) / big);
      }
      step(delta, w.dx, prev, b * d, d, norm, eps, rows[b].eta, a);
    }
    perturb(xadv, x, delta, B * d, lo, hi);
    netForward(n, w, xadv, B);
    watchForward(closest, n, w, y, B);
    keepWorst(w.logits, y, delta, best, bestMargin, B, d);
    if (s === steps - 1) break;
    ascentDirection(n, w, xadv, y, bestMargin, B, deadSlope);
    for (let b = 0; b < B; b++) {
      if (!live(b)) continue;
      const f = lossOf(w, y, b, d, norm, loss),
        r = rows[b];
      near(closest, b, f, r.fPrev);
      near(closest, b, f, r.fBest);
      if (f > r.fPrev) r.rises++;
      r.fPrev = f;
      if (f > r.fBest) {
        r.fBest = f;
        copyRow(xmax, delta, b);
        copyRow(gmax, w.dx, b);
      }
    }
    if (++since < interval) continue;
    for (let b = 0; b < B; b++) {
      if (!live(b)) continue;
      const r = rows[b];
      const halve = r.rises <= rho * interval || (!r.reduced && r.fCheck >= r.fBest);
      r.reduced = halve;
      r.fCheck = r.fBest;
      r.rises = 0;
      if (!halve) continue;
      r.eta *= 0.5;
      copyRow(delta, xmax, b);
      copyRow(w.dx, gmax, b);
    }
    interval = Math.max(interval - shorten, shortest);
    since = 0;
  }
  return { robust: robust(), rows };
}
