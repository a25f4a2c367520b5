import { describe, expect, it } from "vitest";
import { coefficients, makeDictionary, synthesize, type Dictionary } from "../../src/data/dictionary.js";
import { DEFAULT_PURITY, neuronPurity, summarize, summarizePurity, type NeuronPurity } from "../../src/metrics/purity.js";
import { Rng } from "../../src/rng.js";

/** W (m x d, f32) with rows w_j = M c_j: neurons with prescribed coefficients (exact for orthonormal M). */
function fromCoefficients(dict: Dictionary, cs: ArrayLike<number>[]): Float32Array {
  const W = new Float32Array(cs.length * dict.d);
  cs.forEach((c, j) => W.set(synthesize(dict, c), j * dict.d));
  return W;
}

const unit = (D: number, i: number, a = 1) => Array.from({ length: D }, (_, k) => (k === i ? a : 0));
const ones = (D: number) => new Float64Array(D).fill(1);

/** The definitions of docs/model.md ("Purification metrics"), written the plain way, for comparison. */
function reference(w: Float32Array, dict: Dictionary, theta: Float64Array, topR: number, significance: number) {
  const c = Array.from(coefficients(dict, w));
  const abs = c.map(Math.abs);
  const max = Math.max(...abs);
  const l2 = Math.hypot(...c);
  const l4 = c.reduce((s, v) => s + v ** 4, 0);
  const sorted = [...abs].sort((a, b) => b - a);
  const outside = Math.sqrt(sorted.slice(topR).reduce((s, v) => s + v * v, 0)) / l2;
  const u = synthesize(dict, theta);
  const wu = Array.from(w).reduce((s, v, r) => s + v * u[r], 0);
  return {
    top1: max / l2,
    participation: l2 ** 4 / l4,
    outsideTopR: outside,
    cosLabel: Math.abs(wu) / (Math.hypot(...w) * Math.hypot(...u)),
    significant: abs.filter((a) => a >= significance * max).length,
    topFeature: abs.indexOf(max),
  };
}

describe("neuronPurity", () => {
  const D = 16;
  for (const kind of ["identity", "orthogonal"] as const) {
    it(`scores pure neurons as pure (${kind})`, () => {
      const dict = makeDictionary(kind, D, D, new Rng(1));
      const W = fromCoefficients(dict, [unit(D, 3, 2), unit(D, 0, -0.5), unit(D, 15, 1e-3)]);
      const res = neuronPurity(W, 3, dict, ones(D), { liveFraction: 0 });
      expect(res.map((r) => r.topFeature)).toEqual([3, 0, 15]);
      for (const r of res) {
        expect(r.top1).toBeCloseTo(1, 6);
        expect(r.participation).toBeCloseTo(1, 5);
        expect(r.significant).toBe(1);
        expect(r.outsideTopR).toBeLessThan(1e-3);
        expect(r.cosLabel).toBeCloseTo(1 / Math.sqrt(D), 6);
        expect(r.live).toBe(true);
      }
      expect(res[0].norm).toBeCloseTo(2, 6);
    });

    it(`scores dense equal-magnitude neurons as dense (${kind})`, () => {
      const dict = makeDictionary(kind, D, D, new Rng(2));
      const signs = Array.from({ length: D }, (_, i) => (i % 3 === 0 ? -1 : 1));
      const W = fromCoefficients(dict, [signs, ones(D)]);
      const res = neuronPurity(W, 2, dict, ones(D));
      for (const r of res) {
        expect(r.top1).toBeCloseTo(1 / Math.sqrt(D), 6);
        expect(r.participation).toBeCloseTo(D, 4);
        expect(r.significant).toBe(D);
        expect(r.outsideTopR).toBeCloseTo(Math.sqrt((D - 1) / D), 6);
      }
      // The all-ones neuron is exactly the label direction.
      expect(res[1].cosLabel).toBeCloseTo(1, 6);
    });
  }

  it("scores a two-feature mixture exactly", () => {
    const dict = makeDictionary("identity", 6, 6, new Rng(1));
    const W = fromCoefficients(dict, [[3, 0, -4, 0, 0, 0]]);
    const [r] = neuronPurity(W, 1, dict, ones(6));
    expect(r.top1).toBeCloseTo(0.8, 12);
    expect(r.participation).toBeCloseTo(625 / 337, 12);
    expect(r.outsideTopR).toBeCloseTo(0.6, 12);
    expect(r.significant).toBe(2);
    expect(r.topFeature).toBe(2);
    expect(r.norm).toBeCloseTo(5, 12);
    expect(r.cosLabel).toBeCloseTo(1 / (5 * Math.sqrt(6)), 12);
    const [r2] = neuronPurity(W, 1, dict, ones(6), { topR: 2, significance: 0.8 });
    expect(r2.outsideTopR).toBe(0);
    expect(r2.significant).toBe(1);
    const [r3] = neuronPurity(W, 1, dict, ones(6), { topR: 100 });
    expect(r3.outsideTopR).toBe(0);
  });

  it("keeps the small residue of a nearly pure neuron accurate", () => {
    const dict = makeDictionary("identity", 4, 4, new Rng(1));
    const W = fromCoefficients(dict, [[1, 1e-6, 0, 0]]);
    const [r] = neuronPurity(W, 1, dict, ones(4));
    expect(r.outsideTopR / 1e-6).toBeCloseTo(1, 5);
  });

  it("measures alignment with M theta, not with theta", () => {
    const dict = makeDictionary("orthogonal", 10, 10, new Rng(3));
    const theta = new Float64Array(10).fill(0);
    theta[0] = 1;
    theta[1] = -1;
    const W = fromCoefficients(dict, [
      [1, -1, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
      [-2, 2, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    const res = neuronPurity(W, 3, dict, theta);
    expect(res[0].cosLabel).toBeCloseTo(1, 6);
    expect(res[1].cosLabel).toBeLessThan(1e-6);
    expect(res[2].cosLabel).toBeCloseTo(1, 6);
  });

  it("matches the plain definitions on random neurons over an over-complete dictionary", () => {
    const rng = new Rng(4);
    const dict = makeDictionary("overcomplete", 12, 40, rng);
    const theta = new Float64Array(40);
    for (let i = 0; i < 40; i++) theta[i] = rng.int(2) ? 1 : -1;
    const m = 25;
    const W = new Float32Array(m * 12);
    rng.fillNormal(W);
    // A few neurons that are exactly one atom: top1 is then 1/||c||, not 1, because atoms overlap.
    for (const [j, i] of [
      [0, 7],
      [1, 39],
    ]) {
      W.set(dict.atoms.subarray(i * 12, (i + 1) * 12), j * 12);
    }
    for (const [topR, significance] of [
      [1, 0.5],
      [3, 0.3],
    ]) {
      const res = neuronPurity(W, m, dict, theta, { topR, significance });
      for (let j = 0; j < m; j++) {
        const want = reference(W.subarray(j * 12, (j + 1) * 12), dict, theta, topR, significance);
        expect(res[j].top1).toBeCloseTo(want.top1, 10);
        expect(res[j].participation).toBeCloseTo(want.participation, 8);
        expect(res[j].outsideTopR).toBeCloseTo(want.outsideTopR, 10);
        expect(res[j].cosLabel).toBeCloseTo(want.cosLabel, 10);
        expect(res[j].significant).toBe(want.significant);
        expect(res[j].topFeature).toBe(want.topFeature);
      }
      expect(res[0].topFeature).toBe(7);
      expect(res[1].topFeature).toBe(39);
      expect(res[0].top1).toBeLessThan(1);
    }
  });

  it("is scale invariant down to tiny and up to huge weights", () => {
    const dict = makeDictionary("orthogonal", 8, 8, new Rng(5));
    const base = fromCoefficients(dict, [[1, 0.5, -0.25, 0, 0, 0.1, 0, 0]]);
    const [ref] = neuronPurity(base, 1, dict, ones(8));
    for (const s of [1e-30, 1e30]) {
      const W = base.map((v) => v * s);
      const [r] = neuronPurity(W, 1, dict, ones(8));
      expect(r.top1).toBeCloseTo(ref.top1, 5);
      expect(r.participation).toBeCloseTo(ref.participation, 4);
      expect(r.outsideTopR).toBeCloseTo(ref.outsideTopR, 5);
      expect(r.cosLabel).toBeCloseTo(ref.cosLabel, 5);
      expect(r.significant).toBe(ref.significant);
    }
  });

  it("gives zero neurons finite zeros and marks them dead", () => {
    const dict = makeDictionary("orthogonal", 5, 5, new Rng(6));
    const W = new Float32Array(10);
    W[5] = 1;
    const res = neuronPurity(W, 2, dict, ones(5), { liveFraction: 0 });
    const zero = res[0];
    expect(zero).toEqual({ norm: 0, top1: 0, participation: 0, outsideTopR: 0, cosLabel: 0, significant: 0, topFeature: -1, live: false });
    expect(res[1].live).toBe(true);
    // All-zero W: nothing is live, nothing is NaN.
    const none = neuronPurity(new Float32Array(10), 2, dict, ones(5));
    for (const r of none) for (const v of Object.values(r)) expect(Number.isNaN(v)).toBe(false);
  });

  it("calls a neuron live when its norm is at least liveFraction of the largest", () => {
    const dict = makeDictionary("identity", 3, 3, new Rng(1));
    const W = fromCoefficients(dict, [unit(3, 0, 1), unit(3, 1, 0.09), unit(3, 2, 0.1), unit(3, 0, 0.5)]);
    expect(neuronPurity(W, 4, dict, ones(3)).map((r) => r.live)).toEqual([true, false, true, true]);
    expect(neuronPurity(W, 4, dict, ones(3), { liveFraction: 0.6 }).map((r) => r.live)).toEqual([true, false, false, false]);
  });

  it("validates shapes and options", () => {
    const dict = makeDictionary("identity", 3, 3, new Rng(1));
    expect(() => neuronPurity(new Float32Array(5), 2, dict, ones(3))).toThrow(RangeError);
    expect(() => neuronPurity(new Float32Array(6), 2, dict, ones(4))).toThrow(RangeError);
    expect(() => neuronPurity(new Float32Array(6), 2, dict, ones(3), { topR: 0 })).toThrow(RangeError);
    expect(() => neuronPurity(new Float32Array(6), 2, dict, ones(3), { significance: 0 })).toThrow(RangeError);
    expect(() => neuronPurity(new Float32Array(6), 2, dict, ones(3), { liveFraction: 2 })).toThrow(RangeError);
    expect(neuronPurity(new Float32Array(0), 0, dict, ones(3))).toEqual([]);
  });
});

describe("summarizePurity", () => {
  const neuron = (significant: number, top1: number, live = true): NeuronPurity => ({
    norm: 1,
    top1,
    participation: 1 / (top1 * top1),
    outsideTopR: 1 - top1,
    cosLabel: 0.1,
    significant,
    topFeature: 0,
    live,
  });

  it("summarises live neurons only and bins significant-feature counts", () => {
    const ns = [neuron(1, 1), neuron(1, 0.9), neuron(2, 0.5), neuron(12, 0.2), neuron(3, 0.7, false), neuron(10, 0.3)];
    const s = summarizePurity(ns);
    expect(s.neurons).toBe(6);
    expect(s.live).toBe(5);
    expect(s.top1).toEqual({ mean: (1 + 0.9 + 0.5 + 0.2 + 0.3) / 5, median: 0.5, min: 0.2, max: 1 });
    expect(s.significant.median).toBe(2);
    expect(s.histogram).toHaveLength(DEFAULT_PURITY.histogramBins);
    expect(s.histogram).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(summarizePurity(ns, { histogramBins: 2 }).histogram).toEqual([2, 3]);
    expect(summarizePurity(ns, { histogramBins: 1 }).histogram).toEqual([5]);
  });

  it("reports NaN summaries and an empty histogram when nothing is live", () => {
    const s = summarizePurity([neuron(1, 1, false)]);
    expect(s.live).toBe(0);
    expect(s.top1.mean).toBeNaN();
    expect(s.histogram.every((c) => c === 0)).toBe(true);
    expect(() => summarizePurity([], { histogramBins: 0 })).toThrow(RangeError);
  });

  it("summarize takes the middle pair's average for an even count", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ mean: 2.5, median: 2.5, min: 1, max: 4 });
    expect(summarize([5])).toEqual({ mean: 5, median: 5, min: 5, max: 5 });
  });

  it("separates pure from dense networks end to end", () => {
    const rng = new Rng(7);
    const D = 50;
    const dict = makeDictionary("orthogonal", D, D, rng);
    const theta = new Float64Array(D).map(() => (rng.int(2) ? 1 : -1));
    const m = 100;
    // Pure: each neuron one feature plus 1% noise. Dense: one feature plus a common theta mixture.
    const pure: number[][] = [];
    const dense: number[][] = [];
    for (let j = 0; j < m; j++) {
      const c = unit(D, j % D, 1).map((v) => v + 0.01 * rng.normal());
      pure.push(c);
      dense.push(c.map((v, i) => v + 0.3 * theta[i]));
    }
    const sp = summarizePurity(neuronPurity(fromCoefficients(dict, pure), m, dict, theta));
    const sd = summarizePurity(neuronPurity(fromCoefficients(dict, dense), m, dict, theta));
    expect(sp.top1.mean).toBeGreaterThan(0.99);
    expect(sp.participation.mean).toBeLessThan(1.1);
    expect(sp.histogram[0]).toBe(m);
    expect(sd.top1.mean).toBeLessThan(0.6);
    expect(sd.participation.mean).toBeGreaterThan(10);
    expect(sd.cosLabel.mean).toBeGreaterThan(5 * sp.cosLabel.mean);
  });
});
