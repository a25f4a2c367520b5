import { describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendResult, mergeResults, prepareForAppend, readResults, summarizeResult } from "../src/sweep/results.js";
import { paperLikeLines, armSummary } from "./report-fixtures.js";
import type { ExperimentResult } from "../src/api.js";

const tmp = () => mkdtempSync(join(tmpdir(), "featpure-results-"));

describe("sweep result lines", () => {
  it("round-trip through append and read", () => {
    const path = join(tmp(), "r.jsonl");
    const lines = paperLikeLines(3);
    for (const l of lines) appendResult(path, l);
    expect(readResults(path)).toEqual({ lines, completeBytes: readFileSync(path).length, torn: false });
    expect(readResults(join(tmp(), "missing.jsonl")).lines).toEqual([]);
  });

  it("skip a torn last line, and resuming cuts it off so the next line starts clean", () => {
    const path = join(tmp(), "r.jsonl");
    const [a, b, c] = paperLikeLines(3);
    appendResult(path, a);
    appendResult(path, b);
    const whole = readFileSync(path).length;
    appendFileSync(path, JSON.stringify(c).slice(0, 100));
    const r = readResults(path);
    expect(r.lines.map((l) => l.key)).toEqual([a.key, b.key]);
    expect(r).toMatchObject({ torn: true, completeBytes: whole });
    expect(prepareForAppend(path).map((l) => l.key)).toEqual([a.key, b.key]);
    appendResult(path, c);
    expect(readResults(path).lines.map((l) => l.key)).toEqual([a.key, b.key, c.key]);
  });

  it("refuse a malformed line in the middle", () => {
    const path = join(tmp(), "r.jsonl");
    writeFileSync(path, `${JSON.stringify(paperLikeLines(1)[0])}\n{oops\n`);
    expect(() => readResults(path)).toThrow(/r\.jsonl:2: not a JSON line/);
    writeFileSync(path, `{"a":1}\n`);
    expect(() => readResults(path)).toThrow(/r\.jsonl:1: not a featpure result line/);
  });

  it("merge keeps one line per key", () => {
    const [a, b, c] = paperLikeLines(3);
    const { lines, duplicates } = mergeResults([[a, b], [b, c, a]]);
    expect(lines.map((l) => l.key)).toEqual([a.key, b.key, c.key]);
    expect(duplicates).toBe(2);
  });

  it("leave the per-neuron tables out of a line", () => {
    const line = paperLikeLines(1)[0];
    const arm = { ...armSummary("adv", { purity: 1, participation: 1, preClean: 1, preRobust: 1, downClean: 1, downRobust: 1 }), neurons: [], coefficients: [[1, 2]] };
    const r: ExperimentResult = { version: "9.9.9", config: line.config, backend: "scalar", arms: [arm], timingsMs: { total: 5 } };
    const s = summarizeResult("k", r);
    expect(s).toMatchObject({ key: "k", version: "9.9.9", seed: line.config.seed, backend: "scalar", timingsMs: { total: 5 } });
    expect(s.arms[0]).not.toHaveProperty("neurons");
    expect(s.arms[0]).not.toHaveProperty("coefficients");
    expect(s.arms[0].purity).toEqual(arm.purity);
  });
});
