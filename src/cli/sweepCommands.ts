// The commands that run many experiments: reproduce, sweep, merge and report. Bad input throws
// SweepInputError, which the CLI reports with exit code 2; Ctrl-C stops a sweep keeping finished lines.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import type { ExperimentResult } from "../api.js";
import { expandGrid, SweepInputError, parseGrid, parseShard, shardCells, type Cell } from "../sweep/grid.js";
import { mergeResults, readResults, type ResultLine } from "../sweep/results.js";
import { runSweep, type SweepEvent, type SweepSummary } from "../sweep/runner.js";
import { DEFAULT_SEEDS, reproduceGrid } from "../sweep/reproduce.js";
import { writeFileAtomic } from "../io/atomic.js";
import { claimsTable, seedTable } from "../report/seedTables.js";
import { judgeClaims, judgeSensitivity } from "../report/claims.js";
import { headTables, reportTables, writeReport } from "../report/write.js";
import type { TableData } from "../report/tables.js";

type Render = (t: TableData) => string;

function intOption(name: string, raw: unknown, min: number, max: number, def: number): number {
  if (raw === undefined) return def;
  const v = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isInteger(v) || v < min || v > max) {
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

function readLines(path: string): ResultLine[] {
  if (!existsSync(path)) throw new SweepInputError(`cannot read ${path}: no such file`);
  try {
    return readResults(path).lines;
  } catch (e) {
    throw new SweepInputError((e as Error).message);
  }
}

const defaultWorkers = () => Math.max(1, availableParallelism());

function describeCell(cell: Cell): string {
  return Object.entries(cell.values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
}

/** Runs cells with progress on stderr; Ctrl-C aborts and the summary says so. */
async function sweepWithProgress(cells: Cell[], out: string, workers: number, fullDir?: string): Promise<SweepSummary> {
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.on("SIGINT", onSigint);
  const t0 = performance.now();
  const onEvent = (e: SweepEvent) => {
    const at = `${((performance.now() - t0) / 1000).toFixed(0)} s`;
    if (e.type === "start") process.stderr.write(`${e.total} cells: ${e.skipped} already in ${out}, ${e.pending} to run on ${e.workers} worker(s)\n`);
    else if (e.type === "done") process.stderr.write(`[${at}] ${e.finished}/${e.finished + e.pending} done: ${describeCell(e.cell)} (${(e.line.timingsMs.total / 1000).toFixed(1)} s)\n`);
    else process.stderr.write(`[${at}] failed: ${describeCell(e.cell)}: ${e.message}\n`);
  };
  try {
    return await runSweep({ cells, out, workers, fullDir, signal: stop.signal, onEvent });
  } finally {
    process.off("SIGINT", onSigint);
  }
}

function closeSweep(s: SweepSummary, out: string, resume: string): void {
  if (s.interrupted) {
    process.stderr.write(`interrupted: ${s.skipped + s.done} of ${s.total} cells are in ${out}; run \`${resume}\` again to resume\n`);
    process.exitCode = 130;
  } else if (s.failed.length) {
    process.stderr.write(`${s.failed.length} cell(s) failed; rerun to retry them\n`);
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
      const dir = keep ? (o.out as string) : mkdtempSync(join(tmpdir(), "featpure-reproduce-"));
      const out = join(dir, "results.jsonl");
      const t0 = performance.now();
      try {
        const summary = await sweepWithProgress(cells, out, workers, join(dir, "runs"));
        const wall = (performance.now() - t0) / 1000;
        const keys = new Set(cells.map((c) => c.key));
        const lines = readResults(out).lines.filter((l) => keys.has(l.key));
        if (lines.length > 0) {
          console.log(render(seedTable(lines)) + "\n");
          console.log(render(claimsTable(judgeClaims(lines))) + "\n");
          for (const t of headTables(lines)) console.log(render(t) + "\n");
        }
        const command = `featpure reproduce --seeds ${seeds} --workers ${workers}${keep ? ` --out ${dir}` : ""}${typeof o.config === "string" ? ` --config ${o.config}` : ""}`;
        console.log(`${summary.done} cells run now, ${summary.skipped} reused, in ${wall.toFixed(1)} s wall time on ${workers} worker(s)`);
        if (keep && lines.length > 0) {
          const intro = [
            `Command: ${command}. ${lines.length} cells (${summary.done} run now, ${summary.skipped} reused) in ${wall.toFixed(1)} s wall time on ${workers} worker(s).`,
            "Every cell's full configuration is in results.jsonl; rerun one with featpure run --config on it.",
          ];
          const written = await writeReport(dir, lines, firstFullResults(lines, join(dir, "runs")), intro);
          const claimsFile = join(dir, "claims.json");
          writeFileAtomic(claimsFile, JSON.stringify({ command, wallSeconds: wall, claims: judgeClaims(lines), sensitivity: judgeSensitivity(lines) }, null, 1) + "\n");
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
      console.log(`${summary.total} cells${shard.count > 1 ? ` (shard ${shard.index}/${shard.count} of ${all.length})` : ""}: ${summary.done} run now, ${summary.skipped} already done, ${summary.failed.length} failed`);
      closeSweep(summary, o.out as string, "the same featpure sweep command");
    });

  program
    .command("merge")
    .description("join result files (for example the shards of a sweep), keeping one line per cell")
    .argument("<files...>", "result files (JSON lines)")
    .requiredOption("--out <file>", "merged results file (written atomically)")
    .action((files: string[], o: { out: string }) => {
      const { lines, duplicates } = mergeResults(files.map(readLines));
      writeFileAtomic(o.out, lines.map((l) => JSON.stringify(l) + "\n").join(""));
      console.log(`${lines.length} cells from ${files.length} file(s) to ${o.out}; ${duplicates} duplicate line(s) dropped`);
    });

  program
    .command("report")
    .description("tables, claims, SVG figures and an HTML report from result files")
    .argument("<files...>", "result files (JSON lines)")
    .requiredOption("--out <dir>", "folder for the SVG figures and report.html")
    .option("--runs <dir>", "folder of full results (<key>.json) for the heatmaps (default: runs/ beside the first file)")
    .action(async (files: string[], o: { out: string; runs?: string }) => {
      const { lines } = mergeResults(files.map(readLines));
      if (lines.length === 0) throw new SweepInputError(`no result lines in ${files.join(", ")}`);
      for (const t of reportTables(lines)) console.log(render(t) + "\n");
      const runs = o.runs ?? join(dirname(files[0]), "runs");
      const intro = [`Command: featpure report ${files.join(" ")} --out ${o.out}. ${lines.length} cells.`];
      const written = await writeReport(o.out, lines, existsSync(runs) ? firstFullResults(lines, runs) : [], intro);
      console.log(`wrote ${written.files.length} files to ${o.out} (open ${join(o.out, "report.html")})`);
    });
}
