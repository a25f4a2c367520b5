// Mode-dependent defaults (MODE_DEFAULTS in src/config/schema.ts): applied under every user layer.
import { describe, expect, it } from "vitest";
import { MODE_DEFAULTS } from "../../src/config/schema.js";
import { ConfigError, defaultConfig, resolveConfig } from "../../src/config/validate.js";

describe("mode defaults", () => {
  it("contrastive mode gets fixed thresholds at 0.3 and init std 0.1; supervised keeps the schema defaults", () => {
    const c = resolveConfig({ mode: "contrastive" });
    expect(c.model).toMatchObject({ thresholdInit: 0.3, trainThreshold: false, initStd: 0.1 });
    expect(c.contrastive).toMatchObject({ views: "identical", loss: "ntxent", tau: 0.5, normalize: true, keepClean: false });
    expect(resolveConfig({}).model).toEqual(defaultConfig().model);
    expect(resolveConfig({ mode: "supervised" })).toEqual(defaultConfig());
  });

  it("explicit values win, in the same layer or in any other", () => {
    expect(resolveConfig({ mode: "contrastive", model: { trainThreshold: true, thresholdInit: 0 } }).model).toMatchObject({
      trainThreshold: true,
      thresholdInit: 0,
      initStd: 0.1,
    });
    expect(resolveConfig({ model: { initStd: 0.02 } }, { mode: "contrastive" }).model.initStd).toBe(0.02);
    expect(resolveConfig({ mode: "contrastive" }, { model: { initStd: 0.05 } }).model).toMatchObject({ initStd: 0.05, thresholdInit: 0.3 });
  });

  it("the last layer that names a mode picks the defaults", () => {
    expect(resolveConfig({ mode: "contrastive" }, { mode: "supervised" }).model.thresholdInit).toBe(0);
    expect(resolveConfig({ mode: "supervised" }, { mode: "contrastive" }).model.thresholdInit).toBe(0.3);
  });

  it("an invalid mode is reported, not silently replaced", () => {
    expect(() => resolveConfig({ mode: "simclr" })).toThrow(ConfigError);
    expect(() => resolveConfig({ mode: "simclr" })).toThrow(/mode: must be one of supervised, contrastive/);
  });

  it("every mode default is itself a valid value", () => {
    for (const mode of Object.keys(MODE_DEFAULTS))
      expect(() => resolveConfig({ mode }, MODE_DEFAULTS[mode as keyof typeof MODE_DEFAULTS])).not.toThrow();
  });
});
