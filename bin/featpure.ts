#!/usr/bin/env node
// The featpure command line: a thin layer over src/api.ts that parses flags, shows progress and
// prints tables. Exit codes: 0 success, 1 failure during a run, 2 bad input.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import Table from "cli-table3";
import cliProgress from "cli-progress";
import {
  CheckpointMismatchError,
  ConfigError,
  decodeCheckpoint,
  ineffectiveOptions,
  planEncoder,
  planRun,
  runnableConfig,
  type Plan,
  type RunCheckpoint,
  DivergenceError,
  FileFormatError,
  loadEncoder,
  pretrainEncoder,
  resolveConfig,
  runDownstream,
  runExperiment,
  saveEncoder,
  VERSION,
  type Progress,
} from "../src/api.js";
import { decimalNumber, describeIssue, flagHelp, flagSpecs, layerFromFlags, optionKey, type FlagSpec } from "../src/config/flags.js";
import { formatOptions, optionGroups, optionsMarkdown, terminalColumns } from "../src/cli/options.js";
import {
  accuracyTable,
  adaptationsTable,
  checksTable,
  configTable,
  headSensitivityTable,
  proxiesTable,
  purityTable,
  type TableData,
} from "../src/report/tables.js";
import { encodePng, sideBySide, weightMosaic } from "../src/model/mosaic.js";
import { writeFileAtomic } from "../src/files/atomic.js";
import { outputFileProblem, outputFolderProblem } from "../src/files/outputCheck.js";
import { MAX_THREADS } from "../src/config/limits.js";
import { addCheckpointFlags, checkpointFlagProblem, cliCheckpoint, type CliCheckpoint } from "../src/cli/checkpointFlags.js";
import { downstreamOverrideIssues } from "../src/experiments/encoder.js";
import { addSweepCommands } from "../src/cli/sweepCommands.js";
import { SweepInputError } from "../src/sweep/grid.js";
import { runBench, SECTIONS, type Section } from "../benchmarks/bench.js";
import { formatBench } from "../benchmarks/report.js";

class UsageError extends Error {}
/** Ctrl-C: exit code 130, with how to resume. */
class Interrupted extends Error {}

function render(t: TableData): string {
  const table = new Table({ head: t.head, style: { head: [], border: [] } });
  table.push(...t.rows);
  return `${t.title}\n${table.toString()}`;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--config: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config: ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The config layer of the schema flags commander parsed. */
function flagsLayer(opts: Record<string, unknown>): Record<string, unknown> {
  const pairs = flagSpecs().flatMap((f): [string, string][] => {
    const raw = opts[optionKey(f.flag)];
    return typeof raw === "string" ? [[f.flag, raw]] : [];
  });
  return layerFromFlags(pairs);
}

function configFrom(opts: Record<string, unknown>, base?: unknown) {
  const file = typeof opts.config === "string" ? readConfigFile(opts.config) : undefined;
  try {
    resolveConfig(base, file);
  } catch (e) {
    if (e instanceof ConfigError)
      throw new UsageError(e.issues.map((i) => `--config ${opts.config}: ${describeIssue(i, "file")}`).join("\n"));
    throw e;
  }
  const flags = flagsLayer(opts);
  let config;
  try {
    config = resolveConfig(base, file, flags);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.issues.map((i) => describeIssue(i, "flags")).join("\n"));
    throw e;
  }
  const warnings = [
    ...ineffectiveOptions(file, config).map((i) => `--config ${opts.config}: ${describeIssue(i, "file")}`),
    ...ineffectiveOptions(flags, config).map((i) => describeIssue(i, "flags")),
  ];
  for (const w of warnings) process.stderr.write(`featpure: warning: ${w}\n`);
  return config;
}

/** Seconds between two progress lines of one phase when stderr is not a terminal (a cluster log, a pipe). */
const PLAIN_PROGRESS_EVERY_S = 5;

/** Progress on stderr: a bar on a terminal, else plain lines at each phase's start and end and every few seconds. */
function progressReporter(enabled: boolean): { onProgress?: (p: Progress) => void; stop(): void } {
  if (!enabled) return { stop() {} };
  if (process.stderr.isTTY !== true) {
    let key = "";
    let last = 0;
    return {
      onProgress(p) {
        const k = `${p.arm}/${p.phase}`;
        const now = performance.now();
        if (k === key && p.done !== p.total && now - last < PLAIN_PROGRESS_EVERY_S * 1000) return;
        key = k;
        last = now;
        process.stderr.write(`featpure: ${p.arm} ${p.phase} ${p.done}/${p.total}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: "{arm} {phase} |{bar}| {value}/{total} {eta_formatted}", stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let key = "";
  return {
    onProgress(p) {
      const k = `${p.arm}/${p.phase}`;
      if (k !== key) {
        if (key) bar.stop();
        bar.start(p.total, p.done, { arm: p.arm, phase: p.phase });
        key = k;
      } else if (p.done === p.total || p.done % 10 === 0) bar.update(p.done);
    },
    stop: () => bar.stop(),
  };
}

interface ArmWeights {
  arm: string;
  W: Float32Array;
  m: number;
  d: number;
}

/** weights-<arm>.png per arm and weights.png with the arms side by side (clean left); returns the files' names. */
async function writeMosaics(dir: string, arms: ArmWeights[]): Promise<string> {
  const panels = arms.map((a) => ({ arm: a.arm, img: weightMosaic(a.W, a.m, Math.round(Math.sqrt(a.d))) }));
  const files = [...panels.map((p) => join(dir, `weights-${p.arm}.png`)), join(dir, "weights.png")];
  for (const [i, p] of panels.entries()) writeFileAtomic(files[i], await encodePng(p.img));
  writeFileAtomic(files[files.length - 1], await encodePng(sideBySide(panels.map((p) => p.img))));
  return files.join(", ");
}

/** A file the user named that featpure cannot use: a usage error naming the flag. */
function fileError(flag: string, path: string, e: unknown): never {
  if (e instanceof FileFormatError) throw new UsageError(`${flag} ${path}: ${e.message}`);
  if (e instanceof ConfigError) throw new UsageError(e.issues.map((i) => `${flag} ${path}: ${i.path}: ${i.message}`).join("\n"));
  if (e instanceof Error && "code" in e && typeof e.code === "string" && e.code.startsWith("E"))
    throw new UsageError(`${flag}: cannot read ${path}: ${e.message}`);
  throw e;
}

/**
 * The files and folders a command will write, checked before any work starts (a run is never lost
 * to a path that fails at its end), and no output may be another file the command names.
 */
function checkOutputs(opts: Record<string, unknown>, files: string[], folders: string[] = []): void {
  const path = (flag: string) => (typeof opts[optionKey(flag)] === "string" ? (opts[optionKey(flag)] as string) : null);
  for (const [flags, problem] of [
    [files, outputFileProblem],
    [folders, outputFolderProblem],
  ] as const) {
    for (const flag of flags) {
      const p = path(flag);
      const issue = p === null ? null : problem(p);
      if (issue) throw new UsageError(`--${flag}: ${issue}`);
    }
  }
  const named = ["config", "encoder", "checkpoint", "save", "json"].filter((f) => path(f) !== null);
  for (const out of [...files, ...folders]) {
    const p = path(out);
    if (p === null) continue;
    const other = named.find((f) => f !== out && resolve(path(f)!) === resolve(p));
    if (other)
      throw new UsageError(
        `--${out} and --${other} name the same file ${p}: writing --${out} would destroy it; give --${out} another path`,
      );
  }
}

/** The checkpoint to resume from (its config is the base the flags must agree with), read and decoded once, before anything runs. */
function checkpointSetup(opts: Record<string, unknown>): { ck: CliCheckpoint | null; saved: RunCheckpoint | null } {
  const problem = checkpointFlagProblem(opts);
  if (problem) throw new UsageError(problem);
  let ck: CliCheckpoint | null;
  try {
    ck = cliCheckpoint(opts);
  } catch (e) {
    fileError("--checkpoint", String(opts.checkpoint), e);
  }
  if (ck && opts.resume === true && !ck.resumed) {
    // The configuration of a resumed run comes from its checkpoint: without one, only the command line can say which run to start.
    const given = typeof opts.config === "string" || Object.keys(flagsLayer(opts)).length > 0;
    if (!given)
      throw new UsageError(
        `--resume: no checkpoint at ${ck.path} yet, so it holds no configuration to continue; give the run's flags (or --config) with --resume to start it from step 1`,
      );
    process.stderr.write(`featpure: no checkpoint at ${ck.path} yet; starting the run given on the command line from step 1\n`);
  }
  if (!ck?.resumed) return { ck, saved: null };
  try {
    return { ck, saved: decodeCheckpoint(ck.resumed) };
  } catch (e) {
    fileError("--checkpoint", ck.path, e);
  }
}

/** parse → resolve → plan: the configuration from the checkpoint, --config and the flags, and every check of the plan, before any work. */
function planFrom(opts: Record<string, unknown>, planner: typeof planRun): { ck: CliCheckpoint | null; plan: Plan } {
  const { ck, saved } = checkpointSetup(opts);
  const config = configFrom(opts, saved?.config);
  try {
    return { ck, plan: planner(config, saved) };
  } catch (e) {
    if (e instanceof CheckpointMismatchError) fileError("--checkpoint", ck!.path, e);
    if (e instanceof ConfigError) throw new UsageError(e.issues.map((i) => describeIssue(i, "flags")).join("\n"));
    throw e;
  }
}

/**
 * Runs `work` with Ctrl-C turned into a clean stop: training loops and the evaluation give the event
 * loop a turn every 50 ms or so and honour the signal there; training checkpoints first. Every file
 * is written atomically, and an arm's last checkpoint precedes its evaluation, so a stop during the
 * evaluation resumes by repeating only that evaluation.
 */
async function interruptible<T>(ck: CliCheckpoint | null, resumeHint: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSigint = () => stop.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  try {
    return await work(stop.signal);
  } catch (e) {
    if (stop.signal.aborted) {
      const kept = ck?.last
        ? `the checkpoint ${ck.path} holds arm ${ck.last.arm} at step ${ck.last.step}; resume with: ${resumeHint}`
        : "nothing was saved (--checkpoint FILE makes a run resumable)";
      throw new Interrupted(`interrupted; ${kept}`);
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

function resumeCommand(command: string, ck: CliCheckpoint | null, extra = ""): string {
  return `featpure ${command} --checkpoint ${ck?.path} --resume${extra}`;
}

async function run(opts: Record<string, unknown>): Promise<void> {
  checkOutputs(opts, ["json", "checkpoint"], ["mosaic"]);
  const { ck, plan } = planFrom(opts, planRun);
  const { config } = plan;
  const mosaic = typeof opts.mosaic === "string" ? opts.mosaic : null;
  if (mosaic !== null && config.data.source !== "mnist")
    throw new UsageError("--mosaic draws each neuron's weights as a 28x28 image and needs --data mnist");
  const weights: ArmWeights[] = [];
  const quiet = opts.quiet === true;
  const progress = progressReporter(!quiet);
  if (!quiet) console.log(render(configTable(config)) + "\n");
  const extra = typeof opts.json === "string" ? ` --json ${opts.json}` : "";
  let result;
  try {
    result = await interruptible(ck, resumeCommand("run", ck, extra), (signal) =>
      runExperiment(plan, {
        onProgress: progress.onProgress,
        signal,
        checkpoint: ck?.options,
        onWeights: mosaic === null ? undefined : (arm, W, shape) => weights.push({ arm, W, ...shape }),
      }),
    );
  } finally {
    progress.stop();
  }
  if (result.backendWarning) process.stderr.write(`featpure: warning: ${result.backendWarning}\n`);
  if (!quiet) {
    for (const t of [
      purityTable(result),
      proxiesTable(result),
      accuracyTable(result),
      checksTable(result),
      adaptationsTable(result),
      headSensitivityTable(result),
    ])
      if (t) console.log(render(t) + "\n");
    console.log(`backend ${result.backend}; ${(result.timingsMs.total / 1000).toFixed(1)} s in all`);
  }
  const wrote: string[] = [];
  if (typeof opts.json === "string") {
    writeFileAtomic(opts.json, JSON.stringify(result, null, 1) + "\n");
    wrote.push(`the result to ${opts.json}`);
  }
  if (mosaic !== null) wrote.push(`the weight images to ${await writeMosaics(mosaic, weights)}`);
  if (ck?.last) wrote.push(`the checkpoint to ${ck.path}`);
  if (!quiet) for (const w of wrote) console.log(`wrote ${w}`);
}

async function pretrain(opts: Record<string, unknown>): Promise<void> {
  if (typeof opts.save !== "string") throw new UsageError("pretrain needs --save FILE (where to write the encoder)");
  checkOutputs(opts, ["save", "checkpoint"]);
  const { ck, plan } = planFrom(opts, planEncoder);
  const { config } = plan;
  const quiet = opts.quiet === true;
  const progress = progressReporter(!quiet);
  if (!quiet) console.log(render(configTable(config)) + "\n");
  let encoder;
  try {
    encoder = await interruptible(ck, resumeCommand("pretrain", ck, ` --save ${opts.save}`), (signal) =>
      pretrainEncoder(plan, { onProgress: progress.onProgress, signal, checkpoint: ck?.options }),
    );
  } finally {
    progress.stop();
  }
  await saveEncoder(opts.save, encoder);
  if (!quiet) {
    const last = encoder.curve[encoder.curve.length - 1];
    console.log(
      `saved the ${encoder.arm} encoder to ${opts.save} (${config.optim.steps} steps, final loss ${last?.loss.toFixed(4)}, ${(encoder.pretrainMs / 1000).toFixed(1)} s)`,
    );
  }
}

/** Whether a run flag may change in a downstream task (the rest are accepted only to say that they are fixed). */
const adaptable = (f: FlagSpec) => downstreamOverrideIssues(flagsLayer({ [optionKey(f.flag)]: "0" })).length === 0;

async function downstream(opts: Record<string, unknown>): Promise<void> {
  if (typeof opts.encoder !== "string") throw new UsageError("downstream needs --encoder FILE (written by featpure pretrain --save)");
  checkOutputs(opts, ["json"]);
  let taskSeed: number | null = null;
  if (opts.taskSeed !== undefined) {
    taskSeed = decimalNumber(String(opts.taskSeed));
    if (!(taskSeed !== null && Number.isInteger(taskSeed) && taskSeed >= 0 && taskSeed <= 2 ** 31 - 1)) {
      throw new UsageError(`--task-seed: must be an integer in [0, 2147483647], got ${JSON.stringify(opts.taskSeed)}`);
    }
  }
  let encoder;
  try {
    encoder = await loadEncoder(opts.encoder);
  } catch (e) {
    fileError("--encoder", opts.encoder, e);
  }
  const overrides = flagsLayer(opts);
  const fixed = downstreamOverrideIssues(overrides);
  if (fixed.length) throw new UsageError(fixed.map((i) => describeIssue(i, "flags")).join("\n"));
  try {
    runnableConfig(encoder.config, overrides);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.issues.map((i) => describeIssue(i, "flags")).join("\n"));
    throw e;
  }
  const quiet = opts.quiet === true;
  const progress = progressReporter(!quiet);
  let result;
  try {
    // No Ctrl-C handler: nothing here is worth saving, so the default (stop at once) is right.
    result = await runDownstream(encoder, { taskSeed, overrides, onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
  if (result.backendWarning) process.stderr.write(`featpure: warning: ${result.backendWarning}\n`);
  if (!quiet) {
    const asRun = { ...result, arms: [result.arm] };
    console.log(
      `encoder: ${opts.encoder} (${encoder.arm}); task: ${taskSeed === null ? "the configuration's own downstream task" : `seed ${taskSeed}`}, subset ${result.task.downstreamSubset}\n`,
    );
    for (const t of [purityTable(asRun), accuracyTable(asRun), checksTable(asRun), adaptationsTable(asRun), headSensitivityTable(asRun)])
      if (t) console.log(render(t) + "\n");
  }
  if (typeof opts.json === "string") {
    writeFileAtomic(opts.json, JSON.stringify(result, null, 1) + "\n");
    if (!quiet) console.log(`wrote the result to ${opts.json}`);
  }
}

/** A comma-separated list option: each item through `item`, which returns null for one it rejects. */
function listOption<T>(flag: string, text: string, accepted: string, item: (s: string) => T | null): T[] {
  const items = text.split(",").map((s) => s.trim());
  const out = items.map(item);
  if (!items.length || out.some((v) => v === null))
    throw new UsageError(`${flag}: expected a comma-separated list of ${accepted}, got ${JSON.stringify(text)}`);
  return [...new Set(out as T[])];
}

async function bench(opts: {
  json?: string;
  quick?: boolean;
  peers?: boolean;
  ghz?: string;
  threads?: string;
  only?: string;
}): Promise<void> {
  checkOutputs(opts, ["json"]);
  const ghz = opts.ghz === undefined ? undefined : decimalNumber(opts.ghz);
  if (ghz !== undefined && !(ghz !== null && ghz > 0.1 && ghz <= 10))
    throw new UsageError(`--ghz: expected a clock in GHz in (0.1, 10], got ${JSON.stringify(opts.ghz)}`);
  const threads =
    opts.threads === undefined
      ? undefined
      : listOption("--threads", opts.threads, `thread counts, integers in [1, ${MAX_THREADS}]`, (s) =>
          /^\d+$/.test(s) && +s >= 1 && +s <= MAX_THREADS ? +s : null,
        );
  const sections =
    opts.only === undefined
      ? undefined
      : listOption("--only", opts.only, `sections among ${SECTIONS.join(", ")}`, (s) =>
          (SECTIONS as readonly string[]).includes(s) ? (s as Section) : null,
        );
  const result = await runBench({
    quick: opts.quick,
    noPeers: opts.peers === false,
    ghz,
    threads,
    sections,
    log: (l) => process.stderr.write(`bench: ${l}\n`),
  });
  console.log(formatBench(result));
  if (opts.json) writeFileAtomic(opts.json, JSON.stringify(result, null, 1) + "\n");
}

function main(argv: string[]): Promise<void> {
  const program = new Command("featpure")
    .description("Robustness inheritance through feature purification, simulated in SIMD WebAssembly")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // run and pretrain take the whole configuration: a config file, every schema flag, checkpoints.
  const trainingCommand = (name: string, description: string) => {
    const c = program
      .command(name)
      .description(description)
      .option("--config <file>", "JSON file with any subset of the configuration (flags override it)")
      .option("--quiet", "print nothing but errors")
      .exitOverride();
    for (const f of flagSpecs()) c.addOption(new Option(`--${f.flag} <value>`, flagHelp(f.spec)));
    addCheckpointFlags(c);
    return c;
  };
  trainingCommand("run", "pre-train (clean and/or adversarial), fit a clean downstream head, and attack both")
    .option("--json <file>", "write the full result as JSON (atomically)")
    .option(
      "--mosaic <dir>",
      "draw every neuron's weights as an image into DIR: weights-clean.png, weights-adv.png and weights.png side by side (--data mnist)",
    )
    .action(run);
  trainingCommand("pretrain", "pre-train one arm (--train clean or adv) and save the encoder for later downstream tasks")
    .option("--save <file>", "where to write the encoder (atomically)")
    .action(pretrain);
  const down = program
    .command("downstream")
    .description("fit and attack a new clean head on a saved encoder, for its own or another downstream task, without retraining")
    .option("--encoder <file>", "encoder file written by featpure pretrain --save")
    .option("--task-seed <n>", "draw another downstream task (label direction and samples) from this seed; default: the encoder's own task")
    .option("--json <file>", "write the full result as JSON (atomically)")
    .option("--quiet", "print nothing but errors")
    .exitOverride();
  for (const f of flagSpecs()) {
    const option = new Option(`--${f.flag} <value>`, flagHelp(f.spec));
    down.addOption(adaptable(f) ? option : option.hideHelp());
  }
  down.action(downstream);
  program
    .command("options")
    .description("list every configuration field by section: flag, accepted values, default, and whether it is a reconstruction")
    .option("--json", "print the sections and their options as JSON, for tools")
    .option("--markdown", "print the Markdown tables of docs/options.md")
    .action((o: { json?: boolean; markdown?: boolean }) => {
      const groups = optionGroups();
      if (o.json) console.log(JSON.stringify(groups, null, 2));
      else if (o.markdown) console.log(optionsMarkdown(groups));
      else console.log(formatOptions(groups, terminalColumns()));
    });
  addSweepCommands(program, render);
  program
    .command("bench")
    .description(
      "measure the kernels (GFLOP/s against the per-core SIMD limit), the training step, and the peers (plain JS, tfjs, PyTorch)",
    )
    .option("--json <file>", "write every measurement as JSON (atomically)")
    .option("--quick", "tiny sizes and few repetitions: checks that everything runs")
    .option("--no-peers", "skip plain JS, tfjs and PyTorch")
    .option("--ghz <GHz>", "clock for the limit, instead of the measured one")
    .option(
      "--threads <list>",
      "thread counts of the threaded step, its parallel ceilings and PyTorch, e.g. 1,2,4,8 (default: 1,2,4 capped at the cores)",
    )
    .option("--only <sections>", `run only these sections, comma-separated: ${SECTIONS.join(", ")}`)
    .action(bench);
  return program.parseAsync(argv).then(() => undefined);
}

main(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exitCode = e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0 ? 0 : 2;
    return;
  }
  if (e instanceof UsageError || e instanceof SweepInputError) {
    process.stderr.write(`featpure: ${e.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (e instanceof Interrupted) {
    process.stderr.write(`featpure: ${e.message}\n`);
    process.exitCode = 130;
    return;
  }
  if (e instanceof DivergenceError) {
    process.stderr.write(`featpure: ${e.message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(`featpure: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
