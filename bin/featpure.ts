#!/usr/bin/env node
// The featpure command line: a thin layer over src/api.ts that parses flags, shows progress and
// prints tables. Exit codes: 0 success, 1 failure during a run, 2 bad input.
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import Table from "cli-table3";
import cliProgress from "cli-progress";
import { ConfigError, DivergenceError, resolveConfig, runExperiment, VERSION, type Progress } from "../src/api.js";
import { accepted, defaultText, describeIssue, flagHelp, flagSpecs, modeDefaultText, optionKey, parseFlag } from "../src/cli/flags.js";
import { accuracyTable, checksTable, configTable, purityTable, type TableData } from "../src/report/tables.js";
import { writeFileAtomic } from "../src/io/atomic.js";

class UsageError extends Error {}

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

function flagsLayer(opts: Record<string, unknown>): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const f of flagSpecs()) {
    const raw = opts[optionKey(f.flag)];
    if (typeof raw !== "string") continue;
    const keys = f.path.split(".");
    let o = layer;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[keys[keys.length - 1]] = parseFlag(f.spec, raw);
  }
  return layer;
}

function configFrom(opts: Record<string, unknown>) {
  const file = typeof opts.config === "string" ? readConfigFile(opts.config) : undefined;
  try {
    resolveConfig(file);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.issues.map((i) => `--config ${opts.config}: ${describeIssue(i, "file")}`).join("\n"));
    throw e;
  }
  try {
    return resolveConfig(file, flagsLayer(opts));
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.issues.map((i) => describeIssue(i, "flags")).join("\n"));
    throw e;
  }
}

function progressReporter(enabled: boolean): { onProgress?: (p: Progress) => void; stop(): void } {
  if (!enabled) return { stop() {} };
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

function optionsTable(markdown: boolean): string {
  const rows = flagSpecs().map((f) => {
    const byMode = modeDefaultText(f.path);
    return [`--${f.flag}`, f.path, accepted(f.spec), defaultText(f.spec) + (byMode ? ` (${byMode})` : ""), f.spec.doc + (f.spec.reconstruction ? " (reconstruction)" : "")];
  });
  const head = ["flag", "config field", "accepts", "default", "meaning"];
  if (!markdown) return render({ title: "Options of featpure run", head, rows });
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

async function run(opts: Record<string, unknown>): Promise<void> {
  const config = configFrom(opts);
  const quiet = opts.quiet === true;
  const progress = progressReporter(!quiet && process.stderr.isTTY === true);
  if (!quiet) console.log(render(configTable(config)) + "\n");
  const stop = new AbortController();
  const onSigint = () => stop.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  let result;
  try {
    result = await runExperiment(config, { onProgress: progress.onProgress, signal: stop.signal });
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
  }
  if (!quiet) {
    for (const t of [purityTable(result), accuracyTable(result), checksTable(result)]) if (t) console.log(render(t) + "\n");
    console.log(`backend ${result.backend}; ${(result.timingsMs.total / 1000).toFixed(1)} s in all`);
  }
  if (typeof opts.json === "string") writeFileAtomic(opts.json, JSON.stringify(result, null, 1) + "\n");
}

function main(argv: string[]): Promise<void> {
  const program = new Command("featpure")
    .description("Robustness inheritance through feature purification, simulated in SIMD WebAssembly")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const cmd = program
    .command("run", { isDefault: false })
    .description("pre-train (clean and/or adversarial), fit a clean downstream head, and attack both")
    .option("--config <file>", "JSON file with any subset of the configuration (flags override it)")
    .option("--json <file>", "write the full result as JSON (atomically)")
    .option("--quiet", "print nothing but errors")
    .exitOverride();
  for (const f of flagSpecs()) cmd.addOption(new Option(`--${f.flag} <value>`, flagHelp(f.spec)));
  cmd.action(run);
  program
    .command("options")
    .description("list every configuration field: flag, accepted values, default, and whether it is a reconstruction")
    .option("--markdown", "print a Markdown table (as in the README)")
    .action((o: { markdown?: boolean }) => console.log(optionsTable(o.markdown === true)));
  return program.parseAsync(argv).then(() => undefined);
}

main(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exitCode = e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0 ? 0 : 2;
    return;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`featpure: ${e.message}\n`);
    process.exitCode = 2;
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
