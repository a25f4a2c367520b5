// featpure run refuses what cannot work before any compute, and says what it does: resume without a
// checkpoint, output paths, contradictory options.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = new URL("../dist/bin/featpure.js", import.meta.url).pathname;
const tiny = ["--dim", "12", "--width", "16", "--sparsity", "2", "--steps", "20", "--batch", "32", "--n-down", "200", "--n-eval", "100",
  "--eps-l2", "0.1", "--eps-linf", "0.05", "--strong-steps", "5", "--strong-restarts", "1", "--quiet"];

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
}

function expectUsage(r: ReturnType<typeof cli>, message: string): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toContain(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const tmp = () => mkdtempSync(join(tmpdir(), "featpure-checks-"));

describe("--resume before the first checkpoint", () => {
  it("without a checkpoint and without a configuration, refuses instead of running the default experiment", () => {
    const ck = join(tmp(), "never.fpt");
    expectUsage(cli("run", "--checkpoint", ck, "--resume"), `--resume: no checkpoint at ${ck} yet`);
    expect(existsSync(ck)).toBe(false);
  });

  it("without a checkpoint, starts the run given on the command line", () => {
    const dir = tmp();
    const out = join(dir, "r.json");
    const r = cli("run", ...tiny, "--seed", "3", "--checkpoint", join(dir, "c.fpt"), "--resume", "--json", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("starting the run given on the command line from step 1");
    expect(JSON.parse(readFileSync(out, "utf8")).config.seed).toBe(3);
  });
});
