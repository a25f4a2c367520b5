// The cluster path as a user takes it: `featpure slurm-script` writes the array script, sbatch runs it
// on a single-node Slurm brought up here (tests/sweep/slurm-harness.ts), `featpure merge` joins the shards,
// and the result is the same, cell by cell and bit for bit, as one `featpure sweep` of the grid. Then
// the faults of clusters: a task that fails, a task cancelled and requeued, two tasks of one shard.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandGrid, parseGrid } from "../../src/sweep/grid.js";
import { standIn, startSlurm, type Scheduler } from "./slurm-harness.js";

const bin = new URL("../../dist/bin/featpure.js", import.meta.url).pathname;
const tinyBase = {
  data: { dim: 12, sparsity: 2 },
  model: { width: 16 },
  downstream: { n: 200 },
  eval: { n: 100, epsL2: [0.1, 1], epsLinf: [0.05], strongSteps: 10, strongRestarts: 1 },
};

// A short folder: munge's socket path must fit in 108 bytes.
const root = mkdtempSync(join(tmpdir(), "fp-slurm-"));
let scheduler: Scheduler;

beforeAll(async () => {
  // FEATPURE_SLURM=stand-in tries the stand-in where Slurm runs.
  const slurm = process.env.FEATPURE_SLURM === "stand-in" ? { reason: "FEATPURE_SLURM=stand-in" } : await startSlurm(join(root, "cluster"));
  if ("reason" in slurm) {
    console.log(
      `Slurm cannot start here, so the array script runs through a stand-in that starts each task with SLURM_ARRAY_TASK_ID set: ${slurm.reason}`,
    );
    scheduler = standIn();
  } else scheduler = slurm;
}, 60_000);
afterAll(() => scheduler?.stop(), 120_000);

function featpure(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", timeout: 120_000 });
}

/** A folder with grid.json and the array script featpure writes for it. */
function project(name: string, spec: object, shards: number): { dir: string; cells: ReturnType<typeof expandGrid> } {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "grid.json"), JSON.stringify(spec));
  const r = featpure(
    dir,
    "slurm-script",
    "--grid",
    "grid.json",
    "--shards",
    String(shards),
    "--cpus-per-task",
    "1",
    "--out-dir",
    "results",
    "--featpure",
    `${process.execPath} ${bin}`,
  );
  expect(r.status, r.stderr).toBe(0);
  writeFileSync(join(dir, "sweep.sh"), r.stdout);
  return { dir, cells: expandGrid(parseGrid(spec)) };
}

type Line = Record<string, unknown> & { key: string };
const jsonLines = (path: string): Line[] =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Line)
    : [];
/** A line as text without its timings: what must be equal, bit for bit, between two runs of a cell. */
const numbers = (l: Line) =>
  JSON.stringify({ ...l, timingsMs: 0, arms: (l.arms as object[] | undefined)?.map((a) => ({ ...a, timingsMs: 0 })) });
const byKey = (lines: Line[]) => new Map(lines.map((l) => [l.key, numbers(l)]));
const states = (job: string) => Object.fromEntries([...scheduler.tasks(job)].map(([i, t]) => [i, `${t.state} ${t.exitCode}`]));

async function until(what: string, ok: () => boolean, timeoutMs = 120_000): Promise<void> {
  for (let t = 0; !ok(); t += 50) {
    if (t > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a sweep as a Slurm job array", () => {
  it("runs the generated script in 4 shards; merged, it equals one featpure sweep cell by cell, and only the bad value's cells fail", async () => {
    // The cells of shard 3 (index mod 4 = 3) are those at learning rate 100, where SGD diverges.
    const spec = {
      base: { ...tinyBase, optim: { optimizer: "sgd", steps: 60, batch: 32 } },
      grid: { seed: [1, 2, 3], "optim.lr": [0.01, 0.02, 0.05, 100] },
    };
    const { dir, cells } = project("whole", spec, 4);
    const job = scheduler.submit("sweep.sh", dir);
    await scheduler.wait(job);
    expect(states(job)).toEqual({ 0: "COMPLETED 0:0", 1: "COMPLETED 0:0", 2: "COMPLETED 0:0", 3: "FAILED 1:0" });
    for (let i = 0; i < 4; i++) {
      const lines = jsonLines(join(dir, "results", `shard-${i}.jsonl`));
      expect(lines.map((l) => l.key).sort()).toEqual(
        cells
          .filter((c) => c.index % 4 === i)
          .map((c) => c.key)
          .sort(),
      );
      for (const l of lines) expect("failed" in l).toBe(i === 3);
    }
    expect(readFileSync(join(dir, `slurm-${job}_3.out`), "utf8")).toContain("3 cell(s) failed");

    const m = featpure(
      dir,
      "merge",
      "results/shard-0.jsonl",
      "results/shard-1.jsonl",
      "results/shard-2.jsonl",
      "results/shard-3.jsonl",
      "--grid",
      "grid.json",
      "--out",
      "all.jsonl",
    );
    expect(m.status).toBe(1);
    expect(m.stdout).toContain("9 of 12 cells of grid.json done, 3 failed, 0 missing");
    expect(m.stderr.match(/^failed: [0-9a-f]{16} \(seed \d\): training diverged at step \d+/gm)).toHaveLength(3);
    const lost = featpure(
      dir,
      "merge",
      "results/shard-0.jsonl",
      "results/shard-1.jsonl",
      "results/shard-2.jsonl",
      "--grid",
      "grid.json",
      "--out",
      "some.jsonl",
    );
    expect(lost.stdout).toContain("9 of 12 cells of grid.json done, 0 failed, 3 missing");
    expect(lost.stderr).toContain(`missing: cell 3 (seed=1 optim.lr=100), key ${cells[3].key}`);

    const one = featpure(dir, "sweep", "--grid", "grid.json", "--out", "one.jsonl", "--workers", "2");
    expect(one.stdout).toContain("12 cells: 9 run now, 0 already done, 3 failed");
    const merged = byKey(jsonLines(join(dir, "all.jsonl")));
    const single = byKey(jsonLines(join(dir, "one.jsonl")));
    expect([...merged.keys()].sort()).toEqual(cells.map((c) => c.key).sort());
    for (const c of cells) expect(merged.get(c.key), `cell ${c.index}`).toBe(single.get(c.key));
  }, 300_000);

  it("resumes a task cancelled mid-run and requeued without redoing its finished cells, and refuses a second task of one shard", async () => {
    const spec = { base: { ...tinyBase, optim: { steps: 3000, batch: 32 } }, grid: { seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } };
    const { dir, cells } = project("faults", spec, 4);
    const shard = (i: number) => join(dir, "results", `shard-${i}.jsonl`);
    const job = scheduler.submit("sweep.sh", dir);
    // Another array task for shard 2, started alongside: one of the two holds the file, the other is refused.
    const twin = scheduler.submit("sweep.sh", dir, ["--array=2"]);

    await until("task 1 has finished a cell", () => jsonLines(shard(1)).length >= 1);
    scheduler.cancel(job, 1);
    await until("task 1 has let go of its shard", () => !existsSync(`${shard(1)}.lock`));
    const kept = readFileSync(shard(1), "utf8");
    const keptLines = jsonLines(shard(1)).length;
    expect(keptLines, "the task must be cancelled with cells still to run").toBeLessThan(3);
    await until("task 1 is cancelled", () => scheduler.tasks(job).get(1)?.state === "CANCELLED", 30_000);
    await scheduler.requeue(job, 1);
    await scheduler.wait(job);
    await scheduler.wait(twin);

    const resumed = readFileSync(shard(1), "utf8");
    expect(resumed.startsWith(kept), "the finished lines stay as they were, not rerun").toBe(true);
    expect(
      jsonLines(shard(1))
        .map((l) => l.key)
        .sort(),
    ).toEqual(
      cells
        .filter((c) => c.index % 4 === 1)
        .map((c) => c.key)
        .sort(),
    );
    const log = readFileSync(join(dir, `slurm-${job}_1.out`), "utf8");
    expect(log).toContain("interrupted:");
    expect(log).toContain(`3 cells: ${keptLines} already in results/shard-1.jsonl, ${3 - keptLines} to run`);
    expect(scheduler.tasks(job).get(1)?.state).toBe("COMPLETED");

    const shard2 = [`${job}_2`, `${twin}_2`].map((t) => ({
      state: (t.startsWith(twin) ? scheduler.tasks(twin) : scheduler.tasks(job)).get(2)!,
      log: readFileSync(join(dir, `slurm-${t}.out`), "utf8"),
    }));
    const refused = shard2.filter((t) => t.log.includes(`--out results/shard-2.jsonl: in use by featpure (pid `));
    expect(refused, "exactly one of the two tasks of shard 2 is refused").toHaveLength(1);
    expect(refused[0].state).toEqual({ state: "FAILED", exitCode: "2:0" });
    expect(shard2.map((t) => t.state.state).sort()).toEqual(["COMPLETED", "FAILED"]);
    expect(
      jsonLines(shard(2))
        .map((l) => l.key)
        .sort(),
    ).toEqual(
      cells
        .filter((c) => c.index % 4 === 2)
        .map((c) => c.key)
        .sort(),
    );

    const m = featpure(dir, "merge", shard(0), shard(1), shard(2), shard(3), "--grid", "grid.json", "--out", "all.jsonl");
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain("12 of 12 cells of grid.json done, 0 failed, 0 missing");
  }, 300_000);
});
