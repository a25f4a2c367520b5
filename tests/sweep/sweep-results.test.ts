import { describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  appendResult,
  describeBuilds,
  lineBuild,
  mergeResults,
  prepareForAppend,
  readResults,
  summarizeResult,
  type FailureLine,
  type ResultLine,
} from "../../src/sweep/results.js";
import { paperLikeLines, armSummary } from "../report/report-fixtures.js";
import type { ExperimentResult } from "../../src/api.js";

const tmp = () => mkdtempSync(join(tmpdir(), "featpure-results-"));

describe("sweep result lines", () => {
  it("round-trip through append and read", () => {
    const path = join(tmp(), "r.jsonl");
    const lines = paperLikeLines(3);
    for (const l of lines) appendResult(path, l);
    expect(readResults(path)).toEqual({ lines, failures: [], completeBytes: readFileSync(path).length, torn: false });
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

  const file = (path: string, lines: ResultLine[], failures: FailureLine[] = []) => ({ path, lines, failures });
  const failure = (l: ResultLine, failed: string): FailureLine => ({
    key: l.key,
    version: l.version,
    seed: l.seed,
    config: l.config,
    failed,
  });

  it("merge keeps one line per key", () => {
    const [a, b, c] = paperLikeLines(3);
    const { lines, duplicates, conflicts } = mergeResults([file("x", [a, b]), file("y", [b, c, a])]);
    expect(lines.map((l) => l.key)).toEqual([a.key, b.key, c.key]);
    expect(duplicates).toBe(2);
    expect(conflicts).toEqual([]);
  });

  it("merge treats lines differing only in timings and version as duplicates, and other differences as conflicts", () => {
    const [a, b] = paperLikeLines(2);
    const retimed = {
      ...a,
      version: "9.9.9",
      timingsMs: { total: 1 },
      arms: a.arms.map((arm) => ({ ...arm, timingsMs: { pretrain: 1, downstream: 2, evaluate: 3, adapt: 4, adaptTraining: {} } })),
    };
    expect(mergeResults([file("x", [a]), file("y", [retimed])])).toMatchObject({ duplicates: 1, conflicts: [] });
    const other = { ...a, arms: b.arms };
    const m = mergeResults([file("x", [a]), file("y", [other])]);
    expect(m.conflicts).toEqual([{ key: a.key, paths: ["x", "y"] }]);
    expect(m.lines).toEqual([a]);
    const otherBuild = { ...a, backend: "scalar" as const };
    expect(mergeResults([file("x", [a]), file("y", [otherBuild])]).conflicts).toHaveLength(1);
  });

  it("merge keeps a cell's failure only where no file has its result", () => {
    const [a, b] = paperLikeLines(2);
    const m = mergeResults([file("x", [a], [failure(b, "diverged"), failure(a, "worker exited")]), file("y", [], [failure(b, "again")])]);
    expect(m.lines).toEqual([a]);
    expect(m.failures).toEqual([failure(b, "diverged")]);
  });

  it("read failure lines apart from result lines; resuming reruns failed cells", () => {
    const path = join(tmp(), "r.jsonl");
    const [a, b] = paperLikeLines(2);
    appendResult(path, a);
    appendResult(path, failure(b, "diverged at step 3"));
    expect(readResults(path)).toMatchObject({ lines: [a], failures: [failure(b, "diverged at step 3")] });
    expect(prepareForAppend(path).map((l) => l.key)).toEqual([a.key]);
  });

  it("name the kernel build of a line: recorded, else named in the config, else unrecorded", () => {
    const [a] = paperLikeLines(1);
    expect(lineBuild({ ...a, backend: "simd" })).toBe("simd");
    const { backend: _b, ...old } = a;
    expect(lineBuild({ ...old, config: { ...a.config, backend: "scalar" } } as ResultLine)).toBe("scalar");
    expect(lineBuild({ ...old, config: { ...a.config, backend: "auto" } } as ResultLine)).toBe("unrecorded");
    expect(
      describeBuilds([
        { ...a, backend: "relaxed" },
        { ...a, backend: "relaxed" },
        { ...a, backend: "simd" },
      ]),
    ).toBe("relaxed (2 cells), simd (1 cell)");
  });

  it("leave the per-neuron tables out of a line", () => {
    const line = paperLikeLines(1)[0];
    const arm = {
      ...armSummary("adv", { purity: 1, participation: 1, preClean: 1, preRobust: 1, downClean: 1, downRobust: 1 }),
      neurons: [],
      coefficients: [[1, 2]],
    };
    const r: ExperimentResult = { version: "9.9.9", config: line.config, backend: "scalar", arms: [arm], timingsMs: { total: 5 } };
    const s = summarizeResult("k", r);
    expect(s).toMatchObject({ key: "k", version: "9.9.9", seed: line.config.seed, backend: "scalar", timingsMs: { total: 5 } });
    expect(s.arms[0]).not.toHaveProperty("neurons");
    expect(s.arms[0]).not.toHaveProperty("coefficients");
    expect(s.arms[0].purity).toEqual(arm.purity);
  });
});
