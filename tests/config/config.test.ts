import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConfigError, defaultConfig, resolveConfig, walkSchema } from "../../src/config/validate.js";
import { VERSION } from "../../src/version.js";

function issuesOf(layer: unknown): { path: string; message: string }[] {
  try {
    resolveConfig(layer);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

describe("configuration", () => {
  it("has the documented defaults of the reference model", () => {
    const c = defaultConfig();
    expect(c.data).toMatchObject({ dictionary: "orthogonal", dim: 100, sparsity: 5, noise: 0 });
    expect(c.model).toMatchObject({
      width: 200,
      activation: "symrelu",
      thresholdInit: 0,
      trainThreshold: true,
      initStd: 0.01,
      trainHead: true,
    });
    expect(c.optim).toMatchObject({ optimizer: "adam", lr: 0.01, batch: 256, steps: 1000 });
    expect(c.adv).toMatchObject({ attack: "pgd", norm: "l2", eps: 0.2, steps: 5, randomStart: true });
    expect(c.eval).toMatchObject({ n: 4000, steps: 20 });
    expect(c.downstream.n).toBe(2000);
  });

  it("every schema default passes its own validation", () => {
    expect(() => resolveConfig(defaultConfig())).not.toThrow();
  });

  it("every field has a doc string and a unique CLI flag", () => {
    const flags = new Set<string>();
    walkSchema((path, spec) => {
      expect(spec.doc.length, path).toBeGreaterThan(5);
      expect(spec.flag, path).toBeTruthy();
      expect(flags.has(spec.flag!), `duplicate flag ${spec.flag}`).toBe(false);
      flags.add(spec.flag!);
    });
  });

  it("overlays layers, later winning", () => {
    const c = resolveConfig({ model: { width: 50 } }, { model: { width: 60 }, seed: 3 });
    expect(c.model.width).toBe(60);
    expect(c.seed).toBe(3);
    expect(c.data.dim).toBe(100);
  });

  it.each([
    [{ model: { width: 0 } }, "model.width", "integer in [1, 65536]"],
    [{ model: { width: 2.5 } }, "model.width", "integer"],
    [{ optim: { lr: 0 } }, "optim.lr", "(0, 100]"],
    [{ optim: { lr: "fast" } }, "optim.lr", 'got "fast"'],
    [{ adv: { norm: "l3" } }, "adv.norm", "one of l2, linf"],
    [{ eval: { epsL2: [0.1, -0.2] } }, "eval.epsL2", "numbers in [0, 100]"],
    [{ model: { trainHead: "yes" } }, "model.trainHead", "true or false"],
    [{ modle: {} }, "modle", "unknown option"],
    [{ data: { colour: 1 } }, "data.colour", "unknown option"],
    [{ data: 5 }, "data", "must be an object"],
    [{ data: { sparsity: 150 } }, "data.sparsity", "at most the number of features D = 100"],
    [{ data: { features: 120 } }, "data.features", "use dictionary overcomplete"],
    [{ data: { dictionary: "overcomplete", features: 50 } }, "data.features", "at least data.dim"],
    [{ data: { nTrain: 100 } }, "data.nTrain", "at least optim.batch"],
  ])("rejects %j at %s", (layer, path, text) => {
    const issues = issuesOf(layer);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0].path).toBe(path);
    expect(issues[0].message).toContain(text);
  });

  it("accepts an over-complete dictionary with D > d", () => {
    expect(resolveConfig({ data: { dictionary: "overcomplete", dim: 50, features: 80 } }).data.features).toBe(80);
  });

  it("reports every bad field at once", () => {
    expect(issuesOf({ seed: -1, model: { width: -1 } }).map((i) => i.path)).toEqual(["seed", "model.width"]);
  });

  it("VERSION matches package.json", () => {
    expect(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version).toBe(VERSION);
  });
});
