// Random starts of the attacks, drawn inside WASM from the engine's one PRNG stream. Every operation
// mirrors src/rng.ts (sfc32, Marsaglia's polar method with a cached spare) and src/math/portable.ts
// (exp and log from IEEE basic operations) one for one, so the perturbations and the stream's state
// afterwards are bit-identical to the TypeScript reference (tests/reference/randomStart.ts): moving
// the draws here changed no experiment's numbers, only the time they take (docs/speed.md).
//
// An l2 start is drawn in two passes. randomDraws consumes the stream in the reference's order (the
// polar method's accepted points, row by row, each row followed by its radius draw): a sequential
// pass, but only the cheap generator and the rejection test. l2StartRows then turns points into
// normals (log, division, square root) and scales each row: rows are independent there, so threads
// split them. The batch's normals are the points' values in order (u then v of each point, after a
// spare cached before the call), whatever the row boundaries, which is what lets a row find its own.

import { RngWord } from "./contract";

// The stream's state, written and read back by src/engine/stream.ts.
@unmanaged export class RngState {
  a: u32; b: u32; c: u32; d: u32;
  hasSpare: i32; pad: i32;
  spare: f64;
}
// The layout TypeScript writes (RngWord, assembly/contract.ts), checked when this file compiles.
// @ts-ignore: ERROR is a compile-time diagnostic
if (offsetof<RngState>("a") != <usize>RngWord.a * 4 ||
    offsetof<RngState>("b") != <usize>RngWord.b * 4 ||
    offsetof<RngState>("c") != <usize>RngWord.c * 4 ||
    offsetof<RngState>("d") != <usize>RngWord.d * 4 ||
    offsetof<RngState>("hasSpare") != <usize>RngWord.hasSpare * 4 ||
    offsetof<RngState>("pad") != <usize>RngWord.pad * 4 ||
    offsetof<RngState>("spare") != <usize>RngWord.spare * 4 ||
    offsetof<RngState>() != <usize>RngWord.count * 4) ERROR("class RngState does not match RngWord of assembly/contract.ts");

const TWO_POW_MINUS_53: f64 = 1.0 / 9007199254740992.0;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.4426950408889634;
const TWO54: f64 = 18014398509481984.0;
const SQRT2: f64 = 1.4142135623730951;

// The stream's state during a call: loaded from the record on entry (enterStream), written back on
// exit (leaveStream). (Globals belong to the instance, so every thread has its own.)
let sa: u32 = 0, sb: u32 = 0, sc: u32 = 0, sd: u32 = 0;

// @ts-ignore: decorator
@inline export function enterStream(st: RngState): void {
  sa = st.a; sb = st.b; sc = st.c; sd = st.d;
}

// @ts-ignore: decorator
@inline export function leaveStream(st: RngState): void {
  st.a = sa; st.b = sb; st.c = sc; st.d = sd;
}

// sfc32
// @ts-ignore: decorator
@inline export function nextU32(): u32 {
  const a = sa, b = sb, c = sc;
  const t = a + b + sd;
  sd = sd + 1;
  sa = b ^ (b >>> 9);
  sb = c + (c << 3);
  sc = ((c << 21) | (c >>> 11)) + t;
  return t;
}

// [0, 1) on the 2^-53 grid
// @ts-ignore: decorator
@inline export function uniform(): f64 {
  const hi = <f64>(nextU32() >>> 5);
  const lo = <f64>(nextU32() >>> 6);
  return (hi * 67108864.0 + lo) * TWO_POW_MINUS_53;
}

// The last point of the polar method (polarPoint), and the point: the reference's pair of uniforms
// on (-1, 1), drawn again until u^2 + v^2, which it returns, is in (0, 1).
let polarU: f64 = 0, polarV: f64 = 0;

// @ts-ignore: decorator
@inline function polarPoint(): f64 {
  let q: f64;
  do {
    polarU = 2 * uniform() - 1;
    polarV = 2 * uniform() - 1;
    q = polarU * polarU + polarV * polarV;
  } while (q >= 1 || q == 0);
  return q;
}

// JavaScript's Math.round: halves go up.
// @ts-ignore: decorator
@inline function roundHalfUp(x: f64): f64 {
  const c = Math.ceil(x);
  return c - 0.5 > x ? c - 1 : c;
}

// 2^k for an integer k in [-1022, 1023]
// @ts-ignore: decorator
@inline function pow2(k: i32): f64 {
  return reinterpret<f64>(<u64>(k + 1023) << 52);
}

// The coefficients of the reference's series, in its order, as compile-time quotients (the same
// correctly rounded divisions the reference does at run time): exp's 1/12! ... 1/2! and log's
// 2/21, 2/19, ..., 2/3.
const EXP_SERIES = memory.data<f64>([
  1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0,
  1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5,
]);
const LOG_SERIES = memory.data<f64>([2.0 / 21.0, 2.0 / 19.0, 2.0 / 17.0, 2.0 / 15.0, 2.0 / 13.0, 2.0 / 11.0, 2.0 / 9.0, 2.0 / 7.0, 2.0 / 5.0, 2.0 / 3.0]);

// p = p * x + c_i for the n coefficients at coefs, from p = start: the reference's loops.
// @ts-ignore: decorator
@inline function horner(start: f64, x: f64, coefs: usize, n: i32): f64 {
  let p = start;
  for (let i = 0; i < n; i++) p = p * x + load<f64>(coefs + (<usize>i << 3));
  return p;
}

function expPortable(x: f64): f64 {
  if (isNaN(x)) return x;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const k = roundHalfUp(x * INV_LN2);
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const p = horner(1.0 / 6227020800.0, r, EXP_SERIES, 11);
  const y = 1 + (hi - (lo - r * r * p));
  const ki = <i32>k;
  if (ki > 1023) return y * pow2(1023) * pow2(ki - 1023);
  if (ki < -1022) return y * pow2(ki + 1000) * pow2(-1000);
  return y * pow2(ki);
}

function logPortable(x: f64): f64 {
  if (isNaN(x) || x < 0) return NaN;
  if (x == 0) return -Infinity;
  if (x == Infinity) return x;
  let e: i32 = 0;
  if (x < 2.2250738585072014e-308) {
    x *= TWO54;
    e = -54;
  }
  const bits = reinterpret<u64>(x);
  const high = <u32>(bits >>> 32);
  e += <i32>(high >>> 20) - 1023;
  let m = reinterpret<f64>((<u64>((high & 0x000fffff) | 0x3ff00000) << 32) | (bits & 0xffffffff));
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  let R = horner(2.0 / 23.0, z, LOG_SERIES, 10);
  R *= z;
  const hfsq = 0.5 * f * f;
  const ef = <f64>e;
  return ef * LN2_HI - (hfsq - (s * (hfsq + R) + ef * LN2_LO) - f);
}

// logPortable on two lanes, for arguments in [2^-104, 1) (the polar method's s = u^2 + v^2, never
// zero, subnormal or special): the same operations in the same order, lane by lane.
// @ts-ignore: decorator
@inline function logPortable2(x: v128): v128 {
  let e = i64x2.sub(i64x2.shr_u(x, 52), i64x2.splat(1023));
  let m = v128.or(v128.and(x, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
  const big = f64x2.gt(m, f64x2.splat(SQRT2));
  m = v128.bitselect(f64x2.mul(m, f64x2.splat(0.5)), m, big);
  e = i64x2.sub(e, big); // big lanes are -1
  const ef = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(e, e, 0, 2, 0, 2));
  const f = f64x2.sub(m, f64x2.splat(1));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2), f));
  const z = f64x2.mul(s, s);
  let R = f64x2.splat(2.0 / 23.0);
  for (let i = 0; i < 10; i++) R = f64x2.add(f64x2.mul(R, z), f64x2.splat(load<f64>(LOG_SERIES + (<usize>i << 3))));
  R = f64x2.mul(R, z);
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const lo = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(ef, f64x2.splat(LN2_LO)));
  return f64x2.sub(f64x2.mul(ef, f64x2.splat(LN2_HI)), f64x2.sub(f64x2.sub(hfsq, lo), f));
}

// Accepted points of the polar method and per-row radius draws, as randomDraws leaves them:
// entry 0 is a header (f64 1 or 0: was a spare cached before the call; f64 its value), then one entry
// per point (f64 u, v, s = u^2 + v^2). radii is (B) f64: the uniform U of the row's radius
// eps * U^(1/d), or -1 where the reference draws none (a row whose normals are all zero).
const ENTRY = 24;

// Field `half` of entry e (0: u, 1: v, 2: s).
// @ts-ignore: decorator
@inline function pointValue(points: usize, e: i32, half: i32): f64 {
  return load<f64>(points + <usize>e * ENTRY + (<usize>half << 3));
}

// The sequential pass of an l2 start for B rows of d: fills points (1 + ceil(B*d/2) entries) and
// radii (B), and advances the stream record at statePtr exactly as the reference's draws would.
export function randomDraws(points: usize, radii: usize, B: i32, d: i32, statePtr: usize): void {
  const st = changetype<RngState>(statePtr);
  enterStream(st);
  const spare0 = st.hasSpare != 0;
  store<f64>(points, spare0 ? 1 : 0);
  store<f64>(points, st.spare, 8);
  // pending: a normal drawn but not yet used (the spare, or the v of the last point)
  let pending = spare0;
  let pendingNonZero = spare0 && st.spare != 0;
  let count = 0; // points drawn
  for (let b = 0; b < B; b++) {
    let need = d;
    let nonZero = false;
    if (pending) {
      nonZero = pendingNonZero;
      pending = false;
      need--;
    }
    while (need > 0) {
      const q = polarPoint();
      const u = polarU, v = polarV;
      count++;
      const e = points + <usize>count * ENTRY;
      store<f64>(e, u);
      store<f64>(e, v, 8);
      store<f64>(e, q, 16);
      // u f and v f are zero exactly when u or v is (f > 0, and |u| >= 2^-52 cannot underflow in f32).
      nonZero = nonZero || u != 0;
      if (need >= 2) {
        nonZero = nonZero || v != 0;
        need -= 2;
      } else {
        pending = true;
        pendingNonZero = v != 0;
        need = 0;
      }
    }
    store<f64>(radii + (<usize>b << 3), nonZero ? uniform() : -1);
  }
  leaveStream(st);
  st.hasSpare = i32(pending);
  // (With no rows, the spare cached before the call is still pending and keeps its value.)
  if (pending && count > 0) st.spare = pointValue(points, count, 1) * polarScale(points, count);
}

// The polar method's factor sqrt(-2 log(s) / s) for the point at entry e: its normals are u and v times it.
// @ts-ignore: decorator
@inline function polarScale(points: usize, e: i32): f64 {
  const q = pointValue(points, e, 2);
  return Math.sqrt((-2 * logPortable(q)) / q);
}

// The reference's normal(): the cached spare if there is one, else a fresh polar pair whose second
// value is cached (in the record, like the spare a call finds and leaves). Between enterStream and
// leaveStream.
export function normal(st: RngState): f64 {
  if (st.hasSpare) {
    st.hasSpare = 0;
    return st.spare;
  }
  const q = polarPoint();
  const f = Math.sqrt((-2 * logPortable(q)) / q);
  st.spare = polarV * f;
  st.hasSpare = 1;
  return polarU * f;
}

// Rows [b0, b1) of an l2 start from randomDraws' points and radii: delta is (B,d).
export function l2StartRows(delta: usize, points: usize, radii: usize, b0: i32, b1: i32, d: i32, eps: f64): void {
  const spare0 = load<f64>(points) != 0;
  const spare = load<f64>(points, 8);
  const first = spare0 ? 1 : 0;
  for (let b = b0; b < b1; b++) {
    const row = delta + (<usize>b * <usize>d << 2);
    // normal k of the batch: the spare, then u, v of point 1, u, v of point 2, ...
    let k = b * d;
    let i = 0;
    if (k < first) {
      store<f32>(row, <f32>spare);
      i = 1;
      k = 1;
    }
    let j = k - first; // index among the points' values
    // A row that starts on a point's v takes that value first; from there on it runs over whole points.
    if ((j & 1) != 0 && i < d) {
      const e = (j >> 1) + 1;
      store<f32>(row + (<usize>i << 2), <f32>(pointValue(points, e, 1) * polarScale(points, e)));
      i++;
      j++;
    }
    if (ASC_FEATURE_SIMD) {
      // Two points (4 normals) at a time, their two transforms on the lanes of one vector.
      for (; i + 4 <= d; i += 4, j += 4) {
        const p0 = points + <usize>((j >> 1) + 1) * ENTRY, p1 = p0 + ENTRY;
        const q = f64x2(load<f64>(p0, 16), load<f64>(p1, 16));
        const f = f64x2.sqrt(f64x2.div(f64x2.mul(f64x2.splat(-2), logPortable2(q)), q));
        const uf = f32x4.demote_f64x2_zero(f64x2.mul(f64x2(load<f64>(p0), load<f64>(p1)), f));
        const vf = f32x4.demote_f64x2_zero(f64x2.mul(f64x2(load<f64>(p0, 8), load<f64>(p1, 8)), f));
        v128.store(row + (<usize>i << 2), v128.shuffle<f32>(uf, vf, 0, 4, 1, 5));
      }
    }
    for (; i < d; j += 2) {
      const e = (j >> 1) + 1;
      const f = polarScale(points, e);
      store<f32>(row + (<usize>i << 2), <f32>(pointValue(points, e, 0) * f));
      if (++i == d) break;
      store<f32>(row + (<usize>i << 2), <f32>(pointValue(points, e, 1) * f));
      i++;
    }
    const U = load<f64>(radii + (<usize>b << 3));
    let sq: f64 = 0;
    for (let t = 0; t < d; t++) {
      const v = <f64>load<f32>(row + (<usize>t << 2));
      sq += v * v;
    }
    const scale = sq > 0 ? (eps * expPortable(logPortable(U) / <f64>d)) / Math.sqrt(sq) : 0;
    for (let t = 0; t < d; t++) {
      const p = row + (<usize>t << 2);
      store<f32>(p, <f32>(<f64>load<f32>(p) * scale));
    }
  }
}

// An l-inf start: every coordinate of delta (n floats) uniform in [-eps, eps], in stream order.
// statePtr is an Rng state record (src/engine/stream.ts), which the draws advance.
export function linfStart(delta: usize, n: i32, eps: f64, statePtr: usize): void {
  const st = changetype<RngState>(statePtr);
  enterStream(st);
  for (let i = 0; i < n; i++) store<f32>(delta + (<usize>i << 2), <f32>((2 * uniform() - 1) * eps));
  leaveStream(st);
}
