import { describe, expect, it } from "vitest";
import { fitLogistic, fitStandardizer, foldHead, logisticObjective, type Standardizer } from "../../src/train/logisticRegression.js";
import { Rng } from "../../src/rng.js";

interface Problem {
  F: Float32Array;
  y: Float32Array;
  n: number;
  m: number;
}

/** Noisy linear labels on features with offsets and different scales (so standardisation matters). */
function problem(n: number, m: number, seed: number, noise = 1, separable = false): Problem {
  const rng = new Rng(seed);
  const F = new Float32Array(n * m);
  const y = new Float32Array(n);
  const wt = Float64Array.from({ length: m }, () => rng.normal());
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) {
      const v = rng.normal();
      F[i * m + j] = 3 + (j + 1) * v;
      s += wt[j] * v;
    }
    y[i] = s + (separable ? 0 : noise * rng.normal()) > 0 ? 1 : -1;
  }
  return { F, y, n, m };
}

function gradFd(p: Problem, std: Standardizer, l2: number, w: Float64Array, b: number): number[] {
  const h = 1e-5;
  const f = (ww: Float64Array, bb: number) => logisticObjective(p.F, p.y, p.n, p.m, std, l2, ww, bb);
  const g: number[] = [];
  for (let j = 0; j < p.m; j++) {
    const wp = w.slice();
    const wm = w.slice();
    wp[j] += h;
    wm[j] -= h;
    g.push((f(wp, b) - f(wm, b)) / (2 * h));
  }
  g.push((f(w, b + h) - f(w, b - h)) / (2 * h));
  return g;
}

describe("fitStandardizer", () => {
  it("gives column means and 1/(population std), and 0 for constant columns", () => {
    const F = new Float32Array([1, 5, 2, 3, 5, 2, 5, 5, 2]); // 3 x 3
    const s = fitStandardizer(F, 3, 3);
    expect(Array.from(s.mean)).toEqual([3, 5, 2]);
    expect(s.scale[0]).toBeCloseTo(1 / Math.sqrt(8 / 3), 12);
    expect(s.scale[1]).toBe(0);
    expect(s.scale[2]).toBe(0);
  });

  it("treats a std below 1e-6 as dead and survives a large offset", () => {
    const F = new Float32Array([1000, 0, 1000, 1e-7, 1000, 2e-7, 1001, 3e-7]); // 4 x 2
    const s = fitStandardizer(F, 4, 2);
    expect(s.mean[0]).toBeCloseTo(1000.25, 10);
    expect(1 / s.scale[0]).toBeCloseTo(Math.sqrt(0.1875), 10);
    expect(s.scale[1]).toBe(0);
  });

  it("checks the shape", () => {
    expect(() => fitStandardizer(new Float32Array(5), 2, 3)).toThrow(RangeError);
  });
});

describe("fitLogistic", () => {
  it("reaches a point where the objective's finite-difference gradient vanishes", () => {
    const p = problem(300, 8, 1);
    const std = fitStandardizer(p.F, p.n, p.m);
    for (const l2 of [0, 1e-3, 0.1]) {
      const fit = fitLogistic(p.F, p.y, p.n, p.m, std, l2);
      expect(fit.converged).toBe(true);
      expect(fit.gradNorm).toBeLessThan(1e-9);
      expect(fit.iterations).toBeLessThanOrEqual(10); // quadratic convergence: 5-8 steps from w = 0
      expect(fit.loss).toBeCloseTo(logisticObjective(p.F, p.y, p.n, p.m, std, l2, fit.w, fit.b), 12);
      for (const g of gradFd(p, std, l2, fit.w, fit.b)) expect(Math.abs(g)).toBeLessThan(1e-7);
      // And it is a minimum: nudging any parameter raises the objective.
      const w2 = fit.w.slice();
      w2[3] += 1e-3;
      expect(logisticObjective(p.F, p.y, p.n, p.m, std, l2, w2, fit.b)).toBeGreaterThan(fit.loss);
    }
  });

  it("agrees with a long plain gradient descent", () => {
    const p = problem(200, 5, 2, 2);
    const std = fitStandardizer(p.F, p.n, p.m);
    const l2 = 0.05;
    const fit = fitLogistic(p.F, p.y, p.n, p.m, std, l2);
    // GD on the same objective, with the gradient written independently on standardised features.
    const S = Array.from({ length: p.n }, (_, i) => Array.from({ length: p.m }, (_, j) => (p.F[i * p.m + j] - std.mean[j]) * std.scale[j]));
    const w = new Float64Array(p.m);
    let b = 0;
    const lr = 0.5; // the loss's smoothness constant is at most (m + 1)/4 + l2 = 1.55
    for (let it = 0; it < 5000; it++) {
      const gw = new Float64Array(p.m);
      let gb = 0;
      for (let i = 0; i < p.n; i++) {
        const t = S[i].reduce((s, v, j) => s + v * w[j], b);
        const r = -p.y[i] / (1 + Math.exp(p.y[i] * t));
        for (let j = 0; j < p.m; j++) gw[j] += (r * S[i][j]) / p.n;
        gb += r / p.n;
      }
      for (let j = 0; j < p.m; j++) w[j] -= lr * (gw[j] + l2 * w[j]);
      b -= lr * gb;
    }
    for (let j = 0; j < p.m; j++) expect(fit.w[j]).toBeCloseTo(w[j], 7);
    expect(fit.b).toBeCloseTo(b, 7);
  });

  it("stays finite on separable data thanks to the l2 penalty", () => {
    const p = problem(400, 6, 3, 0, true);
    const std = fitStandardizer(p.F, p.n, p.m);
    const l2 = 1e-3;
    const fit = fitLogistic(p.F, p.y, p.n, p.m, std, l2);
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.loss) && Number.isFinite(fit.b)).toBe(true);
    // (l2/2)||w||^2 <= objective <= objective at 0 = log 2.
    const norm = Math.hypot(...fit.w);
    expect(norm).toBeGreaterThan(1); // it did use the separability
    expect(norm).toBeLessThanOrEqual(Math.sqrt((2 * Math.LN2) / l2));
    const correct = p.y.filter((yi, i) => {
      let t = fit.b;
      for (let j = 0; j < p.m; j++) t += fit.w[j] * (p.F[i * p.m + j] - std.mean[j]) * std.scale[j];
      return yi * t > 0;
    }).length;
    expect(correct).toBeGreaterThan(0.97 * p.n);
  });

  it("returns finite weights without l2 on separable data, where no minimiser exists", () => {
    const p = problem(100, 3, 4, 0, true);
    const std = fitStandardizer(p.F, p.n, p.m);
    const fit = fitLogistic(p.F, p.y, p.n, p.m, std, 0);
    // The gradient decays with the loss as ||w|| grows, so the stopping rule is met at a large, finite w.
    expect(fit.iterations).toBeLessThanOrEqual(100);
    expect(fit.w.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(fit.b)).toBe(true);
    expect(fit.loss).toBeLessThan(1e-8);
    expect(Math.hypot(...fit.w)).toBeGreaterThan(10);
  });

  it("ignores dead features: weight 0, and the same fit as without them", () => {
    const base = problem(300, 4, 5);
    const rng = new Rng(6);
    // Columns: 4 live ones interleaved with a constant one and a near-constant (std 1e-8) one.
    const m = 6;
    const F = new Float32Array(base.n * m);
    for (let i = 0; i < base.n; i++) {
      F[i * m] = base.F[i * 4];
      F[i * m + 1] = 7;
      F[i * m + 2] = base.F[i * 4 + 1];
      F[i * m + 3] = 1 + 1e-8 * rng.normal();
      F[i * m + 4] = base.F[i * 4 + 2];
      F[i * m + 5] = base.F[i * 4 + 3];
    }
    const std = fitStandardizer(F, base.n, m);
    expect(std.scale[1]).toBe(0);
    expect(std.scale[3]).toBe(0);
    for (const l2 of [0, 0.01]) {
      const fit = fitLogistic(F, base.y, base.n, m, std, l2);
      const ref = fitLogistic(base.F, base.y, base.n, 4, fitStandardizer(base.F, base.n, 4), l2);
      expect(fit.w[1]).toBe(0);
      expect(fit.w[3]).toBe(0);
      expect([fit.w[0], fit.w[2], fit.w[4], fit.w[5]].map((v) => v.toFixed(9))).toEqual(Array.from(ref.w).map((v) => v.toFixed(9)));
      expect(fit.b).toBeCloseTo(ref.b, 9);
      expect(fit.converged).toBe(true);
    }
  });

  it("handles all features dead: only the bias is fitted (the log-odds of the labels)", () => {
    const n = 100;
    const F = new Float32Array(n * 3).fill(1);
    const y = Float32Array.from({ length: n }, (_, i) => (i < 75 ? 1 : -1));
    const fit = fitLogistic(F, y, n, 3, fitStandardizer(F, n, 3), 0.1);
    expect(Array.from(fit.w)).toEqual([0, 0, 0]);
    expect(fit.b).toBeCloseTo(Math.log(3), 9);
  });

  it("copes with duplicated (perfectly collinear) features when l2 = 0", () => {
    const p = problem(200, 3, 7);
    const F = new Float32Array(p.n * 4);
    for (let i = 0; i < p.n; i++) {
      F.set(p.F.subarray(i * 3, i * 3 + 3), i * 4);
      F[i * 4 + 3] = p.F[i * 3];
    }
    const std = fitStandardizer(F, p.n, 4);
    const fit = fitLogistic(F, p.y, p.n, 4, std, 0);
    const ref = fitLogistic(p.F, p.y, p.n, 3, fitStandardizer(p.F, p.n, 3), 0);
    expect(fit.w.every(Number.isFinite)).toBe(true);
    expect(fit.loss).toBeCloseTo(ref.loss, 8);
    expect(fit.w[0] + fit.w[3]).toBeCloseTo(ref.w[0], 4);
  });

  it("is deterministic and validates its inputs", () => {
    const p = problem(50, 3, 8);
    const std = fitStandardizer(p.F, p.n, p.m);
    expect(fitLogistic(p.F, p.y, p.n, p.m, std, 0.01)).toEqual(fitLogistic(p.F, p.y, p.n, p.m, std, 0.01));
    const bad = p.y.slice();
    bad[0] = 0;
    expect(() => fitLogistic(p.F, bad, p.n, p.m, std, 0.01)).toThrow(RangeError);
    expect(() => fitLogistic(p.F, p.y.subarray(1), p.n, p.m, std, 0.01)).toThrow(RangeError);
    expect(() => fitLogistic(p.F, p.y, p.n, p.m, std, -1)).toThrow(RangeError);
    expect(() => fitLogistic(p.F, p.y, p.n, p.m + 1, std, 0.01)).toThrow(RangeError);
  });

  it("fits n = 2000, m = 200 in a few Newton steps", () => {
    const p = problem(2000, 200, 9, 3);
    // Sparse, ReLU-like features with some dead columns, like a frozen hidden layer.
    for (let i = 0; i < p.F.length; i++) p.F[i] = Math.max(0, p.F[i] - 3);
    for (let i = 0; i < p.n; i++) for (let j = 190; j < 200; j++) p.F[i * 200 + j] = 0;
    const std = fitStandardizer(p.F, p.n, p.m);
    const fit = fitLogistic(p.F, p.y, p.n, p.m, std, 5e-4);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThanOrEqual(10); // 6 with the exact Hessian; 30% off in a few entries already takes > 14
  });
});

describe("foldHead", () => {
  it("gives a raw-feature head equal to the standardised one", () => {
    const p = problem(100, 6, 10);
    for (let i = 0; i < p.n; i++) p.F[i * 6 + 2] = 4; // one dead column, with a nonzero mean
    const std = fitStandardizer(p.F, p.n, p.m);
    const fit = fitLogistic(p.F, p.y, p.n, p.m, std, 0.01);
    const { A, c } = foldHead(fit, std);
    expect(A).toBeInstanceOf(Float32Array);
    expect(A[2]).toBe(0);
    for (let i = 0; i < p.n; i++) {
      let raw = c;
      let standardised = fit.b;
      for (let j = 0; j < p.m; j++) {
        raw += A[j] * p.F[i * 6 + j];
        standardised += fit.w[j] * (p.F[i * 6 + j] - std.mean[j]) * std.scale[j];
      }
      expect(raw).toBeCloseTo(standardised, 4);
    }
  });
});

describe("fitLogistic with an engine's Hessian kernel", async () => {
  const { BACKENDS } = await import("../../src/engine/wasm.js");
  const { engines } = await import("../kernels/kernels-harness.js");
  // Shapes with every remainder of the kernel's blocks: p = m + 1 (live features plus the bias) odd
  // and even, p - a not a multiple of 4, n not a multiple of 4; a dead feature leaves a column out.
  const shapes: [number, number, number][] = [
    [9, 1, 1],
    [37, 2, 2],
    [50, 6, 3],
    [203, 7, 4],
    [64, 12, 5],
    [301, 20, 6],
  ];
  it.each(BACKENDS)("%s backend: the same fit, bit for bit, as the TypeScript Hessian", (backend) => {
    const engine = engines[backend];
    for (const [n, m, seed] of shapes) {
      const p = problem(n, m, seed);
      if (m > 3) for (let i = 0; i < n; i++) p.F[i * m + 2] = 4; // a dead feature
      const std = fitStandardizer(p.F, n, m);
      for (const l2 of [0, 0.1]) {
        const want = fitLogistic(p.F, p.y, n, m, std, l2);
        const used = engine.arena.used;
        // labels given as a view of the engine's memory, as the experiments pass them
        const yb = engine.arena.alloc(n);
        engine.arena.f32(yb).set(p.y);
        const got = fitLogistic(p.F, engine.arena.f32(yb), n, m, std, l2, engine);
        expect(got).toEqual(want);
        expect(want.iterations).toBeGreaterThan(1);
        engine.arena.reset(used);
      }
    }
  });
});
