// The demo page's settings: URL query <-> configuration, in the CLI's flag names, so a shared link
// and the printed command line describe the same experiment.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, defaultConfig, resolveConfig, type Config } from "../../src/api.js";
import { cliCommand, configFromQuery, FORM_FLAGS, flagSpec, PAGE_PRESET, queryFromConfig } from "../../web/settings.js";

describe("page settings", () => {
  it("an empty query is the page preset, and the preset is a valid, lighter evaluation", () => {
    const preset = configFromQuery(new URLSearchParams());
    expect(preset).toEqual(resolveConfig(PAGE_PRESET));
    expect(preset.eval.n).toBeLessThan(defaultConfig().eval.n);
    expect(preset.optim).toEqual(defaultConfig().optim);
  });

  it("every form field is a real option", () => {
    for (const flag of FORM_FLAGS) expect(flagSpec(flag).path).toMatch(/^[a-z.A-Z]+$/);
  });

  it("round-trips configurations through the query, writing what differs from the mode's defaults, and the backend always", () => {
    const configs: Config[] = [
      defaultConfig(),
      resolveConfig({ seed: 9, train: "adv", adv: { norm: "linf", eps: 0.05 }, model: { width: 37 } }),
      resolveConfig({
        data: { dictionary: "overcomplete", dim: 20, features: 50 },
        eval: { epsL2: [0.5, 1.5] },
        model: { trainHead: false },
      }),
      resolveConfig({ mode: "contrastive", backend: "relaxed", model: { thresholdInit: 0 } }),
      resolveConfig({ data: { source: "mnist" }, model: { width: 20 } }),
    ];
    for (const cfg of configs) expect(configFromQuery(queryFromConfig(cfg))).toEqual(cfg);
    expect(queryFromConfig(defaultConfig()).toString()).toBe("backend=relaxed");
    expect(queryFromConfig(configs[1]).toString()).toBe("seed=9&train=adv&width=37&norm=linf&eps=0.05&backend=relaxed");
    // A mode's or a data source's own defaults are not settings: the CLI applies them under every flag.
    expect(queryFromConfig(configs[3]).toString()).toBe("mode=contrastive&threshold=0&backend=relaxed");
    expect(queryFromConfig(configs[4]).toString()).toBe("data=mnist&width=20&backend=relaxed");
  });

  it("rejects unknown parameters and bad values with the option named", () => {
    expect(() => configFromQuery(new URLSearchParams("epsilon=0.3"))).toThrow(/epsilon: unknown URL parameter/);
    expect(() => configFromQuery(new URLSearchParams("width=0"))).toThrow(ConfigError);
    expect(() => configFromQuery(new URLSearchParams("width=0"))).toThrow(/width: must be an integer in \[1, 65536\], got 0/);
    expect(() => configFromQuery(new URLSearchParams("train=sometimes"))).toThrow(/train: must be one of clean, adv, both/);
    // Only decimals, as the CLI reads them: Number() would read the first three as 16, 0 and 100.
    expect(() => configFromQuery(new URLSearchParams("eps=0x10"))).toThrow(/eps: must be a number in \[0, 100\], got "0x10"/);
    for (const bad of ["eps=", "width=1e2.5", "width=0x10", "eps-l2=0.1,,0.2"])
      expect(() => configFromQuery(new URLSearchParams(bad))).toThrow(ConfigError);
    expect(configFromQuery(new URLSearchParams("eps=1e-1")).adv.eps).toBe(0.1);
  });

  it("prints a command line that the CLI resolves to the same configuration, in either mode", () => {
    const small =
      "seed=4&train=clean&dim=10&width=8&sparsity=2&steps=5&batch=16&n-down=50&n-eval=20&eps-l2=0.5&eps-linf=0.1&strong-steps=2&strong-restarts=1";
    const dir = mkdtempSync(join(tmpdir(), "featpure-settings-"));
    try {
      for (const query of [small, `${small}&mode=contrastive&init-std=0.05`]) {
        const cfg = configFromQuery(new URLSearchParams(query));
        const args = cliCommand(cfg).split(" ").slice(2);
        const out = join(dir, "r.json");
        const r = spawnSync(process.execPath, ["dist/bin/featpure.js", ...args, "--quiet", "--json", out], {
          encoding: "utf8",
          timeout: 60_000,
        });
        expect(r.stderr).toBe("");
        expect(JSON.parse(readFileSync(out, "utf8")).config).toEqual(cfg);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
