// Which config fields a set of result lines sweeps: mode-dependent defaults are not a sweep.
import { describe, expect, it } from "vitest";
import { varyingFields } from "../../src/report/aggregate.js";
import { resolveConfig } from "../../src/config/validate.js";
import type { ResultLine } from "../../src/sweep/results.js";

const line = (layer: object) => ({ config: resolveConfig(layer) }) as unknown as ResultLine;

describe("varyingFields", () => {
  it("ignores fields whose defaults differ between modes, and seeds", () => {
    const lines = [1, 2].flatMap((seed) => [line({ seed }), line({ seed, mode: "contrastive" })]);
    expect(varyingFields(lines)).toEqual([]);
  });

  it("finds a field swept within a mode", () => {
    const lines = [0.1, 0.2].flatMap((eps) => [line({ adv: { eps } }), line({ adv: { eps }, mode: "contrastive" })]);
    expect(varyingFields(lines)).toEqual(["adv.eps"]);
  });
});
