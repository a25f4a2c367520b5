// What browsers and embedders rely on: the browser build (no Node code, the .wasm beside it), the
// exports map, heatmap snapshots during training, and the wasmBaseUrl pass-through.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { runExperiment, type ExperimentResult, type Snapshot } from "../../src/api.js";
import { coefficientMagnitudes } from "../../src/metrics/coefficients.js";
import { makeDictionary } from "../../src/data/dictionary.js";
import { Rng } from "../../src/rng.js";

const tiny = {
  seed: 5,
  data: { dim: 10, sparsity: 2 },
  model: { width: 12 },
  optim: { steps: 25, batch: 32 },
  logEvery: 10,
  backend: "simd" as const,
  downstream: { n: 100 },
  eval: { n: 50, epsL2: [0.5], epsLinf: [0.1], strongSteps: 2, strongRestarts: 1 },
};
const withoutTimings = (r: ExperimentResult) => JSON.parse(JSON.stringify(r, (k, v) => (k === "timingsMs" ? undefined : v)));

describe("browser build", () => {
  const bundle = readFileSync("dist/browser/featpure.js", "utf8");

  it("holds no Node-only code", () => {
    expect(bundle).not.toMatch(/["']node:/);
    expect(bundle).not.toMatch(/\bprocess\./);
    expect(bundle).not.toMatch(/readFileSync|existsSync/);
    expect(bundle).toMatch(/export\s*\{[^}]*runExperiment/);
  });

  it("ships every kernel build beside it, byte for byte", () => {
    const built = readdirSync("build").filter((f) => f.endsWith(".wasm"));
    expect(built.length).toBeGreaterThanOrEqual(2);
    for (const f of built) expect(readFileSync(`dist/browser/${f}`).equals(readFileSync(`build/${f}`))).toBe(true);
  });

  it("is what the exports map serves to browsers, with types for every condition", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    const root = pkg.exports["."];
    expect(Object.keys(root)).toEqual(["types", "browser", "import"]);
    expect(root.browser).toBe("./dist/browser/featpure.js");
    for (const target of Object.values(root) as string[]) expect(existsSync(target)).toBe(true);
  });
});

describe("snapshots and options for the page", () => {
  it("reports |M^T w| at step 1, every logEvery steps and at the end, without changing the result", async () => {
    const snaps: Snapshot[] = [];
    const r = await runExperiment(tiny, { onSnapshot: (s) => snaps.push(s) });
    expect(snaps.map((s) => `${s.arm}@${s.step}`)).toEqual([
      "clean@1",
      "clean@10",
      "clean@20",
      "clean@25",
      "adv@1",
      "adv@10",
      "adv@20",
      "adv@25",
    ]);
    for (const s of snaps) expect([s.m, s.D, s.coefficients.length]).toEqual([12, 10, 120]);
    // The last snapshot is the trained layer the purity metrics read: the same top feature per neuron.
    for (const arm of r.arms) {
      const last = snaps.filter((s) => s.arm === arm.arm).at(-1)!;
      arm.neurons.forEach((n, j) => {
        const row = Array.from(last.coefficients.subarray(j * 10, (j + 1) * 10));
        expect(row.indexOf(Math.max(...row))).toBe(n.topFeature);
      });
    }
    expect(withoutTimings(r)).toEqual(withoutTimings(await runExperiment(tiny)));
  });

  it("fetches the kernels from wasmBaseUrl when one is given", async () => {
    await expect(runExperiment(tiny, { wasmBaseUrl: "http://127.0.0.1:9/featpure-nowhere/" })).rejects.toThrow();
  });

  it("coefficientMagnitudes is |W| for the identity dictionary and keeps row norms for an orthogonal one", () => {
    const d = 7;
    const W = Float32Array.from({ length: 3 * d }, (_, i) => Math.sin(i + 1));
    const id = coefficientMagnitudes(W, 3, makeDictionary("identity", d, d, new Rng(1)));
    expect(Array.from(id)).toEqual(Array.from(W, Math.abs));
    const orth = coefficientMagnitudes(W, 3, makeDictionary("orthogonal", d, d, new Rng(2)));
    for (let j = 0; j < 3; j++) {
      const norm = (a: Float32Array) => Math.hypot(...a.subarray(j * d, (j + 1) * d));
      expect(norm(orth)).toBeCloseTo(norm(W), 5);
    }
    expect(() => coefficientMagnitudes(W, 4, makeDictionary("identity", d, d, new Rng(1)))).toThrow(/m x d = 4 x 7/);
  });
});
