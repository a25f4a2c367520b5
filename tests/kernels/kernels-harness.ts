// Shared helpers for the kernel tests: a seeded PRNG, buffers in a WASM engine, tolerant comparisons,
// and random networks built identically for the WASM kernels and the f64 references in tests/reference/.
import { setFlagsFromString } from "node:v8";
import { expect } from "vitest";
import { BACKENDS, createEngine, type Backend, type Engine } from "../../src/engine/wasm.js";
import type { Buf } from "../../src/engine/arena.js";
import { allocWork, writeNet, type Work } from "../../src/engine/layout.js";
import type { Activation } from "../../src/engine/kernels.js";
import type { RefNet } from "../reference/net.js";

// Node 20 compiles the relaxed SIMD build only with this flag (the CLI sets it the same way).
setFlagsFromString("--experimental-wasm-relaxed-simd");

export const engines = Object.fromEntries(
  await Promise.all(BACKENDS.map(async (b) => [b, await createEngine({ backend: b, maxMemoryMiB: 256 })] as const)),
) as Record<Backend, Engine>;

/** mulberry32: a tiny seeded generator, so every test draws the same numbers on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws that are exactly representable in f32, so the WASM kernels and the references see the same inputs. */
export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(lo = -1, hi = 1): number {
    return Math.fround(lo + (hi - lo) * this.next());
  }
  vec(n: number, lo = -1, hi = 1): Float64Array {
    return Float64Array.from({ length: n }, () => this.uniform(lo, hi));
  }
  /** Integers in [-k, k] divided by 2^bits: sums and products of a few of these are exact in f32. */
  dyadic(n: number, k: number, bits: number, nonNegative = false): Float64Array {
    const lo = nonNegative ? 0 : -k;
    return Float64Array.from({ length: n }, () => (lo + Math.floor(this.next() * (k - lo + 1))) / 2 ** bits);
  }
  labels(n: number): Float64Array {
    return Float64Array.from({ length: n }, () => (this.next() < 0.5 ? -1 : 1));
  }
  /** Entries set to exactly zero with probability p. */
  sparsify(v: Float64Array, p: number): Float64Array {
    for (let i = 0; i < v.length; i++) if (this.next() < p) v[i] = 0;
    return v;
  }
}

/** Buffers in one engine's memory; `scope` rewinds the arena afterwards so tests do not grow memory. */
export class Mem {
  constructor(readonly e: Engine) {}
  get k() {
    return this.e.kernels;
  }
  put(data: ArrayLike<number>): Buf {
    const b = this.e.arena.alloc(data.length);
    this.e.arena.f32(b).set(data);
    return b;
  }
  zeros(n: number): Buf {
    return this.e.arena.alloc(n);
  }
  get(b: Buf): Float64Array {
    return Float64Array.from(this.e.arena.f32(b));
  }
  snapshot(): Uint8Array {
    return new Uint8Array(this.e.arena.memory.buffer).slice();
  }
  /** Every byte outside `allowed` is as in `before` (kernels write nowhere else, pointer 0 included). */
  expectOnlyChanged(before: Uint8Array, allowed: Buf[], what: string): void {
    const now = new Uint8Array(this.e.arena.memory.buffer);
    // The kernels' own scratch (the sparse lists of matmulBackward) may change too.
    const s0 = this.e.kernels.scratchPtr(),
      s1 = s0 + this.e.kernels.scratchBytes();
    const inside = (i: number) => (i >= s0 && i < s1) || allowed.some((b) => i >= b.ptr && i < b.ptr + 4 * b.len);
    const stray: number[] = [];
    for (let i = 0; i < before.length && stray.length < 5; i++) if (now[i] !== before[i] && !inside(i)) stray.push(i);
    expect(stray, `${what}: bytes written outside the output buffers`).toEqual([]);
  }
  scope<T>(f: () => T): T {
    const mark = this.e.arena.mark();
    try {
      return f();
    } finally {
      this.e.arena.reset(mark);
    }
  }
}

/** |actual - expected| <= tol * (scale + |expected|) elementwise; lists the first offenders. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string, scale = 1): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    const a = actual[i],
      e = expected[i];
    if (!(Math.abs(a - e) <= tol * (scale + Math.abs(e)))) bad.push(`[${i}] got ${a}, want ${e}`);
  }
  expect(bad, `${what} (tol ${tol.toExponential(1)})`).toEqual([]);
}

export const ACT_NAMES: readonly Activation[] = ["symrelu", "relu"]; // index = kernel kind

export interface NetSpec {
  d: number;
  m: number;
  C: number;
  activation: number;
  bias: boolean;
}

/** Random network with f32-exact parameters; thresholds are non-negative, as training keeps them. */
export function randomNet(r: Rand, s: NetSpec, thrMax = 0.5): RefNet {
  return {
    W: r.vec(s.m * s.d, -1, 1),
    thr: r.vec(s.m, 0, thrMax),
    A: r.vec(s.C * s.m, -1, 1),
    c: s.bias ? r.vec(s.C) : null,
    d: s.d,
    m: s.m,
    C: s.C,
    activation: s.activation,
  };
}

export interface WasmNet {
  rec: Buf;
  W: Buf;
  thr: Buf;
  A: Buf;
  c: Buf | null;
  work: Work;
}

/** Copies a reference network into engine memory, with its descriptor and a work record for B samples. */
export function wasmNet(mem: Mem, n: RefNet, B: number): WasmNet {
  const p = { W: mem.put(n.W), thr: mem.put(n.thr), A: mem.put(n.A), c: n.c ? mem.put(n.c) : null };
  const shape = { d: n.d, m: n.m, C: n.C, activation: ACT_NAMES[n.activation] };
  const rec = writeNet(mem.e.arena, p, shape);
  return { rec, ...p, work: allocWork(mem.e.arena, shape, B) };
}

/** Smallest distance of a pre-activation to a kink of the activation (|p| = t, or p = t for ReLU). */
export function kinkGap(pre: ArrayLike<number>, thr: ArrayLike<number>, m: number, activation: number): number {
  let g = Infinity;
  for (let i = 0; i < pre.length; i++) {
    const p = pre[i],
      t = thr[i % m];
    g = Math.min(g, Math.abs(p - t));
    if (activation === 0) g = Math.min(g, Math.abs(p + t));
  }
  return g;
}

/** Tries seeds from `seed` on until `make` returns a case (it returns null to reject one). */
export function drawCase<T>(seed: number, make: (r: Rand) => T | null, tries = 200): T {
  for (let i = 0; i < tries; i++) {
    const c = make(new Rand(seed + 7919 * i));
    if (c !== null) return c;
  }
  throw new Error(`no acceptable case in ${tries} seeds from ${seed}`);
}

export function maxAbs(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
}

/** Central differences of f at v along every coordinate (v is perturbed in place and restored; h small against the kink gap of the cases). */
export function numericGrad(f: () => number, v: Float64Array | number[], h = 1e-6): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const t = v[i];
    v[i] = t + h;
    const up = f();
    v[i] = t - h;
    const down = f();
    v[i] = t;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
