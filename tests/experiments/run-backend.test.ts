// The same seed and options give the same result on every surface: the README's API example in a
// plain Node process (no V8 flags) and `featpure run` with the same options write the same JSON,
// kernel build included.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const bin = join(root, "dist/bin/featpure.js");
// The README example (seed 7, width 100, eps 0.3), shortened so that it runs in seconds.
const config = {
  seed: 7,
  model: { width: 100 },
  adv: { eps: 0.3 },
  optim: { steps: 40 },
  downstream: { n: 400 },
  eval: { n: 200, epsL2: [0.2], epsLinf: [0.05], strongSteps: 5, strongRestarts: 1 },
};
const flags = [
  "--seed",
  "7",
  "--width",
  "100",
  "--eps",
  "0.3",
  "--steps",
  "40",
  "--n-down",
  "400",
  "--n-eval",
  "200",
  "--eps-l2",
  "0.2",
  "--eps-linf",
  "0.05",
  "--strong-steps",
  "5",
  "--strong-restarts",
  "1",
];

/** The result without its wall-clock timings, which are the only fields allowed to differ. */
function science(json: string): unknown {
  return JSON.parse(json, (k, v) => (k === "timingsMs" ? undefined : v));
}

describe("one build on every surface", () => {
  it("the README API example on plain Node and featpure run give the same JSON, on the relaxed build", () => {
    const dir = mkdtempSync(join(tmpdir(), "featpure-backend-"));
    const script = `import { runExperiment } from ${JSON.stringify(join(root, "dist/src/api.js"))};
      const r = await runExperiment(${JSON.stringify(config)});
      process.stdout.write(JSON.stringify(r, null, 1) + "\\n");`;
    const api = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(api.status, api.stderr).toBe(0);
    const out = join(dir, "cli.json");
    const cli = spawnSync(process.execPath, [bin, "run", ...flags, "--quiet", "--json", out], { encoding: "utf8", timeout: 60_000 });
    expect(cli.status, cli.stderr).toBe(0);
    const a = science(api.stdout) as { backend: string; config: { backend: string } };
    const b = science(readFileSync(out, "utf8"));
    expect(a.backend).toBe("relaxed");
    expect(a.config.backend).toBe("relaxed");
    expect(a).toEqual(b);
  });
});
