// What a sweep writes and who may write it: one sweep per results file (a second is refused while the
// first runs), outputs checked before any cell runs, failed cells recorded with their error, and merge
// and report refusing lines that disagree or come from different kernel builds unless asked.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { bin, cli, tinyBase } from "./sweep-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "featpure-outputs-"));
function gridFile(name: string, grid: Record<string, unknown[]>, base: object = tinyBase): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ base, grid }));
  return path;
}
/** The CLI in a child process that runs while the test goes on. */
function featpure(...args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; stderr: string }>((res) => child.on("exit", (code) => res({ code, stderr })));
  return { child, exit };
}
const jsonLines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const writeLines = (path: string, lines: object[]) => writeFileSync(path, lines.map((l) => JSON.stringify(l) + "\n").join(""));

describe("one sweep per results file", () => {
  it("refuses a second sweep on the --out of a running one, naming the holder", async () => {
    // More cells than it can finish while the second starts: it is interrupted long before the end.
    const grid = gridFile(
      "lock.json",
      { seed: Array.from({ length: 40 }, (_, i) => i + 1) },
      { ...tinyBase, optim: { steps: 150, batch: 32 } },
    );
    const out = join(dir, "lock.jsonl");
    const first = featpure("sweep", "--grid", grid, "--out", out, "--workers", "1");
    while (!existsSync(`${out}.lock`)) await new Promise((r) => setTimeout(r, 20));
    const second = await featpure("sweep", "--grid", grid, "--out", out, "--workers", "1").exit;
    expect(first.child.exitCode, "the first sweep must still run when the second has given up").toBe(null);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`--out ${out}: in use by featpure (pid ${first.child.pid} on `);
    expect(second.stderr).toContain(`delete ${out}.lock`);
    // Interrupted, the first lets go of the lock and leaves each finished cell once.
    first.child.kill("SIGINT");
    expect((await first.exit).code).toBe(130);
    expect(existsSync(`${out}.lock`)).toBe(false);
    const keys = jsonLines(out).map((l) => l.key);
    expect(keys.length).toBeLessThan(40);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("outputs checked before any work", () => {
  it.each([
    [
      ["sweep", "--grid", "GRID", "--out", "/nonexistent-featpure/r.jsonl"],
      "--out /nonexistent-featpure/r.jsonl: the folder /nonexistent-featpure does not exist",
    ],
    [["sweep", "--grid", "GRID", "--out", "/tmp"], "--out /tmp: /tmp is a folder, not a file"],
    [["reproduce", "--seeds", "1", "--out", "/etc/hostname/out"], "--out /etc/hostname/out: /etc/hostname is not a folder"],
    [["reproduce", "--seeds", "1", "--out", "/etc/hostname"], "--out /etc/hostname: /etc/hostname is not a folder"],
    [
      ["merge", "/nonexistent.jsonl", "--out", "/nonexistent-featpure/all.jsonl"],
      "--out /nonexistent-featpure/all.jsonl: the folder /nonexistent-featpure does not exist",
    ],
    [["report", "/nonexistent.jsonl", "--out", "/etc/hostname/report"], "--out /etc/hostname/report: /etc/hostname is not a folder"],
  ])("%j exits 2 naming --out, having run nothing", (args, message) => {
    const grid = gridFile("check.json", { seed: [1] });
    const r = cli(...args.map((a) => (a === "GRID" ? grid : a)));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain("cells:");
  });
});

describe("failed cells, merge and report", () => {
  // SGD at learning rate 100 diverges: a value the schema accepts that fails at run time.
  const grid = gridFile(
    "fail.json",
    { "optim.lr": [0.05, 100], seed: [1, 2] },
    { ...tinyBase, optim: { ...tinyBase.optim, optimizer: "sgd" } },
  );
  const out = join(dir, "fail.jsonl");

  it("records each failed cell as a failure line with its error, and merge --grid names failed and missing cells", () => {
    const r = cli("sweep", "--grid", grid, "--out", out, "--workers", "2");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("4 cells: 2 run now, 0 already done, 2 failed");
    const lines = jsonLines(out);
    const failed = lines.filter((l) => "failed" in l);
    expect(failed.map((l) => (l.config as { optim: { lr: number } }).optim.lr)).toEqual([100, 100]);
    for (const f of failed) expect(f.failed).toMatch(/training diverged at step \d+/);
    // One shard's file lost: its cells are missing; the failures are named with their errors.
    const ok = lines.filter((l) => !("failed" in l));
    const partial = join(dir, "partial.jsonl");
    writeLines(partial, [ok[0], ...failed]);
    const m = cli("merge", partial, "--grid", grid, "--out", join(dir, "merged.jsonl"));
    expect(m.status).toBe(1);
    expect(m.stdout).toContain(`1 of 4 cells of ${grid} done, 2 failed, 1 missing`);
    expect(m.stderr.match(/^failed: .*training diverged/gm)).toHaveLength(2);
    expect(m.stderr).toContain(`missing: cell ${ok[1].seed === 2 ? 1 : 0} (optim.lr=0.05 seed=${ok[1].seed}), key ${ok[1].key}`);
    expect(jsonLines(join(dir, "merged.jsonl"))).toEqual([ok[0], ...failed]);
    // Rerunning the sweep retries only the failed cells.
    const again = cli("sweep", "--grid", grid, "--out", out, "--workers", "2");
    expect(again.stdout).toContain("4 cells: 0 run now, 2 already done, 2 failed");
  });

  it("merge refuses two lines of one cell with different numbers unless --keep-first", () => {
    const [a, b] = jsonLines(out).filter((l) => !("failed" in l));
    const changed = join(dir, "changed.jsonl");
    writeLines(changed, [{ ...a, arms: b.arms }]);
    const m = cli("merge", out, changed, "--out", join(dir, "m.jsonl"));
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(`1 cell(s) have lines with different numbers:\n  ${a.key}: ${out} and ${changed}`);
    expect(existsSync(join(dir, "m.jsonl"))).toBe(false);
    const kept = cli("merge", out, changed, "--keep-first", "--out", join(dir, "m.jsonl"));
    expect(kept.status, kept.stderr).toBe(0);
    expect(kept.stdout).toContain("1 conflicting line(s) dropped (--keep-first)");
    expect(jsonLines(join(dir, "m.jsonl")).filter((l) => l.key === a.key)).toEqual([a]);
  });

  it("merge and report refuse lines of different kernel builds unless --allow-mixed-builds, and say which build", () => {
    const [a, b] = jsonLines(out).filter((l) => !("failed" in l));
    const build = a.backend as string;
    const mixed = join(dir, "mixed.jsonl");
    writeLines(mixed, [a, { ...b, backend: build === "scalar" ? "simd" : "scalar" }]);
    const m = cli("merge", mixed, "--out", join(dir, "mm.jsonl"));
    expect(m.status).toBe(2);
    expect(m.stderr).toContain("different kernel builds");
    expect(m.stderr).toContain("--allow-mixed-builds");
    expect(cli("merge", mixed, "--allow-mixed-builds", "--out", join(dir, "mm.jsonl")).status).toBe(0);
    const rep = cli("report", mixed, "--out", join(dir, "rep"));
    expect(rep.status).toBe(2);
    expect(rep.stderr).toContain("--allow-mixed-builds");
    const one = cli("report", out, "--out", join(dir, "rep"));
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toContain(`kernel build: ${build} (2 cells); 2 failed cell(s) left out`);
    expect(readFileSync(join(dir, "rep", "report.html"), "utf8")).toContain(`kernel build: ${build} (2 cells)`);
    // A line written before builds were recorded (no backend, config.backend auto) is its own, named build.
    const { backend: _b, ...old } = b;
    writeLines(mixed, [a, { ...old, config: { ...(b.config as object), backend: "auto" } }]);
    expect(cli("report", mixed, "--out", join(dir, "rep")).stderr).toContain(`${build} (1 cell), unrecorded (1 cell)`);
  });
});
