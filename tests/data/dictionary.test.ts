import { describe, expect, it } from "vitest";
import { coefficients, coefficientsInto, makeDictionary, synthesize, type Dictionary } from "../../src/data/dictionary.js";
import { Rng } from "../../src/rng.js";

/** max |(A A^T - I)_{ij}| over the D x D Gram matrix of the atoms: M^T M = I. */
function gramError(dict: Dictionary): number {
  const { d, D, atoms } = dict;
  let err = 0;
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      let s = 0;
      for (let r = 0; r < d; r++) s += atoms[i * d + r] * atoms[j * d + r];
      err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return err;
}

/** max |(M M^T - I)_{rs}|: the atoms also span R^d orthonormally (square case). */
function rowGramError(dict: Dictionary): number {
  const { d, D, atoms } = dict;
  let err = 0;
  for (let r = 0; r < d; r++) {
    for (let s = 0; s < d; s++) {
      let v = 0;
      for (let i = 0; i < D; i++) v += atoms[i * d + r] * atoms[i * d + s];
      err = Math.max(err, Math.abs(v - (r === s ? 1 : 0)));
    }
  }
  return err;
}

describe("makeDictionary", () => {
  it("identity is I", () => {
    const dict = makeDictionary("identity", 6, 6, new Rng(1));
    expect(dict).toMatchObject({ kind: "identity", d: 6, D: 6 });
    expect(gramError(dict)).toBe(0);
    for (let i = 0; i < 6; i++) for (let r = 0; r < 6; r++) expect(dict.atoms[i * 6 + r]).toBe(i === r ? 1 : 0);
  });

  it("orthogonal satisfies M^T M = I and M M^T = I to 1e-10", () => {
    for (const d of [1, 2, 5, 100]) {
      const dict = makeDictionary("orthogonal", d, d, new Rng(d));
      expect(dict.atoms.length).toBe(d * d);
      expect(gramError(dict)).toBeLessThan(1e-10);
      expect(rowGramError(dict)).toBeLessThan(1e-10);
    }
  });

  it("orthogonal is dense in input space, not a signed permutation", () => {
    const dict = makeDictionary("orthogonal", 50, 50, new Rng(3));
    let small = 0;
    for (const a of dict.atoms) if (Math.abs(a) < 1e-3) small++;
    expect(small).toBeLessThan(0.01 * dict.atoms.length);
    // Entries of a Haar matrix have variance 1/d.
    let s2 = 0;
    for (const a of dict.atoms) s2 += a * a;
    expect(s2 / dict.atoms.length).toBeCloseTo(1 / 50, 10);
  });

  it("orthogonal is Haar: E[tr M] = 0, E[tr(M)^2] = 1, symmetric entries", () => {
    // Without the sign fix of the QR, M_11 would have a fixed sign and E[tr M] would not vanish.
    const rng = new Rng(4);
    const trials = 3000;
    let tr = 0;
    let tr2 = 0;
    let positive11 = 0;
    for (let t = 0; t < trials; t++) {
      const { atoms } = makeDictionary("orthogonal", 3, 3, rng);
      const trace = atoms[0] + atoms[4] + atoms[8];
      tr += trace;
      tr2 += trace * trace;
      if (atoms[0] > 0) positive11++;
    }
    expect(Math.abs(tr / trials)).toBeLessThan(0.06); // sd 0.018
    expect(Math.abs(tr2 / trials - 1)).toBeLessThan(0.1); // sd ~0.026
    expect(Math.abs(positive11 / trials - 0.5)).toBeLessThan(0.04);
  });

  it("overcomplete has unit-norm atoms that are not orthogonal", () => {
    const dict = makeDictionary("overcomplete", 20, 60, new Rng(5));
    expect(dict.atoms.length).toBe(60 * 20);
    for (let i = 0; i < 60; i++) {
      let s = 0;
      for (let r = 0; r < 20; r++) s += dict.atoms[i * 20 + r] ** 2;
      expect(Math.abs(Math.sqrt(s) - 1)).toBeLessThan(1e-12);
    }
    expect(gramError(dict)).toBeGreaterThan(0.1);
    // D = d is allowed too.
    expect(makeDictionary("overcomplete", 4, 4, new Rng(1)).D).toBe(4);
  });

  it("is determined by the seed", () => {
    for (const kind of ["orthogonal", "overcomplete"] as const) {
      const a = makeDictionary(kind, 10, kind === "orthogonal" ? 10 : 30, new Rng("dict"));
      const b = makeDictionary(kind, 10, kind === "orthogonal" ? 10 : 30, new Rng("dict"));
      const c = makeDictionary(kind, 10, kind === "orthogonal" ? 10 : 30, new Rng("other"));
      expect(Array.from(a.atoms)).toEqual(Array.from(b.atoms));
      expect(Array.from(a.atoms)).not.toEqual(Array.from(c.atoms));
    }
  });

  it("throws a RangeError naming the violated condition", () => {
    const rng = new Rng(1);
    expect(() => makeDictionary("identity", 5, 6, rng)).toThrow(/identity.*D = d/);
    expect(() => makeDictionary("orthogonal", 5, 4, rng)).toThrow(/orthogonal.*D = d/);
    expect(() => makeDictionary("overcomplete", 5, 4, rng)).toThrow(/overcomplete.*D >= d/);
    expect(() => makeDictionary("identity", 0, 0, rng)).toThrow(/d >= 1/);
    expect(() => makeDictionary("overcomplete", 3, 4.5, rng)).toThrow(/D >= 1/);
    expect(() => makeDictionary("identity", 5, 6, rng)).toThrow(RangeError);
    expect(() => makeDictionary("bogus" as never, 5, 5, rng)).toThrow(RangeError);
  });
});

describe("coefficients", () => {
  it("computes c = M^T w for every kind", () => {
    const rng = new Rng(8);
    for (const [kind, d, D] of [
      ["identity", 7, 7],
      ["orthogonal", 7, 7],
      ["overcomplete", 7, 19],
    ] as const) {
      const dict = makeDictionary(kind, d, D, rng);
      const w = Array.from({ length: d }, () => rng.normal());
      const c = coefficients(dict, w);
      expect(c.length).toBe(D);
      for (let i = 0; i < D; i++) {
        let s = 0;
        for (let r = 0; r < d; r++) s += dict.atoms[i * d + r] * w[r];
        expect(c[i]).toBeCloseTo(s, 12);
      }
      // The orthogonal M preserves norms.
      if (kind !== "overcomplete") expect(Math.hypot(...c)).toBeCloseTo(Math.hypot(...w), 12);
    }
  });

  it("reads one row of a row-major matrix with coefficientsInto", () => {
    const rng = new Rng(9);
    const dict = makeDictionary("orthogonal", 4, 4, rng);
    const W = new Float32Array(12);
    rng.fillNormal(W);
    const out = new Float64Array(4);
    coefficientsInto(dict, W, 8, out);
    expect(Array.from(out)).toEqual(Array.from(coefficients(dict, W.subarray(8, 12))));
  });

  it("synthesize is the adjoint: <M c, w> = <c, M^T w>", () => {
    const rng = new Rng(10);
    const dict = makeDictionary("overcomplete", 6, 15, rng);
    const c = Array.from({ length: 15 }, () => rng.normal());
    const w = Array.from({ length: 6 }, () => rng.normal());
    const Mc = synthesize(dict, c);
    const Mtw = coefficients(dict, w);
    const lhs = Mc.reduce((s, v, r) => s + v * w[r], 0);
    const rhs = Mtw.reduce((s, v, i) => s + v * c[i], 0);
    expect(lhs).toBeCloseTo(rhs, 12);
  });

  it("rejects vectors of the wrong length", () => {
    const dict = makeDictionary("identity", 3, 3, new Rng(1));
    expect(() => coefficients(dict, [1, 2])).toThrow(RangeError);
    expect(() => synthesize(dict, [1, 2, 3, 4])).toThrow(RangeError);
  });
});
