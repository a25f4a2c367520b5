// The TypeScript<->WASM contract (assembly/contract.ts) is one file both compilers read: every job of
// its table names a kernel that every build exports, with the arguments the pool hands it, and the
// split rules cover every job. (The record layouts are checked against the kernels' classes when the
// WASM compiles: a class that disagrees with its layout is a compile error.)
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Job, jobSplit, Split } from "../../assembly/contract.js";
import { JOB_KERNELS } from "../../src/engine/protocol.js";
import "../../src/engine/relaxedSimdFlag.js";

const BUILDS = ["featpure.wasm", "featpure-scalar.wasm", "featpure-mt.wasm", "featpure-relaxed.wasm", "featpure-relaxed-mt.wasm"];

describe("the job table", () => {
  it("names jobs in the order of their numbers, each once", () => {
    expect(JOB_KERNELS).toHaveLength(Job.count);
    JOB_KERNELS.forEach((name, j) => expect(Job[name]).toBe(j));
    expect(new Set(JOB_KERNELS).size).toBe(Job.count);
  });

  it.each(BUILDS)("%s exports every job's kernel", (file) => {
    const module = new WebAssembly.Module(readFileSync(new URL(`../../build/${file}`, import.meta.url)));
    const exported = new Set(
      WebAssembly.Module.exports(module)
        .filter((e) => e.kind === "function")
        .map((e) => e.name),
    );
    expect(JOB_KERNELS.filter((name) => !exported.has(name))).toEqual([]);
  });

  it("gives the triangle splits to the kernels whose rows cost unequal work, and equal row shares to the rest", () => {
    const bySplit = (s: Split) => JOB_KERNELS.filter((name) => jobSplit(Job[name]) === s);
    expect(bySplit(Split.triangleFalling)).toEqual(["gramRows", "symmetrizeRows"]);
    expect(bySplit(Split.triangleRising)).toEqual(["gramMirrorRows"]);
    expect(bySplit(Split.units)).toEqual(["netBackwardColumns"]);
    expect(bySplit(Split.elements)).toEqual(["adamStep"]);
  });
});
