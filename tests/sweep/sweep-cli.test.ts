// Sweeps as a user runs them: the built CLI in child processes, interrupted for real and resumed.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMA } from "../../src/config/schema.js";

import { bin, cli, tinyBase } from "./sweep-fixtures.js";

function setup(cellsPerEps = 4) {
  const dir = mkdtempSync(join(tmpdir(), "featpure-sweep-"));
  const grid = join(dir, "grid.json");
  writeFileSync(
    grid,
    JSON.stringify({ base: tinyBase, grid: { "adv.eps": [0.1, 0.3, 0.5], seed: Array.from({ length: cellsPerEps }, (_, i) => i + 1) } }),
  );
  return { dir, grid };
}

type Line = { key: string; timingsMs: unknown; arms: { timingsMs: unknown }[] };
const lineCount = (path: string) =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "").length
    : 0;
/** The lines of a results file without timings, sorted by key: equal for equal work in any order. */
function comparable(path: string): Line[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Line)
    .map((l) => ({ ...l, timingsMs: 0, arms: l.arms.map((a) => ({ ...a, timingsMs: 0 })) }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** Starts a sweep, and kills it with `signal` once `after` lines are in the file. */
async function interrupted(grid: string, out: string, signal: NodeJS.Signals, after: number) {
  const child = spawn(process.execPath, [bin, "sweep", "--grid", grid, "--out", out, "--workers", "1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, sig) => res({ code, signal: sig })),
  );
  while (lineCount(out) < after && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill(signal);
  return { ...(await exit), stderr };
}

describe("featpure sweep", () => {
  const { dir, grid } = setup();
  const whole = join(dir, "whole.jsonl");

  it("runs every cell on parallel workers, one line each", () => {
    const r = cli("sweep", "--grid", grid, "--out", whole, "--workers", "2");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("12 cells: 12 run now, 0 already done, 0 failed");
    const lines = comparable(whole);
    expect(lines).toHaveLength(12);
    expect(new Set(lines.map((l) => l.key)).size).toBe(12);
    const again = cli("sweep", "--grid", grid, "--out", whole, "--workers", "2");
    expect(again.stdout).toContain("0 run now, 12 already done");
    expect(lineCount(whole)).toBe(12);
  });

  it("stops cleanly on Ctrl-C keeping finished lines, and resumes to the same lines", async () => {
    const out = join(dir, "sigint.jsonl");
    const r = await interrupted(grid, out, "SIGINT", 2);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain("interrupted:");
    const kept = lineCount(out);
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(12);
    expect(readFileSync(out, "utf8").endsWith("\n")).toBe(true);
    const resumed = cli("sweep", "--grid", grid, "--out", out, "--workers", "2");
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`${12 - kept} run now, ${kept} already done`);
    expect(comparable(out)).toEqual(comparable(whole));
  });

  it("resumes after being killed outright, ignoring a torn last line", async () => {
    const out = join(dir, "sigkill.jsonl");
    const r = await interrupted(grid, out, "SIGKILL", 1);
    expect(r.signal).toBe("SIGKILL");
    const kept = lineCount(out);
    writeFileSync(out, readFileSync(out, "utf8") + '{"key":"torn', { flag: "w" });
    const resumed = cli("sweep", "--grid", grid, "--out", out, "--workers", "1");
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`${12 - kept} run now, ${kept} already done`);
    expect(comparable(out)).toEqual(comparable(whole));
  });

  it("shards cover the grid and merge back to the whole, dropping duplicates", () => {
    const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}.jsonl`));
    shards.forEach((s, i) => {
      const r = cli("sweep", "--grid", grid, "--out", s, "--shard", `${i}/3`, "--workers", "1");
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`4 cells (shard ${i}/3 of 12)`);
    });
    const merged = join(dir, "merged.jsonl");
    const m = cli("merge", ...shards, shards[0], "--out", merged);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain("12 cells from 4 file(s)");
    expect(m.stdout).toContain("4 duplicate line(s) dropped");
    expect(comparable(merged)).toEqual(comparable(whole));
  });

  it("reports results as tables, SVG figures and an HTML page", () => {
    const out = join(dir, "report");
    const r = cli("report", whole, "--out", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Mean [95% t-interval] over seeds");
    expect(r.stdout).toContain("Claims of the paper");
    expect(readdirSync(out).sort()).toEqual([
      "report.html",
      "robust-accuracy-vs-eps.svg",
      "significant-features.svg",
      "sweep-adv-eps.svg",
      "training-curves.svg",
    ]);
  });

  it.each([
    [["sweep", "--grid", "GRID", "--out", "x.jsonl", "--shard", "3/3"], "--shard: must be i/n"],
    [["sweep", "--grid", "GRID", "--out", "x.jsonl", "--workers", "0"], "--workers: must be an integer in [1, 256]"],
    [["sweep", "--grid", "/nonexistent.json", "--out", "x.jsonl"], "--grid: cannot read"],
    [["sweep", "--grid", "GRID"], "required option '--out <file>'"],
    [["reproduce", "--seeds", "two"], "--seeds: must be an integer in [1, 1000]"],
    [["reproduce", "--seeds", "0x3"], "--seeds: must be an integer in [1, 1000]"],
    [["merge", "/nonexistent.jsonl", "--out", "x.jsonl"], "cannot read /nonexistent.jsonl"],
    [["slurm-script", "--grid", "GRID", "--shards", "13"], "--shards: must be an integer in [1, 12]"],
    [["slurm-script", "--grid", "GRID", "--shards", "4", "--cpus-per-task", "0"], "--cpus-per-task: must be an integer in [1, 256]"],
    [["slurm-script", "--grid", "GRID", "--shards", "4", "--time", "2h"], "--time: must be a Slurm time limit"],
    [["slurm-script", "--grid", "/nonexistent.json", "--shards", "4"], "--grid: cannot read"],
  ])("rejects %j with exit code 2", (args, message) => {
    const r = cli(...args.map((a) => (a === "GRID" ? grid : a)));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe("featpure reproduce", () => {
  it("runs a tiny preset end to end, writes the report, and reuses finished cells", () => {
    const dir = mkdtempSync(join(tmpdir(), "featpure-reproduce-"));
    const cfg = join(dir, "tiny.json");
    writeFileSync(cfg, JSON.stringify(tinyBase));
    const out = join(dir, "out");
    const r = cli("reproduce", "--seeds", "2", "--workers", "2", "--config", cfg, "--out", out);
    expect(r.status, r.stderr).toBe(0);
    const modes = SCHEMA.mode.values.length;
    expect(r.stdout).toContain(`${2 * modes} cells run now, 0 reused`);
    for (const s of [
      "Mean [95% t-interval] over seeds",
      "supervised, adv pre-training",
      "Claims of the paper",
      "purifies the hidden neurons",
    ])
      expect(r.stdout).toContain(s);
    const files = readdirSync(out);
    for (const f of [
      "results.jsonl",
      "runs",
      "report.html",
      "robust-accuracy-vs-eps.svg",
      "significant-features.svg",
      "neuron-feature-heatmap.svg",
      "training-curves.svg",
      "claims.json",
    ]) {
      expect(files).toContain(f);
    }
    expect(readdirSync(join(out, "runs"))).toHaveLength(2 * modes);
    // claims.json says how long the command took, for how many cells, and where: the documents quote it.
    const claims = JSON.parse(readFileSync(join(out, "claims.json"), "utf8"));
    expect(claims.cellsRun).toBe(2 * modes);
    expect(claims.cellsReused).toBe(0);
    expect(claims.wallSeconds).toBeGreaterThan(0);
    expect(claims.machine.cores).toBeGreaterThan(0);
    expect(claims.command).toContain("featpure reproduce --seeds 2 --workers 2");
    const html = readFileSync(join(out, "report.html"), "utf8");
    // every figure written beside the report is inlined in it
    expect(html.match(/<svg /g)!.length).toBe(files.filter((f) => f.endsWith(".svg")).length);
    expect(html).not.toMatch(/<script|<link|src="/);
    const again = cli("reproduce", "--seeds", "2", "--workers", "2", "--config", cfg, "--out", out);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`0 cells run now, ${2 * modes} reused`);

    // Any cell reruns exactly with `featpure run --config` on the configuration its line carries.
    const line = JSON.parse(readFileSync(join(out, "results.jsonl"), "utf8").split("\n")[1]) as Line & { config: unknown };
    writeFileSync(join(dir, "cell.json"), JSON.stringify(line.config));
    const rerun = cli("run", "--config", join(dir, "cell.json"), "--json", join(dir, "cell-result.json"), "--quiet");
    expect(rerun.status, rerun.stderr).toBe(0);
    const full = JSON.parse(readFileSync(join(dir, "cell-result.json"), "utf8")) as {
      arms: { timingsMs: unknown; neurons?: unknown; coefficients?: unknown }[];
    };
    const arms = full.arms.map(({ neurons: _n, coefficients: _c, ...a }) => ({ ...a, timingsMs: 0 }));
    expect(arms).toEqual(line.arms.map((a) => ({ ...a, timingsMs: 0 })));
  });
});
