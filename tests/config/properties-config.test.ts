// Property-based checks (fast-check) of the one configuration schema: random valid configurations
// survive the trip through JSON and through CLI flag strings unchanged, and random damage to any
// field (wrong type, out of range, unknown key) is rejected with the path of that field.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ConfigError, resolveConfig, setPath, walkSchema } from "../../src/config/validate.js";
import type { FieldSpec } from "../../src/config/schema.js";
import { configFromFlags, flagSpecs, parseFlag } from "../../src/config/flags.js";

const RUNS = { numRuns: 150, seed: 42 };
const fields: { path: string; spec: FieldSpec }[] = [];
walkSchema((path, spec) => fields.push({ path, spec }));

const noNegZero = (x: number) => (Object.is(x, -0) ? 0 : x);

/** Values the spec accepts, kept small so most random layers also satisfy the combination rules. */
function valid(spec: FieldSpec): fc.Arbitrary<unknown> {
  switch (spec.kind) {
    case "int":
      return fc.oneof(
        fc.constant(spec.min),
        fc.constant(spec.default),
        fc.integer({ min: spec.min, max: Math.min(spec.max, spec.min + 40) }),
      );
    case "number": {
      const hi = Math.min(spec.max, spec.min + 2);
      return fc.oneof(
        fc.constant(spec.default),
        fc.double({ min: spec.min, max: hi, noNaN: true, minExcluded: spec.minExclusive }).map(noNegZero),
      );
    }
    case "enum":
      return fc.constantFrom(...spec.values);
    case "bool":
      return fc.boolean();
    case "list":
      return fc.array(fc.double({ min: spec.min, max: Math.min(spec.max, 3), noNaN: true }).map(noNegZero), { maxLength: 6 });
    case "choices":
      return fc.subarray([...spec.values], { minLength: 1 });
  }
}

/** Values the spec rejects. */
function invalid(spec: FieldSpec): fc.Arbitrary<unknown> {
  const wrongType = fc.constantFrom<unknown>("text", null, {}, true);
  switch (spec.kind) {
    case "int":
      return fc.oneof(
        wrongType,
        fc.constant(spec.min - 1),
        fc.constant(spec.max + 1),
        fc.constant(spec.min + 0.5),
        fc.constant(Infinity),
        fc.constant(NaN),
      );
    case "number":
      return fc.oneof(
        wrongType,
        fc.constant(spec.max * 2 + 1),
        fc.constant(spec.minExclusive ? spec.min : spec.min - 1),
        fc.constant(NaN),
        fc.constant(-Infinity),
      );
    case "enum":
      return fc.oneof(
        fc.constantFrom<unknown>(3, null, true),
        fc.string().filter((s) => !spec.values.includes(s)),
      );
    case "bool":
      return fc.constantFrom<unknown>("true", 1, 0, null, "false");
    case "list":
      return fc.oneof(
        fc.constantFrom<unknown>(0.1, "0.1", null, ["x"]),
        fc.constant([spec.min - 1]),
        fc.constant(new Array(spec.maxLength + 1).fill(spec.min)),
      );
    case "choices":
      return fc.oneof(
        fc.constantFrom<unknown>([], "x", null, [3]),
        fc.constant([spec.values[0], spec.values[0]]),
        fc
          .string()
          .filter((s) => !spec.values.includes(s))
          .map((s) => [s]),
      );
  }
}

/** A random partial configuration: each field present with probability 1/2. */
const layer = fc.tuple(...fields.map((f) => fc.option(valid(f.spec), { nil: undefined, freq: 1 }))).map((values) => {
  const out: Record<string, unknown> = {};
  values.forEach((v, i) => v !== undefined && setPath(out, fields[i].path, v));
  return out;
});

function tryResolve(l: unknown) {
  try {
    return resolveConfig(l);
  } catch (e) {
    if (e instanceof ConfigError) return null;
    throw e;
  }
}

function issuesOf(l: unknown) {
  try {
    resolveConfig(l);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}

describe("configuration properties", () => {
  it("valid configurations round-trip through JSON unchanged", () => {
    let accepted = 0;
    fc.assert(
      fc.property(layer, (l) => {
        const c = tryResolve(l);
        fc.pre(c !== null);
        accepted++;
        expect(resolveConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
        expect(resolveConfig(c, c)).toEqual(c); // idempotent
      }),
      RUNS,
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it("valid configurations round-trip through CLI flag strings unchanged", () => {
    fc.assert(
      fc.property(layer, (l) => {
        const c = tryResolve(l);
        fc.pre(c !== null);
        const fromFlags: Record<string, unknown> = {};
        for (const f of flagSpecs()) {
          const v = f.path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);
          setPath(fromFlags, f.path, parseFlag(f.spec, Array.isArray(v) ? v.join(",") : String(v)));
        }
        expect(resolveConfig(fromFlags)).toEqual(c);
      }),
      RUNS,
    );
  });

  it("a damaged field is rejected with its path, whatever the rest of the configuration", () => {
    const damage = fc
      .integer({ min: 0, max: fields.length - 1 })
      .chain((i) => fc.tuple(fc.constant(fields[i].path), invalid(fields[i].spec)));
    fc.assert(
      fc.property(layer, damage, (l, [path, bad]) => {
        const broken = structuredClone(l);
        setPath(broken, path, bad);
        const issues = issuesOf(broken);
        expect(issues.map((i) => i.path)).toContain(path);
        expect(issues.find((i) => i.path === path)!.message).toMatch(/must be/);
      }),
      RUNS,
    );
  });

  it("an unknown key anywhere is rejected with its path", () => {
    const groups = ["", ...new Set(fields.map((f) => f.path.split(".").slice(0, -1).join(".")).filter(Boolean))];
    const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && k !== "__proto__");
    fc.assert(
      fc.property(fc.constantFrom(...groups), key, (group, k) => {
        const path = group ? `${group}.${k}` : k;
        fc.pre(!fields.some((f) => f.path === path || f.path.startsWith(path + ".")));
        const l: Record<string, unknown> = {};
        setPath(l, path, 1);
        const issues = issuesOf(l);
        expect(issues).toHaveLength(1);
        expect(issues[0]).toMatchObject({ path, message: expect.stringContaining("unknown option") });
      }),
      RUNS,
    );
  });

  it("keys that name Object.prototype members are unknown options, not prototype writes", () => {
    const issues = issuesOf(JSON.parse('{"__proto__": {"seed": 3}, "model": {"constructor": 1, "toString": 2}}'));
    expect(issues.map((i) => i.path)).toEqual(["__proto__", "model.constructor", "model.toString"]);
    expect(({} as Record<string, unknown>).seed).toBeUndefined();
  });
});

describe("URL parameters", () => {
  it("are parsed like CLI flags and checked by the same schema", () => {
    const c = configFromFlags(new URLSearchParams("width=50&eps-l2=0.1,0.2&train-head=false"));
    expect(c.model.width).toBe(50);
    expect(c.eval.epsL2).toEqual([0.1, 0.2]);
    expect(c.model.trainHead).toBe(false);
  });

  it("name the parameter and its field when rejected", () => {
    expect(() => configFromFlags(new URLSearchParams("widht=5"))).toThrow("widht: unknown parameter");
    expect(() => configFromFlags(new URLSearchParams("eps-linf=0.1,-1"))).toThrow("eps-linf (eval.epsLinf): must be a list");
    expect(() => configFromFlags(new URLSearchParams("dim=10&sparsity=20"))).toThrow(
      "sparsity (data.sparsity): must be at most the number of features D = 10",
    );
  });
});
