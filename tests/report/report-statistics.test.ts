import { describe, expect, it } from "vitest";
import { logGamma, mean, pairedDifference, regularizedBeta, sampleSd, tCdf, tInterval, tQuantile } from "../../src/report/statistics.js";

describe("statistics over seeds", () => {
  it("mean and sample standard deviation match hand computation", () => {
    expect(mean([1, 2, 3, 4, 5])).toBe(3);
    // sum of squared deviations 10, n - 1 = 4
    expect(sampleSd([1, 2, 3, 4, 5])).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(mean([])).toBeNaN();
    expect(sampleSd([7])).toBeNaN();
  });

  it("t quantiles agree with published tables", () => {
    // Two-sided 95% critical values t_{0.975, df}.
    const table: [number, number][] = [
      [1, 12.7062047],
      [2, 4.3026527],
      [4, 2.7764451],
      [9, 2.2621572],
      [30, 2.0422725],
      [1000, 1.962339],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df)).toBeCloseTo(t, 6);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.7764451, 6);
    expect(tQuantile(0.5, 3)).toBe(0);
    expect(tCdf(0, 5)).toBeCloseTo(0.5, 14);
    // df = 1 is the Cauchy distribution: P(T <= 1) = 3/4.
    expect(tCdf(1, 1)).toBeCloseTo(0.75, 12);
  });

  it("the special functions behind them are right", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // I_x(1, 1) = x and I_x(a, b) = 1 - I_{1-x}(b, a)
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedBeta(0.3, 2.5, 0.5)).toBeCloseTo(1 - regularizedBeta(0.7, 0.5, 2.5), 12);
  });

  it("t-interval of [1..5] is 3 +- 2.7764451 * sqrt(2.5/5)", () => {
    const i = tInterval([1, 2, 3, 4, 5]);
    const half = 2.7764451 * Math.sqrt(2.5 / 5);
    expect(i.n).toBe(5);
    expect(i.lo).toBeCloseTo(3 - half, 6);
    expect(i.hi).toBeCloseTo(3 + half, 6);
    const one = tInterval([0.4]);
    expect(one.mean).toBe(0.4);
    expect(one.lo).toBeNaN();
  });

  it("paired differences cancel the shared per-seed offset", () => {
    const a = [10.5, 20.7, 30.4];
    const b = [10, 20, 30];
    const p = pairedDifference(a, b);
    expect(p.mean).toBeCloseTo(0.5333333, 6);
    expect(p.wins).toBe(3);
    // differences 0.5, 0.7, 0.4: sd = sqrt(0.0233333) and t_{0.975,2} = 4.3026527
    const half = 4.3026527 * Math.sqrt(0.0466667 / 2 / 3);
    expect(p.lo).toBeCloseTo(0.5333333 - half, 5);
    // The unpaired interval of a alone is far wider than the effect.
    expect(tInterval(a).hi - tInterval(a).lo).toBeGreaterThan(10);
    expect(() => pairedDifference([1], [1, 2])).toThrow(/1 values against 2/);
  });
});
