// exp, log and log1p from basic IEEE operations: within an ulp or so of Math.*, exact at the special
// values, and pinned by a fingerprint, because every random draw and every downstream fit passes
// through them (a change here changes every number featpure prints).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { exp, log, log1p } from "../../src/math/portable.js";
import { mulberry32 } from "./kernels-harness.js";

const view = new DataView(new ArrayBuffer(16));
function ulps(a: number, b: number): number {
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  return Math.abs(Number(view.getBigInt64(0) - view.getBigInt64(8)));
}

function worst(f: (x: number) => number, g: (x: number) => number, draw: () => number, n = 100_000): number {
  let w = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    w = Math.max(w, ulps(f(x), g(x)));
  }
  return w;
}

describe("portable math", () => {
  const rnd = mulberry32(11);

  it("exp is within 1 ulp of Math.exp over its whole finite range", () => {
    expect(worst(exp, Math.exp, () => -745 + 1454 * rnd())).toBeLessThanOrEqual(1);
    expect(worst(exp, Math.exp, () => 4 * rnd() - 2)).toBeLessThanOrEqual(1);
  });

  it("log is within 1 ulp of Math.log, subnormals included", () => {
    expect(worst(log, Math.log, () => rnd() * 10 ** (616 * rnd() - 308))).toBeLessThanOrEqual(1);
    expect(worst(log, Math.log, () => 0.5 + rnd())).toBeLessThanOrEqual(1);
    expect(worst(log, Math.log, () => rnd() * 2.2250738585072014e-308)).toBeLessThanOrEqual(1);
  });

  it("log1p is within 3 ulps of Math.log1p, tiny arguments included", () => {
    expect(worst(log1p, Math.log1p, () => (2 * rnd() - 1) * 10 ** (-20 * rnd()))).toBeLessThanOrEqual(3);
    expect(worst(log1p, Math.log1p, () => 100 * rnd())).toBeLessThanOrEqual(3);
  });

  it("gets the special values right", () => {
    expect([exp(0), exp(-Infinity), exp(Infinity), exp(710), exp(-746)]).toEqual([1, 0, Infinity, Infinity, 0]);
    expect(exp(NaN)).toBeNaN();
    expect(exp(-740)).toBeGreaterThan(0); // subnormal result, not flushed
    expect([log(1), log(0), log(Infinity), log(Number.MIN_VALUE)]).toEqual([0, -Infinity, Infinity, Math.log(Number.MIN_VALUE)]);
    expect(log(-1)).toBeNaN();
    expect([log1p(0), log1p(-1), log1p(1e-300), log1p(Infinity)]).toEqual([0, -Infinity, 1e-300, Infinity]);
    expect(Object.is(log1p(-0), -0)).toBe(true);
    expect(log1p(-2)).toBeNaN();
  });

  it("is what src/ uses: no engine-dependent Math function outside the f64 references", () => {
    const offenders: string[] = [];
    for (const f of readdirSync("src", { recursive: true, encoding: "utf8" })) {
      if (!f.endsWith(".ts") || f.startsWith("reference/") || f.startsWith("math/")) continue;
      readFileSync(`src/${f}`, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (
            /Math\.(exp|expm1|log|log1p|log2|log10|pow|sin|cos|tan|sinh|cosh|tanh|asin|acos|atan|atan2|asinh|acosh|atanh|cbrt|hypot)\b/.test(
              line,
            )
          )
            offenders.push(`src/${f}:${i + 1}`);
        });
    }
    // These differ in the last bit between JS engines; src/math/portable.ts does not.
    expect(offenders).toEqual([]);
  });

  it("gives the same bits as when featpure's numbers were recorded", () => {
    // FNV-1a over the bits of 3000 outputs: any change to the algorithms shows up here.
    const r = mulberry32(5);
    let h = 0x811c9dc5;
    for (let i = 0; i < 1000; i++) {
      for (const v of [exp(40 * r() - 20), log(1e3 * r()), log1p(r() - 0.5)]) {
        view.setFloat64(0, v);
        for (let b = 0; b < 8; b++) h = Math.imul(h ^ view.getUint8(b), 0x01000193) >>> 0;
      }
    }
    expect(h.toString(16)).toBe("8ac1be4c");
  });
});
