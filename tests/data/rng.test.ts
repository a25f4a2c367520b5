import { describe, expect, it } from "vitest";
import { Rng } from "../../src/rng.js";

const take = (r: Rng, n: number) => Array.from({ length: n }, () => r.nextU32());

function moments(xs: Float64Array) {
  const n = xs.length;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const e = x - mean;
    m2 += e * e;
    m3 += e * e * e;
    m4 += e * e * e * e;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skew: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

describe("Rng determinism", () => {
  it("gives the same stream for the same seed, in every instance", () => {
    expect(take(new Rng(42), 1000)).toEqual(take(new Rng(42), 1000));
    expect(take(new Rng("run-a"), 100)).toEqual(take(new Rng("run-a"), 100));
  });

  it("pins the algorithm (sfc32 + seeding) so results are reproducible across engines and versions", () => {
    expect(take(new Rng(0), 4)).toEqual([2881700850, 706718108, 2839630282, 1236786068]);
    expect(take(new Rng("featpure"), 2)).toEqual([1620091016, 3316229649]);
    expect(take(new Rng(0).fork("init"), 2)).toEqual([2268588689, 2460418426]);
  });

  it("treats a number and its decimal string as the same seed", () => {
    expect(take(new Rng(7), 10)).toEqual(take(new Rng("7"), 10));
  });

  it("gives unrelated streams for nearby seeds", () => {
    const streams = [0, 1, 2, -1, 2 ** 40, "a", "b"].map((s) => take(new Rng(s), 8));
    const firsts = new Set(streams.map((s) => s[0]));
    expect(firsts.size).toBe(streams.length);
    // Adjacent integer seeds must not give correlated outputs: compare bitwise agreement ~ 50%.
    const a = take(new Rng(1000), 2000);
    const b = take(new Rng(1001), 2000);
    let agree = 0;
    for (let i = 0; i < a.length; i++) {
      let x = ~(a[i] ^ b[i]) >>> 0;
      while (x) {
        agree += x & 1;
        x >>>= 1;
      }
    }
    expect(agree / (32 * a.length)).toBeCloseTo(0.5, 2);
  });

  it("rejects seeds that cannot be hashed", () => {
    expect(() => new Rng(NaN)).toThrow(RangeError);
    expect(() => new Rng(Infinity)).toThrow(RangeError);
  });
});

describe("Rng.fork", () => {
  it("depends only on the original seed and the label, not on draws made", () => {
    const root = new Rng(5);
    const before = take(root.fork("data"), 20);
    take(root, 1000);
    root.normal(); // leaves a cached spare behind
    expect(take(root.fork("data"), 20)).toEqual(before);
    expect(take(new Rng(5).fork("data"), 20)).toEqual(before);
  });

  it("leaves a stream untouched when a sibling draws more", () => {
    const run = (extra: number) => {
      const root = new Rng(9);
      const a = root.fork("a");
      const b = root.fork("b");
      take(a, extra);
      return take(b, 10);
    };
    expect(run(0)).toEqual(run(5000));
  });

  it("gives distinct streams for distinct labels, parents and nesting orders", () => {
    const root = new Rng(3);
    const streams = [
      take(root.fork("a"), 4),
      take(root.fork("b"), 4),
      take(root.fork(""), 4),
      take(root.fork("a").fork("b"), 4),
      take(root.fork("b").fork("a"), 4),
      take(new Rng(4).fork("a"), 4),
      take(new Rng(3), 4),
    ];
    expect(new Set(streams.map((s) => s.join(","))).size).toBe(streams.length);
    expect(take(root.fork("a").fork("b"), 4)).toEqual(streams[3]);
  });
});

describe("Rng distributions", () => {
  it("nextU32 returns 32-bit unsigned integers with balanced bits", () => {
    const r = new Rng(11);
    const counts = new Array(32).fill(0);
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.nextU32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
      for (let b = 0; b < 32; b++) counts[b] += (u >>> b) & 1;
    }
    // sd of each frequency is 0.0035; 0.02 is ~6 sd.
    for (const c of counts) expect(Math.abs(c / n - 0.5)).toBeLessThan(0.02);
  });

  it("uniform lies in [0,1) with the moments of U(0,1) and more than 32 bits", () => {
    const r = new Rng(12);
    const n = 200_000;
    const xs = new Float64Array(n);
    let fine = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      xs[i] = u;
      if (!Number.isInteger(u * 2 ** 32)) fine++;
    }
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const m = moments(xs);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.004); // sd 0.00065
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(0.002); // sd 0.00019
    expect(fine).toBeGreaterThan(0.99 * n);
    // Lag-1 serial correlation ~ 0 (sd 0.0022).
    let c = 0;
    for (let i = 1; i < n; i++) c += (xs[i] - 0.5) * (xs[i - 1] - 0.5);
    expect(Math.abs(c / (n - 1) / (1 / 12))).toBeLessThan(0.015);
  });

  it("normal has mean 0, variance 1, no skew, kurtosis 3 and normal tails", () => {
    const r = new Rng(13);
    const n = 200_000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = r.normal();
    const m = moments(xs);
    expect(Math.abs(m.mean)).toBeLessThan(0.015); // sd 0.0022
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.02); // sd 0.0032
    expect(Math.abs(m.skew)).toBeLessThan(0.04); // sd 0.0055
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.08); // sd 0.011
    const tail = xs.filter((x) => Math.abs(x) > 1.959964).length / n;
    expect(Math.abs(tail - 0.05)).toBeLessThan(0.004); // sd 0.0005
    // Pairs from one polar draw must be uncorrelated.
    let c = 0;
    for (let i = 0; i + 1 < n; i += 2) c += xs[i] * xs[i + 1];
    expect(Math.abs(c / (n / 2))).toBeLessThan(0.02);
  });

  it("fillNormal draws exactly what repeated normal() calls would, scaled", () => {
    for (const [len, pre] of [
      [0, 0],
      [1, 0],
      [7, 0],
      [8, 1],
      [9, 3],
    ]) {
      const a = new Rng(21);
      const b = new Rng(21);
      for (let i = 0; i < pre; i++) expect(a.normal()).toBe(b.normal());
      const out = new Float64Array(len);
      a.fillNormal(out, 2.5);
      for (let i = 0; i < len; i++) expect(out[i]).toBe(2.5 * b.normal());
      expect(a.normal()).toBe(b.normal()); // same spare state afterwards
      expect(a.nextU32()).toBe(b.nextU32());
    }
    const f32 = new Float32Array(5);
    new Rng(22).fillNormal(f32);
    const ref = new Rng(22);
    for (let i = 0; i < 5; i++) expect(f32[i]).toBe(Math.fround(ref.normal()));
  });

  it("int stays in range, including n = 1 and n above 2^32", () => {
    const r = new Rng(14);
    for (const n of [1, 2, 3, 7, 1000, 2 ** 31 + 1, 2 ** 32, 2 ** 33 + 5, 2 ** 53]) {
      for (let i = 0; i < 200; i++) {
        const v = r.int(n);
        expect(Number.isInteger(v) && v >= 0 && v < n).toBe(true);
      }
    }
    expect(new Set(Array.from({ length: 100 }, () => r.int(2 ** 40))).size).toBe(100);
  });

  it("int is roughly uniform (chi-square) and unbiased where u % n would not be", () => {
    const r = new Rng(15);
    const n = 10;
    const draws = 100_000;
    const counts = new Array(n).fill(0);
    for (let i = 0; i < draws; i++) counts[r.int(n)]++;
    const e = draws / n;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(33.7); // df 9, p = 1e-4
    // n = 3 * 2^30: a plain u % n would put half the mass below 2^30 instead of a third.
    const big = 3 * 2 ** 30;
    let low = 0;
    for (let i = 0; i < 30000; i++) if (r.int(big) < 2 ** 30) low++;
    expect(Math.abs(low / 30000 - 1 / 3)).toBeLessThan(0.015);
  });

  it("int rejects non-integer or out-of-range n", () => {
    const r = new Rng(16);
    for (const n of [0, -1, 1.5, NaN, 2 ** 53 + 2, Infinity]) expect(() => r.int(n)).toThrow(RangeError);
  });
});

describe("Rng.shuffle", () => {
  it("permutes arrays and typed arrays in place, deterministically", () => {
    const a = Array.from({ length: 50 }, (_, i) => `x${i}`);
    const b = Int32Array.from({ length: 50 }, (_, i) => i);
    const c = Uint32Array.from({ length: 50 }, (_, i) => i);
    new Rng(1).shuffle(a);
    new Rng(1).shuffle(b);
    new Rng(1).shuffle(c);
    expect([...a].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `x${i}`).sort());
    expect([...b].sort((p, q) => p - q)).toEqual([...c].sort((p, q) => p - q));
    expect(a.map((s) => Number(s.slice(1)))).toEqual([...b]);
    expect([...b]).toEqual([...c]);
    expect([...b]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const empty: number[] = [];
    new Rng(1).shuffle(empty);
    expect(empty).toEqual([]);
  });

  it("puts each element in each position with equal probability", () => {
    const r = new Rng(17);
    const trials = 30_000;
    const counts = Array.from({ length: 4 }, () => new Array(4).fill(0));
    for (let t = 0; t < trials; t++) {
      const a = [0, 1, 2, 3];
      r.shuffle(a);
      a.forEach((v, pos) => counts[v][pos]++);
    }
    for (const row of counts) for (const c of row) expect(Math.abs(c / trials - 0.25)).toBeLessThan(0.015);
  });
});
