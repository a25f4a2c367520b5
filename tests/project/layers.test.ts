// The layering of .dependency-cruiser.cjs holds: no import cycle, and no import against the layer
// order assembly -> engine -> data, model, train, attacks, metrics, io -> experiments -> api ->
// cli, web, sweep, report (with src/config and the shared leaves at the bottom).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const depcruise = new URL("../../node_modules/dependency-cruiser/bin/dependency-cruise.mjs", import.meta.url).pathname;

describe("the import graph", () => {
  it("has no cycle and no upward import", () => {
    const r = spawnSync(
      process.execPath,
      [depcruise, "src", "bin", "web", "assembly", "benchmarks", "--config", ".dependency-cruiser.cjs", "--output-type", "err"],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    expect(r.stdout + r.stderr).toContain("no dependency violations found");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // Every source folder was read (a parser that failed on a folder would also report no violations).
    const modules = Number(/\((\d+) modules/.exec(r.stdout)?.[1] ?? 0);
    expect(modules).toBeGreaterThan(120);
  });
});
