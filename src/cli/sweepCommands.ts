// The commands that run many experiments: reproduce, sweep, merge and report. Bad input throws
// SweepInputError, which the CLI reports with exit code 2; Ctrl-C stops a sweep keeping finished lines.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { decimalNumber } from "../config/flags.js";
import type { ExperimentResult } from "../api.js";
import { expandGrid, SweepInputError, parseGrid, parseShard, shardCells, type Cell } from "../sweep/grid.js";
import {
  buildCounts,
  describeBuilds,
  mergeResults,
  readResults,
  type FailureLine,
  type ResultFile,
  type ResultLine,
} from "../sweep/results.js";
import { lockOutput } from "../sweep/outputLock.js";
import { outputFileProblem, outputFolderProblem } from "../files/outputCheck.js";
import { shellWord, SLURM_TIME, slurmScript } from "../sweep/slurmScript.js";
import { runSweep, type SweepEvent, type SweepSummary } from "../sweep/runner.js";
import { DEFAULT_SEEDS, reproduceGrid } from "../sweep/reproduce.js";
import { writeFileAtomic } from "../files/atomic.js";
import { claimsTable, seedTable } from "../report/seedTables.js";
import { judgeClaims, judgeSensitivity } from "../report/claims.js";
import { headTables, reportTables, writeReport } from "../report/write.js";
import type { TableData } from "../report/tables.js";

type Render = (t: TableData) => string;

function intOption(name: string, raw: unknown, min: number, max: number, def: number): number {
  if (raw === undefined) return def;
  // Plain decimals only, as for every config flag: "0x10" is not 16.
  const v = typeof raw === "string" ? decimalNumber(raw) : null;
  if (v === null || !Number.isInteger(v) || v < min || v > max) {
    throw new SweepInputError(`--${name}: must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return v;
}

function readJson(option: string, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SweepInputError(`${option}: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SweepInputError(`${option}: ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function readFile(path: string): ResultFile {
  if (!existsSync(path)) throw new SweepInputError(`cannot read ${path}: no such file`);
  try {
    return { path, ...readResults(path) };
  } catch (e) {
    throw new SweepInputError((e as Error).message);
  }
}

const MIXED_BUILDS = "--allow-mixed-builds";

/**
 * Refuses lines computed by different kernel builds unless allowed: the same seed gives different
 * numbers on relaxed SIMD, SIMD and scalar, so pooling them mixes results that do not reproduce.
 */
function checkBuilds(lines: readonly ResultLine[], allowed: boolean): void {
  if (buildCounts(lines).length > 1 && !allowed) {
    throw new SweepInputError(
      `the results come from different kernel builds: ${describeBuilds(lines)}; the same seed gives different numbers on each, so they are not pooled unless you pass ${MIXED_BUILDS}`,
    );
  }
}

function describeFailure(f: FailureLine): string {
  return `${f.key} (seed ${f.seed}): ${f.failed}`;
}

const defaultWorkers = () => Math.max(1, availableParallelism());

function describeCell(cell: Cell): string {
  return Object.entries(cell.values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
}

type Stopped = SweepSummary & { signal?: NodeJS.Signals };

/**
 * Runs cells with progress on stderr, holding the lock of `out` (taken before anything runs). Ctrl-C
 * or SIGTERM (a scheduler's preemption or scancel) aborts, and the summary says so.
 */
async function sweepWithProgress(cells: Cell[], out: string, workers: number, fullDir?: string): Promise<Stopped> {
  const lock = lockOutput("--out", out);
  if (lock.replaced)
    process.stderr.write(
      `took over the lock of ${out} from ${lock.replaced.command} (pid ${lock.replaced.pid} on ${lock.replaced.host}), which is gone\n`,
    );
  const stop = new AbortController();
  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    signal ??= s;
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const t0 = performance.now();
  const onEvent = (e: SweepEvent) => {
    const at = `${((performance.now() - t0) / 1000).toFixed(0)} s`;
    if (e.type === "start")
      process.stderr.write(`${e.total} cells: ${e.skipped} already in ${out}, ${e.pending} to run on ${e.workers} worker(s)\n`);
    else if (e.type === "done")
      process.stderr.write(
        `[${at}] ${e.finished}/${e.finished + e.pending} done: ${describeCell(e.cell)} (${(e.line.timingsMs.total / 1000).toFixed(1)} s)\n`,
      );
    else process.stderr.write(`[${at}] failed: ${describeCell(e.cell)}: ${e.message}\n`);
  };
  try {
    return { ...(await runSweep({ cells, out, workers, fullDir, signal: stop.signal, onEvent })), signal };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    lock.release();
  }
}

function closeSweep(s: Stopped, out: string, resume: string): void {
  if (s.interrupted) {
    process.stderr.write(
      `interrupted: ${s.skipped + s.done} of ${s.total} cells are in ${out} (the cells that were running restart from scratch); run \`${resume}\` again to resume\n`,
    );
    process.exitCode = s.signal === "SIGTERM" ? 143 : 130;
  } else if (s.failed.length) {
    process.stderr.write(`${s.failed.length} cell(s) failed (each has a failure line with its error in ${out}); rerun to retry them\n`);
    process.exitCode = 1;
  }
}

/** The full results of the first seed of each mode, for the heatmaps. */
function firstFullResults(lines: ResultLine[], runsDir: string): ExperimentResult[] {
  const firstByMode = new Map<string, ResultLine>();
  for (const l of lines) {
    const seen = firstByMode.get(l.config.mode);
    if ((!seen || l.seed < seen.seed) && existsSync(join(runsDir, `${l.key}.json`))) firstByMode.set(l.config.mode, l);
  }
  return [...firstByMode.values()].map((l) => JSON.parse(readFileSync(join(runsDir, `${l.key}.json`), "utf8")) as ExperimentResult);
}

/**
 * reproduce and report --out DIR: an existing folder, or a new one in an existing folder (made by the
 * first write). Checked before any work; returns whether the folder exists.
 */
function checkOutputFolder(dir: string): boolean {
  const exists = existsSync(dir);
  const problem = outputFolderProblem(exists ? dir : dirname(resolve(dir)));
  if (problem) throw new SweepInputError(`--out ${dir}: ${problem}`);
  return exists;
}

export function addSweepCommands(program: Command, render: Render): void {
  program
    .command("reproduce")
    .description("run every pre-training mode x {clean, adv} x seeds and judge the paper's claims")
    .option("--seeds <n>", `number of seeds (integer in [1, 1000]; default ${DEFAULT_SEEDS})`)
    .option("--workers <k>", "parallel worker processes (default: the number of cores)")
    .option("--out <dir>", "keep results.jsonl, full results (runs/), SVG figures and report.html here; rerunning resumes")
    .option("--config <file>", "JSON config layer over the reproduce preset (for example a smaller model)")
    .action(async (o: Record<string, unknown>) => {
      const seeds = intOption("seeds", o.seeds, 1, 1000, DEFAULT_SEEDS);
      const workers = intOption("workers", o.workers, 1, 256, defaultWorkers());
      const overrides = typeof o.config === "string" ? readJson("--config", o.config) : {};
      const cells = expandGrid(parseGrid(reproduceGrid(seeds, overrides)));
      const keep = typeof o.out === "string";
      // The folder is made now: the lock of its results file lives in it.
      if (keep && !checkOutputFolder(o.out as string)) mkdirSync(o.out as string);
      const dir = keep ? (o.out as string) : mkdtempSync(join(tmpdir(), "featpure-reproduce-"));
      const out = join(dir, "results.jsonl");
      const t0 = performance.now();
      try {
        const summary = await sweepWithProgress(cells, out, workers, join(dir, "runs"));
        const wall = (performance.now() - t0) / 1000;
        const keys = new Set(cells.map((c) => c.key));
        const lines = readResults(out).lines.filter((l) => keys.has(l.key));
        if (lines.length > 0) console.log(`kernel build: ${describeBuilds(lines)}`);
        if (lines.length > 0) {
          console.log(render(seedTable(lines)) + "\n");
          console.log(render(claimsTable(judgeClaims(lines))) + "\n");
          for (const t of headTables(lines)) console.log(render(t) + "\n");
        }
        const command = `featpure reproduce --seeds ${seeds} --workers ${workers}${keep ? ` --out ${dir}` : ""}${typeof o.config === "string" ? ` --config ${o.config}` : ""}`;
        console.log(`${summary.done} cells run now, ${summary.skipped} reused, in ${wall.toFixed(1)} s wall time on ${workers} worker(s)`);
        if (keep && lines.length > 0) {
          const intro = [
            `Command: ${command}. ${lines.length} cells (${summary.done} run now, ${summary.skipped} reused) in ${wall.toFixed(1)} s wall time on ${workers} worker(s). Kernel build: ${describeBuilds(lines)}.`,
            "Every cell's full configuration is in results.jsonl; rerun one with featpure run --config on it.",
          ];
          const written = await writeReport(dir, lines, firstFullResults(lines, join(dir, "runs")), intro);
          const claimsFile = join(dir, "claims.json");
          writeFileAtomic(
            claimsFile,
            JSON.stringify(
              {
                command,
                wallSeconds: wall,
                cellsRun: summary.done,
                cellsReused: summary.skipped,
                machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version },
                claims: judgeClaims(lines),
                sensitivity: judgeSensitivity(lines),
              },
              null,
              1,
            ) + "\n",
          );
          written.files.push(claimsFile);
          console.log(`wrote ${written.files.length} files to ${dir} (open ${join(dir, "report.html")})`);
        }
        closeSweep(summary, out, command);
      } finally {
        if (!keep) rmSync(dir, { recursive: true, force: true });
      }
    });

  program
    .command("sweep")
    .description("run every cell of a grid of config values, appending one JSON line per finished cell (resumable)")
    .requiredOption("--grid <file>", 'JSON: {"base": {config layer}, "grid": {"adv.eps": [0, 0.1], "seed": [1, 2]}}')
    .requiredOption("--out <file>", "results file (JSON lines); existing cells are skipped")
    .option("--workers <k>", "parallel worker processes (default: the number of cores)")
    .option("--shard <i/n>", "run only cells with index = i mod n (0 <= i < n), e.g. $SLURM_ARRAY_TASK_ID/N")
    .option("--full-dir <dir>", "also write each cell's full result (per-neuron tables) as <key>.json here")
    .action(async (o: Record<string, unknown>) => {
      const workers = intOption("workers", o.workers, 1, 256, defaultWorkers());
      const shard = typeof o.shard === "string" ? parseShard(o.shard) : { index: 0, count: 1 };
      const all = expandGrid(parseGrid(readJson("--grid", o.grid as string)));
      const cells = shardCells(all, shard);
      const summary = await sweepWithProgress(cells, o.out as string, workers, o.fullDir as string | undefined);
      console.log(
        `${summary.total} cells${shard.count > 1 ? ` (shard ${shard.index}/${shard.count} of ${all.length})` : ""}: ${summary.done} run now, ${summary.skipped} already done, ${summary.failed.length} failed`,
      );
      closeSweep(summary, o.out as string, "the same featpure sweep command");
    });

  program
    .command("slurm-script")
    .description("print the sbatch script that runs a sweep as a Slurm job array, one task per shard (save it and submit it with sbatch)")
    .requiredOption("--grid <file>", "the sweep's grid (checked now; the tasks read it from the folder sbatch runs in)")
    .requiredOption("--shards <n>", "array tasks, each running every n-th cell (integer in [1, the number of cells])")
    .option("--cpus-per-task <k>", "CPUs of each task, and so its worker processes (integer in [1, 256]; default 2)")
    .option("--out-dir <dir>", "folder of the shard files shard-<i>.jsonl (default results)")
    .option("--time <limit>", "time limit of each task, as sbatch --time takes it (e.g. 02:00:00 or 1-12:00:00; default: the partition's)")
    .option("--job-name <name>", "Slurm job name (default featpure-sweep)")
    .option("--featpure <command>", "how a task starts featpure (default: npx featpure, from the folder featpure is installed in)")
    .action((o: Record<string, string | undefined>) => {
      const cells = expandGrid(parseGrid(readJson("--grid", o.grid as string)));
      const shards = intOption("shards", o.shards, 1, Math.max(1, cells.length), 1);
      const cpusPerTask = intOption("cpus-per-task", o.cpusPerTask, 1, 256, 2);
      if (o.time !== undefined && !SLURM_TIME.test(o.time))
        throw new SweepInputError(
          `--time: must be a Slurm time limit (M, M:S, H:M:S, D-H, D-H:M or D-H:M:S), got ${JSON.stringify(o.time)}`,
        );
      const jobName = o.jobName ?? "featpure-sweep";
      if (!/^[A-Za-z0-9_.-]+$/.test(jobName))
        throw new SweepInputError(`--job-name: letters, digits, _ . and - only, got ${JSON.stringify(jobName)}`);
      const outDir = o.outDir ?? "results";
      if (outDir.trim() === "") throw new SweepInputError("--out-dir: must not be empty");
      const featpure = o.featpure ?? "npx featpure";
      if (featpure.trim() === "" || /[\n\r]/.test(featpure)) throw new SweepInputError("--featpure: must be one line, e.g. npx featpure");
      const writtenBy = `featpure slurm-script ${process.argv.slice(3).map(shellWord).join(" ")}`;
      process.stdout.write(
        slurmScript({
          grid: o.grid as string,
          cells: cells.length,
          shards,
          cpusPerTask,
          outDir,
          jobName,
          time: o.time,
          featpure,
          writtenBy,
        }),
      );
      const per = Math.ceil(cells.length / shards);
      process.stderr.write(
        `${cells.length} cells in ${shards} shard(s) of at most ${per}; save the script (featpure slurm-script ... > sweep.sh) and submit it with: sbatch sweep.sh\n`,
      );
    });

  program
    .command("merge")
    .description(
      "join result files (for example the shards of a sweep), keeping one line per cell; with --grid, name the cells that are missing",
    )
    .argument("<files...>", "result files (JSON lines)")
    .requiredOption("--out <file>", "merged results file (written atomically)")
    .option("--grid <file>", "the sweep's grid: list the cells that have no line in any file, and exit 1 if any is missing or failed")
    .option("--keep-first", "when two lines of one cell disagree, keep the first instead of refusing")
    .option(MIXED_BUILDS, "merge lines computed by different kernel builds (relaxed, simd, scalar)")
    .action((files: string[], o: { out: string; grid?: string; keepFirst?: boolean; allowMixedBuilds?: boolean }) => {
      const problem = outputFileProblem(o.out);
      if (problem) throw new SweepInputError(`--out ${o.out}: ${problem}`);
      const cells = o.grid === undefined ? undefined : expandGrid(parseGrid(readJson("--grid", o.grid)));
      const merged = mergeResults(files.map(readFile));
      if (merged.conflicts.length > 0 && !o.keepFirst) {
        const shown = merged.conflicts
          .slice(0, 5)
          .map((c) => `  ${c.key}: ${c.paths[0]} and ${c.paths[1]}`)
          .join("\n");
        throw new SweepInputError(
          `${merged.conflicts.length} cell(s) have lines with different numbers:\n${shown}\nthe same configuration should give the same numbers; find out why, or pass --keep-first to keep the first line of each`,
        );
      }
      checkBuilds(merged.lines, o.allowMixedBuilds === true);
      const text = [...merged.lines, ...merged.failures].map((l) => JSON.stringify(l) + "\n").join("");
      writeFileAtomic(o.out, text);
      const kept = merged.conflicts.length > 0 ? `; ${merged.conflicts.length} conflicting line(s) dropped (--keep-first)` : "";
      console.log(
        `${merged.lines.length} cells from ${files.length} file(s) to ${o.out}; ${merged.duplicates} duplicate line(s) dropped${kept}; kernel build: ${describeBuilds(merged.lines) || "none"}`,
      );
      for (const f of merged.failures) process.stderr.write(`failed: ${describeFailure(f)}\n`);
      if (cells) {
        const succeeded = new Set(merged.lines.map((l) => l.key));
        const present = new Set([...succeeded, ...merged.failures.map((f) => f.key)]);
        const missing = cells.filter((c) => !present.has(c.key));
        for (const c of missing) process.stderr.write(`missing: cell ${c.index} (${describeCell(c)}), key ${c.key}\n`);
        const done = cells.filter((c) => succeeded.has(c.key)).length;
        console.log(`${done} of ${cells.length} cells of ${o.grid} done, ${merged.failures.length} failed, ${missing.length} missing`);
        if (done < cells.length) process.exitCode = 1;
      }
    });

  program
    .command("report")
    .description("tables, claims, SVG figures and an HTML report from result files")
    .argument("<files...>", "result files (JSON lines)")
    .requiredOption("--out <dir>", "folder for the SVG figures and report.html")
    .option("--runs <dir>", "folder of full results (<key>.json) for the heatmaps (default: runs/ beside the first file)")
    .option(MIXED_BUILDS, "pool lines computed by different kernel builds (relaxed, simd, scalar)")
    .action(async (files: string[], o: { out: string; runs?: string; allowMixedBuilds?: boolean }) => {
      checkOutputFolder(o.out);
      const { lines, failures } = mergeResults(files.map(readFile));
      if (lines.length === 0) throw new SweepInputError(`no result lines in ${files.join(", ")}`);
      checkBuilds(lines, o.allowMixedBuilds === true);
      const builds = `kernel build: ${describeBuilds(lines)}`;
      console.log(`${builds}${failures.length ? `; ${failures.length} failed cell(s) left out` : ""}\n`);
      for (const t of reportTables(lines)) console.log(render(t) + "\n");
      const runs = o.runs ?? join(dirname(files[0]), "runs");
      const intro = [`Command: featpure report ${files.join(" ")} --out ${o.out}. ${lines.length} cells; ${builds}.`];
      const written = await writeReport(o.out, lines, existsSync(runs) ? firstFullResults(lines, runs) : [], intro);
      console.log(`wrote ${written.files.length} files to ${o.out} (open ${join(o.out, "report.html")})`);
    });
}
