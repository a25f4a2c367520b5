// Source-dependent defaults, and a tiny run on the real digits through the API and the CLI.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { ConfigError, defaultConfig, resolveConfig } from "../../src/config/validate.js";
import { runExperiment } from "../../src/api.js";
import { proxiesTable, purityTable } from "../../src/report/tables.js";

const tiny = {
  data: { source: "mnist" as const },
  model: { width: 6 },
  optim: { steps: 4, batch: 16 },
  mnist: { nPretrain: 64 },
  downstream: { n: 60 },
  eval: { n: 40, steps: 3, restarts: 1, strongSteps: 4, strongRestarts: 1, epsL2: [1], epsLinf: [0.1] },
};

describe("MNIST configuration", () => {
  it("applies the MNIST defaults only when the source is mnist, and explicit values win", () => {
    const sparse = resolveConfig({});
    expect(sparse).toEqual(defaultConfig());
    const m = resolveConfig({ data: { source: "mnist" } });
    expect(m.adv).toMatchObject({ norm: "linf", eps: 0.1 });
    expect(m.eval).toMatchObject({ radiusNorm: "linf", radius: 0.1 });
    expect(m.mnist).toEqual({ pretrainTask: "low-high", downstreamTask: "parity", nPretrain: 0 });
    const explicit = resolveConfig({ data: { source: "mnist" } }, { adv: { eps: 0.3, norm: "l2" }, eval: { n: 500 } });
    expect(explicit.adv).toMatchObject({ norm: "l2", eps: 0.3 });
    expect(explicit.eval.n).toBe(500);
    // The last layer naming a source decides which defaults apply.
    expect(resolveConfig({ data: { source: "mnist" } }, { data: { source: "sparse" } }).adv).toEqual(defaultConfig().adv);
  });

  it("rejects pools that do not fit in the 10,000 digits or cannot fill a batch", () => {
    const issue = (layer: unknown) => {
      try {
        resolveConfig(layer);
      } catch (e) {
        if (e instanceof ConfigError) return e.issues[0];
        throw e;
      }
      return null;
    };
    expect(issue({ data: { source: "mnist" }, mnist: { nPretrain: 9000 } })).toMatchObject({
      path: "mnist.nPretrain",
      message: expect.stringContaining("must be at most"),
    });
    expect(issue({ data: { source: "mnist" }, eval: { n: 5000 }, downstream: { n: 4950 } })).toMatchObject({
      path: "mnist.nPretrain",
      message: expect.stringContaining("at least one batch"),
    });
    expect(issue({ data: { source: "mnist" }, mnist: { pretrainTask: "colour" } })).toMatchObject({ path: "mnist.pretrainTask" });
    expect(issue({ mnist: { nPretrain: 9000 } })).toBeNull(); // the synthetic data ignores the MNIST pools
  });
});

describe("featpure run --data mnist", () => {
  it("runs end to end on the digits: proxies instead of purity, the same numbers for the same seed", async () => {
    const a = await runExperiment(tiny);
    const b = await runExperiment(tiny);
    expect(a.arms.map((x) => x.arm)).toEqual(["clean", "adv"]);
    for (const arm of a.arms) {
      expect(arm.purity).toBeNull();
      expect(arm.proxies!.neurons).toBe(6);
      expect(arm.proxies!.live).toBeGreaterThan(0);
      expect(arm.proxies!.selectivity.mean).toBeGreaterThanOrEqual(0.1 - 1e-12);
      expect(arm.downstream.clean).toBeGreaterThan(0);
    }
    expect(purityTable(a)).toBeNull();
    expect(proxiesTable(a)!.rows.length).toBeGreaterThan(3);
    const strip = (r: typeof a) => r.arms.map((x) => ({ ...x, timingsMs: 0 }));
    expect(strip(b)).toEqual(strip(a));
  });

  it("pre-trains contrastively on augmented views of the digits, scored by a probe, deterministically", async () => {
    const cfg = { ...tiny, mode: "contrastive" as const };
    const a = await runExperiment(cfg);
    const b = await runExperiment(cfg);
    expect(a.config.model.trainThreshold).toBe(false); // the contrastive mode defaults apply to digits too
    for (const arm of a.arms) {
      expect(arm.pretrained.probe).toBeDefined();
      expect(arm.proxies!.neurons).toBe(6);
      expect(arm.curve.length).toBeGreaterThan(0);
      for (const p of arm.curve) expect(Number.isFinite(p.loss)).toBe(true);
    }
    const strip = (r: typeof a) => r.arms.map((x) => ({ ...x, timingsMs: 0 }));
    expect(strip(b)).toEqual(strip(a));
    // the two arms trained differently: the adversarial views moved the weights elsewhere
    expect(a.arms[0].curve.at(-1)!.loss).not.toBe(a.arms[1].curve.at(-1)!.loss);
  });

  it("draws the weight mosaics from the CLI, and refuses --mosaic without image data", () => {
    const bin = new URL("../../dist/bin/featpure.js", import.meta.url).pathname;
    const dir = mkdtempSync(join(tmpdir(), "featpure-mosaic-"));
    const flags = [
      "--data",
      "mnist",
      "--width",
      "4",
      "--steps",
      "3",
      "--batch",
      "16",
      "--mnist-n-pretrain",
      "64",
      "--n-down",
      "60",
      "--n-eval",
      "30",
      "--eval-steps",
      "2",
      "--restarts",
      "1",
      "--strong-steps",
      "2",
      "--strong-restarts",
      "1",
      "--eps-l2",
      "1",
      "--eps-linf",
      "0.1",
    ];
    const r = spawnSync(process.execPath, [bin, "run", ...flags, "--mosaic", dir], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Purification proxies");
    expect(r.stdout).not.toContain("Purification of the hidden neurons");
    expect(readdirSync(dir).sort()).toEqual(["weights-adv.png", "weights-clean.png", "weights.png"]);
    const one = PNG.sync.read(readFileSync(join(dir, "weights-clean.png")));
    const both = PNG.sync.read(readFileSync(join(dir, "weights.png")));
    expect(one.width).toBe(2 * (2 * 28 + 2) + 2); // 2 columns of 28x28 tiles at scale 2, gaps 2
    expect(both.width).toBe(2 * one.width + 8);
    const bad = spawnSync(process.execPath, [bin, "run", "--mosaic", dir], { encoding: "utf8", timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--mosaic");
    const tooBig = spawnSync(process.execPath, [bin, "run", "--data", "mnist", "--mnist-n-pretrain", "9000"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(tooBig.status).toBe(2);
    expect(tooBig.stderr).toContain("--mnist-n-pretrain (mnist.nPretrain): must be at most 7000");
  });
});
