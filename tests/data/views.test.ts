// Positive pairs of the sparse-coding data (src/data/views.ts). With the identity dictionary a view is
// its latent code, so each view kind's definition can be checked entry by entry.
import { describe, expect, it } from "vitest";
import { makeDictionary } from "../../src/data/dictionary.js";
import { labelDirection } from "../../src/data/sparseCoding.js";
import { denseDirection, pairSource } from "../../src/data/views.js";
import type { Task } from "../../src/data/sparseCoding.js";
import type { ViewSpec } from "../../src/data/dataset.js";
import { Rng } from "../../src/rng.js";

const D = 40,
  B = 200,
  k = 4;
function task(noise = 0, dictionary: "identity" | "orthogonal" = "identity"): Task {
  const root = new Rng(3);
  return {
    dict: makeDictionary(dictionary, D, D, root.fork("dictionary")),
    spec: { D, k, magnitude: "sign", magnitudeLow: 0.5 },
    theta: labelDirection(D, 1, root.fork("theta")),
    noise,
  };
}
const views = (v: Partial<ViewSpec>): ViewSpec => ({ views: "identical", viewNoise: 0.05, keepProb: 0.8, sharedDense: 0, ...v });

function draw(t: Task, spec: ViewSpec, seed = 1, u: Float64Array | null = null, nTrain = 0) {
  const src = pairSource(t, nTrain, B, spec, u, new Rng(seed));
  const x1 = new Float32Array(B * D),
    x2 = new Float32Array(B * D);
  src.next(x1, x2);
  return { x1, x2, src };
}

describe("pairSource", () => {
  it("identical: both views are the same sparse sample", () => {
    const { x1, x2 } = draw(task(), views({}));
    expect(Array.from(x2)).toEqual(Array.from(x1));
    expect(x1.every((v) => v === 0 || v === 1 || v === -1)).toBe(true);
    const active = x1.filter((v) => v !== 0).length / B;
    expect(Math.abs(active - k)).toBeLessThan(0.5);
  });

  it("noise: the same code plus independent Gaussian noise of std viewNoise per view", () => {
    const { x1, x2 } = draw(task(), views({ views: "noise", viewNoise: 0.1 }));
    const diff = x1.map((v, i) => v - x2[i]);
    const std = Math.sqrt(diff.reduce((s, v) => s + v * v, 0) / diff.length / 2);
    expect(Math.abs(std - 0.1)).toBeLessThan(0.005);
    // the common part is the ±1 code: rounding x1 recovers it, and x2 agrees
    expect(x1.map(Math.round).every((v, i) => v === Math.round(x2[i]))).toBe(true);
  });

  it("dropout: each view keeps active features with probability keepProb, never adds one", () => {
    const keepProb = 0.6;
    const ident = draw(task(), views({}), 5).x1;
    const { x1, x2 } = draw(task(), views({ views: "dropout", keepProb }), 5);
    let kept = 0,
      added = 0;
    for (let i = 0; i < B * D; i++) {
      for (const x of [x1, x2]) {
        if (x[i] !== 0 && x[i] !== ident[i]) added++;
        if (x[i] !== 0) kept++;
      }
    }
    expect(added).toBe(0);
    const active = ident.filter((v) => v !== 0).length;
    expect(Math.abs(kept / (2 * active) - keepProb)).toBeLessThan(0.05);
    expect(Array.from(x1)).not.toEqual(Array.from(x2));
  });

  it("mask: x1 = 2Dx and x2 = 2(I-D)x with a random 0/1 diagonal D", () => {
    const t = task(0, "orthogonal");
    const x = draw(t, views({}), 8).x1;
    const { x1, x2 } = draw(t, views({ views: "mask" }), 8);
    let first = 0,
      bad = 0;
    for (let i = 0; i < B * D; i++) {
      if (!(x1[i] === 0 || x2[i] === 0) || x1[i] + x2[i] !== 2 * x[i]) bad++;
      if (x1[i] !== 0) first++;
    }
    expect(bad).toBe(0);
    expect(Math.abs(first / (B * D) - 0.5)).toBeLessThan(0.02);
  });

  it("shared dense component: s u with s ~ N(0, sharedDense^2), identical in both views", () => {
    const u = denseDirection(D, new Rng(4));
    expect(Math.hypot(...u)).toBeCloseTo(1, 12);
    const plain = draw(task(), views({ views: "dropout" }), 9);
    const { x1, x2 } = draw(task(), views({ views: "dropout", sharedDense: 0.5 }), 9, u);
    const scales: number[] = [],
      bad: string[] = [];
    for (let b = 0; b < B; b++) {
      // the same codes and dropout draws: each view minus the plain one is s u, with one s for both
      const s = x1.subarray(b * D, (b + 1) * D).reduce((acc, v, i) => acc + (v - plain.x1[b * D + i]) * u[i], 0);
      scales.push(s);
      for (let i = 0; i < D; i++) {
        if (Math.abs(x1[b * D + i] - plain.x1[b * D + i] - s * u[i]) > 1e-5) bad.push(`view 1 [${b},${i}]`);
        if (Math.abs(x2[b * D + i] - plain.x2[b * D + i] - s * u[i]) > 1e-5) bad.push(`view 2 [${b},${i}]`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    const std = Math.sqrt(scales.reduce((a, s) => a + s * s, 0) / B);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.08);
  });

  it("data noise is drawn once per sample and shared by the views", () => {
    const { x1, x2 } = draw(task(0.05), views({ views: "dropout", keepProb: 1 }));
    expect(Array.from(x2)).toEqual(Array.from(x1));
    expect(x1.some((v) => Math.abs(v) > 0 && Math.abs(Math.abs(v) - 1) > 1e-3 && Math.abs(v) < 0.5)).toBe(true);
  });

  it("is deterministic, and a fixed training set repeats its codes every epoch", () => {
    const a = draw(task(), views({ views: "noise" }), 2),
      b = draw(task(), views({ views: "noise" }), 2);
    expect(Array.from(a.x1)).toEqual(Array.from(b.x1));
    const { x1, src } = draw(task(), views({}), 3, null, B);
    const again = new Float32Array(B * D),
      y = new Float32Array(B * D);
    src.next(again, y);
    const rows = (x: Float32Array) => Array.from({ length: B }, (_, i) => x.subarray(i * D, (i + 1) * D).join(",")).sort();
    expect(rows(again)).toEqual(rows(x1));
  });
});
