import { describe, expect, it } from "vitest";
import { makeDictionary } from "../../src/data/dictionary.js";
import { encode, labelDirection, labels, sampleCodes, sampleLabelled, type LatentSpec } from "../../src/data/sparseCoding.js";
import { Rng } from "../../src/rng.js";

const spec = (D: number, k: number, magnitude: LatentSpec["magnitude"] = "sign", magnitudeLow = 0.5): LatentSpec => ({
  D,
  k,
  magnitude,
  magnitudeLow,
});

function dotRow(theta: Float64Array, z: Float64Array, s: number): number {
  const D = theta.length;
  let v = 0;
  for (let i = 0; i < D; i++) v += theta[i] * z[s * D + i];
  return v;
}

describe("labelDirection", () => {
  it("is a dense ±1 vector by default, with balanced signs", () => {
    const theta = labelDirection(2000, 1, new Rng(1));
    expect(theta.every((t) => t === 1 || t === -1)).toBe(true);
    const pos = theta.filter((t) => t > 0).length;
    expect(Math.abs(pos / 2000 - 0.5)).toBeLessThan(0.05);
  });

  it("keeps round(f * D) random coordinates (at least one) with subsetFraction < 1", () => {
    const rng = new Rng(2);
    for (const [D, f, want] of [
      [100, 0.5, 50],
      [100, 0.333, 33],
      [10, 0.25, 3],
      [100, 0.001, 1],
      [100, 0, 1],
      [1, 0.5, 1],
    ]) {
      const theta = labelDirection(D, f, rng);
      expect(theta.filter((t) => t !== 0).length).toBe(want);
      expect(theta.every((t) => t === 0 || t === 1 || t === -1)).toBe(true);
    }
    // The support is random, not a prefix.
    const supports = new Set(
      Array.from({ length: 20 }, () =>
        labelDirection(20, 0.5, rng)
          .map((t) => (t !== 0 ? 1 : 0))
          .join(""),
      ),
    );
    expect(supports.size).toBeGreaterThan(15);
  });

  it("is determined by the seed and validates its arguments", () => {
    expect(Array.from(labelDirection(50, 0.5, new Rng(3)))).toEqual(Array.from(labelDirection(50, 0.5, new Rng(3))));
    expect(() => labelDirection(0, 1, new Rng(1))).toThrow(RangeError);
    expect(() => labelDirection(10, 1.5, new Rng(1))).toThrow(RangeError);
    expect(() => labelDirection(10, -0.1, new Rng(1))).toThrow(RangeError);
  });
});

describe("sampleCodes", () => {
  it("activates each coordinate with probability k/D, with balanced signs", () => {
    const D = 100;
    const n = 4000;
    const z = sampleCodes(n, spec(D, 5), null, new Rng(4));
    expect(z.length).toBe(n * D);
    let active = 0;
    let positive = 0;
    const perCoord = new Array(D).fill(0);
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < D; i++) {
        const v = z[s * D + i];
        if (v === 0) continue;
        expect(Math.abs(v)).toBe(1);
        active++;
        perCoord[i]++;
        if (v > 0) positive++;
      }
    }
    expect(Math.abs(active / (n * D) - 0.05)).toBeLessThan(0.0015); // sd 0.00034
    expect(Math.abs(positive / active - 0.5)).toBeLessThan(0.015); // sd 0.0035
    // Every coordinate is used at the same rate (200 expected, sd 14).
    for (const c of perCoord) expect(Math.abs(c - 200)).toBeLessThan(70);
  });

  it("draws uniform magnitudes in [magnitudeLow, 1]", () => {
    const D = 50;
    const z = sampleCodes(3000, spec(D, 10, "uniform", 0.3), null, new Rng(5));
    const mags = Array.from(z)
      .filter((v) => v !== 0)
      .map(Math.abs);
    expect(mags.every((a) => a >= 0.3 && a <= 1)).toBe(true);
    const mean = mags.reduce((s, a) => s + a, 0) / mags.length;
    expect(Math.abs(mean - 0.65)).toBeLessThan(0.01); // sd 0.0013
    const negative = Array.from(z).filter((v) => v < 0).length;
    expect(Math.abs(negative / mags.length - 0.5)).toBeLessThan(0.02);
  });

  it("never returns a tie theta·z = 0, even when ties are common", () => {
    const rng = new Rng(6);
    for (const [D, k, f] of [
      [100, 5, 1],
      [100, 2, 0.1],
      [20, 1, 0.05],
      [10, 4, 1],
    ]) {
      const theta = labelDirection(D, f, rng);
      const n = 2000;
      const z = sampleCodes(n, spec(D, k), theta, rng);
      for (let s = 0; s < n; s++) expect(dotRow(theta, z, s)).not.toBe(0);
    }
  });

  it("resamples a tie whole, so the activation rate stays close to k/D for a dense theta", () => {
    const D = 100;
    const theta = labelDirection(D, 1, new Rng(7));
    const z = sampleCodes(4000, spec(D, 5), theta, new Rng(8));
    let active = 0;
    for (const v of z) if (v !== 0) active++;
    // Conditioning on theta·z != 0 (an odd number of active coordinates is never a tie) moves the rate slightly.
    expect(Math.abs(active / z.length - 0.05)).toBeLessThan(0.006);
  });

  it("gives up with an error instead of looping forever when no sample can avoid a tie", () => {
    const theta = new Float64Array([1, 1]);
    expect(() => sampleCodes(1, spec(2, 0), theta, new Rng(9))).toThrow(/theta·z = 0/);
  });

  it("overwrites a reused out buffer completely", () => {
    const D = 30;
    const out = new Float64Array(10 * D).fill(NaN);
    const theta = labelDirection(D, 1, new Rng(10));
    const z = sampleCodes(10, spec(D, 3), theta, new Rng(11), out);
    expect(z).toBe(out);
    expect(Array.from(z)).toEqual(Array.from(sampleCodes(10, spec(D, 3), theta, new Rng(11))));
    const big = new Float64Array(20 * D).fill(NaN);
    const view = sampleCodes(10, spec(D, 3), theta, new Rng(11), big);
    expect(view.length).toBe(10 * D);
    expect(view.buffer).toBe(big.buffer);
    expect(() => sampleCodes(10, spec(D, 3), theta, new Rng(11), new Float64Array(5))).toThrow(RangeError);
  });

  it("validates the spec and theta", () => {
    const rng = new Rng(1);
    expect(() => sampleCodes(1, spec(10, 11), null, rng)).toThrow(RangeError);
    expect(() => sampleCodes(1, spec(10, -1), null, rng)).toThrow(RangeError);
    expect(() => sampleCodes(1, spec(10, 2, "uniform", 1.5), null, rng)).toThrow(RangeError);
    expect(() => sampleCodes(1, spec(10, 2), new Float64Array(9).fill(1), rng)).toThrow(RangeError);
    expect(() => sampleCodes(1, spec(10, 2), new Float64Array(10), rng)).toThrow(RangeError);
    expect(() => sampleCodes(1.5, spec(10, 2), null, rng)).toThrow(RangeError);
  });
});

describe("labels", () => {
  it("is sign(theta·z) as ±1 floats", () => {
    const D = 40;
    const rng = new Rng(12);
    const theta = labelDirection(D, 0.5, rng);
    const z = sampleCodes(500, spec(D, 4, "uniform", 0.2), theta, rng);
    const y = labels(z, 500, theta);
    expect(y).toBeInstanceOf(Float32Array);
    for (let s = 0; s < 500; s++) expect(y[s]).toBe(Math.sign(dotRow(theta, z, s)));
    const pos = y.filter((v) => v > 0).length;
    expect(pos).toBeGreaterThan(150);
    expect(pos).toBeLessThan(350);
  });

  it("counts an exact tie as +1 (codes drawn for another theta)", () => {
    const theta = new Float64Array([1, -1, 0]);
    const z = new Float64Array([1, 1, 0, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(labels(z, 3, theta))).toEqual([1, 1, -1]);
  });
});

describe("encode", () => {
  for (const [kind, d, D] of [
    ["identity", 12, 12],
    ["orthogonal", 12, 12],
    ["overcomplete", 12, 30],
  ] as const) {
    it(`matches the dense product M z (${kind})`, () => {
      const rng = new Rng(13);
      const dict = makeDictionary(kind, d, D, rng);
      const n = 50;
      const z = sampleCodes(n, spec(D, 3, "uniform", 0.1), null, rng);
      const x = encode(z, n, dict, 0, rng);
      expect(x.length).toBe(n * d);
      for (let s = 0; s < n; s++) {
        for (let r = 0; r < d; r++) {
          let v = 0;
          for (let i = 0; i < D; i++) v += dict.atoms[i * d + r] * z[s * D + i];
          expect(Math.abs(x[s * d + r] - v)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v)));
        }
      }
    });
  }

  it("adds N(0, noise^2) noise independent of the codes", () => {
    const dict = makeDictionary("orthogonal", 20, 20, new Rng(14));
    const n = 5000;
    const z = new Float64Array(n * 20);
    const x = encode(z, n, dict, 0.1, new Rng(15));
    let mean = 0;
    for (const v of x) mean += v;
    mean /= x.length;
    let variance = 0;
    for (const v of x) variance += (v - mean) ** 2;
    variance /= x.length;
    expect(Math.abs(mean)).toBeLessThan(0.002); // sd 0.00032
    expect(Math.abs(variance / 0.01 - 1)).toBeLessThan(0.03); // sd 0.0045
    // With codes, x - M z is the same noise.
    const z2 = sampleCodes(n, spec(20, 3), null, new Rng(16));
    const clean = encode(z2, n, dict, 0, new Rng(0));
    const noisy = encode(z2, n, dict, 0.1, new Rng(15));
    for (let i = 0; i < 200; i++) expect(noisy[i] - clean[i]).toBeCloseTo(x[i], 5);
  });

  it("draws nothing when noise is 0", () => {
    const dict = makeDictionary("identity", 5, 5, new Rng(1));
    const a = new Rng(17);
    encode(new Float64Array(50), 10, dict, 0, a);
    expect(a.nextU32()).toBe(new Rng(17).nextU32());
  });

  it("reuses out and checks sizes", () => {
    const dict = makeDictionary("identity", 5, 5, new Rng(1));
    const out = new Float32Array(20).fill(NaN);
    const z = new Float64Array(20);
    z[3] = 1;
    expect(encode(z, 4, dict, 0, new Rng(1), out)).toBe(out);
    expect(Array.from(out.subarray(0, 5))).toEqual([0, 0, 0, 1, 0]);
    expect(() => encode(z, 4, dict, 0, new Rng(1), new Float32Array(19))).toThrow(RangeError);
    expect(() => encode(z, 5, dict, 0, new Rng(1))).toThrow(RangeError);
    expect(() => encode(z, 4, dict, -1, new Rng(1))).toThrow(RangeError);
  });
});

describe("sampleLabelled", () => {
  const dict = makeDictionary("orthogonal", 30, 30, new Rng(18));
  const theta = labelDirection(30, 1, new Rng(19));
  const s = spec(30, 4);

  it("returns consistent x, y and z, determined by the seed", () => {
    const a = sampleLabelled(300, dict, s, theta, 0.01, new Rng(20));
    const b = sampleLabelled(300, dict, s, theta, 0.01, new Rng(20));
    expect(a.n).toBe(300);
    expect(a.x.length).toBe(300 * 30);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.y)).toEqual(Array.from(labels(a.z, 300, theta)));
    const c = sampleLabelled(300, dict, s, theta, 0.01, new Rng(21));
    expect(Array.from(c.x)).not.toEqual(Array.from(a.x));
  });

  it("reuses the buffers of a previous result and gives the same draws", () => {
    const first = sampleLabelled(64, dict, s, theta, 0.05, new Rng(22));
    const rng = new Rng(23);
    const again = sampleLabelled(64, dict, s, theta, 0.05, rng, first);
    expect(again.x).toBe(first.x);
    expect(again.z).toBe(first.z);
    expect(again.y).toBe(first.y);
    const fresh = sampleLabelled(64, dict, s, theta, 0.05, new Rng(23));
    expect(Array.from(again.x)).toEqual(Array.from(fresh.x));
    expect(Array.from(again.y)).toEqual(Array.from(fresh.y));
  });

  it("rejects a spec whose D differs from the dictionary's", () => {
    expect(() => sampleLabelled(1, dict, spec(31, 4), new Float64Array(31).fill(1), 0, new Rng(1))).toThrow(RangeError);
  });
});
