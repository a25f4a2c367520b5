// Sweep results as JSON lines: one complete line per finished cell, appended in a single write, so an
// interrupted sweep leaves at worst a torn last line, which readers skip and resuming cuts off. A cell
// that failed gets a failure line (its config and the error), so that merged shards say which cells
// failed and why; a later success line of the same key supersedes it.
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ExperimentResult } from "../api.js";
import type { ArmResult } from "../experiments/experiment.js";
import { canonicalJson } from "./grid.js";

/** One arm of a result without its per-neuron tables (those stay in full results). */
export type ArmSummary = Omit<ArmResult, "neurons" | "coefficients">;

export interface ResultLine {
  /** Hash of the resolved configuration: the identity of the cell. */
  key: string;
  version: string;
  seed: number;
  config: ExperimentResult["config"];
  backend: ExperimentResult["backend"];
  timingsMs: ExperimentResult["timingsMs"];
  arms: ArmSummary[];
}

export interface FailureLine {
  key: string;
  version: string;
  seed: number;
  config: ExperimentResult["config"];
  /** The error that stopped the cell. */
  failed: string;
}

export function summarizeResult(key: string, r: ExperimentResult): ResultLine {
  const arms = r.arms.map((a) => {
    const { neurons: _n, coefficients: _c, ...rest } = a;
    return rest;
  });
  return { key, version: r.version, seed: r.config.seed, config: r.config, backend: r.backend, timingsMs: r.timingsMs, arms };
}

export interface ReadResults {
  lines: ResultLine[];
  failures: FailureLine[];
  /** Byte length of the complete lines: everything after it is a torn write. */
  completeBytes: number;
  torn: boolean;
}

/** Reads a results file; a missing file is empty. A malformed line other than a torn last one is an error. */
export function readResults(path: string): ReadResults {
  if (!existsSync(path)) return { lines: [], failures: [], completeBytes: 0, torn: false };
  const buf = readFileSync(path);
  const lastNewline = buf.lastIndexOf(0x0a);
  const completeBytes = lastNewline + 1;
  const text = buf.subarray(0, completeBytes).toString("utf8");
  const lines: ResultLine[] = [];
  const failures: FailureLine[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line`);
    }
    if (isResultLine(parsed)) lines.push(parsed);
    else if (isFailureLine(parsed)) failures.push(parsed);
    else throw new Error(`${path}:${i + 1}: not a featpure result line (needs key, config and arms, or key, config and failed)`);
  });
  return { lines, failures, completeBytes, torn: completeBytes < buf.length };
}

const isCellLine = (v: unknown): v is { key: string; config: object } =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as ResultLine).key === "string" &&
  typeof (v as ResultLine).config === "object" &&
  (v as ResultLine).config !== null;
const isResultLine = (v: unknown): v is ResultLine => isCellLine(v) && Array.isArray((v as ResultLine).arms);
const isFailureLine = (v: unknown): v is FailureLine => isCellLine(v) && typeof (v as FailureLine).failed === "string";

/** Cuts a torn last line off so appending continues on a line boundary; returns the complete lines. */
export function prepareForAppend(path: string): ResultLine[] {
  const r = readResults(path);
  if (r.torn) truncateSync(path, r.completeBytes);
  return r.lines;
}

export function appendResult(path: string, line: ResultLine | FailureLine): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  // One write call of one complete line: concurrent appenders (O_APPEND) and crashes never interleave halves.
  appendFileSync(path, JSON.stringify(line) + "\n");
}

/**
 * The kernel build a line was computed with: the backend it recorded, else the one its config named;
 * "unrecorded" for a line that has neither (written before builds were recorded).
 */
export function lineBuild(line: ResultLine): string {
  if (typeof line.backend === "string") return line.backend;
  const named = (line.config as { backend?: unknown }).backend;
  return typeof named === "string" && named !== "auto" ? named : "unrecorded";
}

/** Lines per build, most common first. */
export function buildCounts(lines: readonly ResultLine[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(lineBuild(l), (counts.get(lineBuild(l)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** "relaxed (12 cells)" or "relaxed (10 cells), simd (2 cells)". */
export function describeBuilds(lines: readonly ResultLine[]): string {
  return buildCounts(lines)
    .map(([b, n]) => `${b} (${n} cell${n === 1 ? "" : "s"})`)
    .join(", ");
}

/** What identifies a cell's numbers: everything but timings, version and package metadata. */
function outcome(line: ResultLine): string {
  return canonicalJson({ backend: lineBuild(line), arms: line.arms.map(({ timingsMs: _t, ...a }) => a) });
}

export interface ResultFile {
  path: string;
  lines: ResultLine[];
  failures: FailureLine[];
}

export interface MergedResults {
  lines: ResultLine[];
  /** Cells that failed everywhere (no success line in any file), with their first error. */
  failures: FailureLine[];
  /** Lines equal to one already kept (same key, same numbers), dropped. */
  duplicates: number;
  /** Keys with lines whose numbers differ, and the files of the first two; the first line is kept. */
  conflicts: { key: string; paths: [string, string] }[];
}

/** Lines of several files, one per key (the first); a success supersedes a failure of the same key. */
export function mergeResults(inputs: readonly ResultFile[]): MergedResults {
  const kept = new Map<string, { line: ResultLine; path: string }>();
  const failed = new Map<string, FailureLine>();
  const conflicts: MergedResults["conflicts"] = [];
  let duplicates = 0;
  for (const input of inputs) {
    for (const line of input.lines) {
      const first = kept.get(line.key);
      if (!first) kept.set(line.key, { line, path: input.path });
      else if (outcome(first.line) === outcome(line)) duplicates++;
      else conflicts.push({ key: line.key, paths: [first.path, input.path] });
    }
    for (const f of input.failures) if (!failed.has(f.key)) failed.set(f.key, f);
  }
  return {
    lines: [...kept.values()].map((k) => k.line),
    failures: [...failed.values()].filter((f) => !kept.has(f.key)),
    duplicates,
    conflicts,
  };
}
