// Sweep results as JSON lines: one complete line per finished cell, appended in a single write, so an
// interrupted sweep leaves at worst a torn last line, which readers skip and resuming cuts off.
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ExperimentResult } from "../api.js";
import type { ArmResult } from "../experiments/experiment.js";

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

export function summarizeResult(key: string, r: ExperimentResult): ResultLine {
  const arms = r.arms.map((a) => {
    const { neurons: _n, coefficients: _c, ...rest } = a;
    return rest;
  });
  return { key, version: r.version, seed: r.config.seed, config: r.config, backend: r.backend, timingsMs: r.timingsMs, arms };
}

export interface ReadResults {
  lines: ResultLine[];
  /** Byte length of the complete lines: everything after it is a torn write. */
  completeBytes: number;
  torn: boolean;
}

/** Reads a results file; a missing file is empty. A malformed line other than a torn last one is an error. */
export function readResults(path: string): ReadResults {
  if (!existsSync(path)) return { lines: [], completeBytes: 0, torn: false };
  const buf = readFileSync(path);
  const lastNewline = buf.lastIndexOf(0x0a);
  const completeBytes = lastNewline + 1;
  const text = buf.subarray(0, completeBytes).toString("utf8");
  const lines: ResultLine[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line`);
    }
    if (!isResultLine(parsed)) throw new Error(`${path}:${i + 1}: not a featpure result line (needs key, config and arms)`);
    lines.push(parsed);
  });
  return { lines, completeBytes, torn: completeBytes < buf.length };
}

function isResultLine(v: unknown): v is ResultLine {
  const o = v as ResultLine;
  return typeof o === "object" && o !== null && typeof o.key === "string" && typeof o.config === "object" && Array.isArray(o.arms);
}

/** Cuts a torn last line off so appending continues on a line boundary; returns the complete lines. */
export function prepareForAppend(path: string): ResultLine[] {
  const r = readResults(path);
  if (r.torn) truncateSync(path, r.completeBytes);
  return r.lines;
}

export function appendResult(path: string, line: ResultLine): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  // One write call of one complete line: concurrent appenders (O_APPEND) and crashes never interleave halves.
  appendFileSync(path, JSON.stringify(line) + "\n");
}

/** Lines of several files, the first line of each key kept; returns how many duplicates were dropped. */
export function mergeResults(inputs: ResultLine[][]): { lines: ResultLine[]; duplicates: number } {
  const seen = new Set<string>();
  const lines: ResultLine[] = [];
  let duplicates = 0;
  for (const input of inputs) {
    for (const line of input) {
      if (seen.has(line.key)) duplicates++;
      else {
        seen.add(line.key);
        lines.push(line);
      }
    }
  }
  return { lines, duplicates };
}
