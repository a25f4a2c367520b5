// The planning stage: every check a run needs beyond the schema, once, before anything runs; and the
// one flag grammar that turns flag/value pairs into a configuration as `featpure run` does.
import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../../src/config/validate.js";
import { configFromFlags, layerFromFlags } from "../../src/config/flags.js";
import { CheckpointMismatchError, planEncoder, planRun } from "../../src/experiments/plan.js";
import { encodeCheckpoint } from "../../src/io/checkpointFile.js";

describe("planRun", () => {
  it("refuses a configuration over the memory budget, naming the field to reduce", () => {
    expect(() => planRun({ model: { width: 65536 }, data: { dim: 4096 } })).toThrow(/model\.width: the run needs about .* of WASM memory/);
  });

  it("decodes the checkpoint to continue from once, and refuses one of another configuration", () => {
    const cfg = resolveConfig({ seed: 4 });
    const bytes = encodeCheckpoint({ config: cfg, arms: {} });
    const plan = planRun(cfg, bytes);
    expect(plan.resume?.config).toEqual(cfg);
    expect(planRun(cfg, plan.resume).resume).toBe(plan.resume);
    const err = (() => {
      try {
        planRun({ seed: 5 }, bytes);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    expect((err as ConfigError).issues).toEqual([
      { path: "seed", message: "the checkpoint was written with 4, this run has 5; resume with the checkpoint's configuration" },
    ]);
  });

  it("planEncoder wants one arm", () => {
    expect(() => planEncoder({ train: "both" })).toThrow(/train: an encoder is one pre-trained network/);
    expect(planEncoder({ train: "adv" }).config.train).toBe("adv");
  });
});

describe("configFromFlags", () => {
  it("applies the selected mode's defaults under the flags, as the CLI does, over a lower layer", () => {
    const preset = { eval: { n: 1000 } };
    const c = configFromFlags(
      [
        ["mode", "contrastive"],
        ["width", "50"],
      ],
      preset,
    );
    expect([c.model.thresholdInit, c.model.trainThreshold, c.model.initStd, c.model.width, c.eval.n]).toEqual([0.3, false, 0.1, 50, 1000]);
    expect(configFromFlags([["mode", "supervised"]], preset).model.thresholdInit).toBe(0);
    expect(
      configFromFlags([
        ["mode", "contrastive"],
        ["threshold", "0"],
      ]).model.thresholdInit,
    ).toBe(0);
  });

  it("names the flag of a bad value and an unknown flag", () => {
    expect(() => configFromFlags([["eps", "0x10"]])).toThrow('eps (adv.eps): must be a number in [0, 100], got "0x10"');
    expect(() => layerFromFlags([["widht", "5"]])).toThrow("widht: unknown parameter");
  });
});
