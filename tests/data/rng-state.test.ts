// Saving and restoring a generator's state, as checkpoints do: the restored stream continues with
// exactly the draws the original would have made (a cached normal included), and damaged states
// are refused with the part that is wrong.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Rng, type RngState } from "../../src/rng.js";

const draw = (r: Rng) => [r.nextU32(), r.uniform(), r.normal(), r.normal(), r.int(1000), r.normal()];

describe("Rng state", () => {
  it("continues exactly where it stopped, after any mix of draws, through JSON", () => {
    const ops = fc.array(fc.constantFrom("u32", "uniform", "normal", "int"), { maxLength: 30 });
    fc.assert(
      fc.property(fc.string(), ops, (seed, before) => {
        const r = new Rng(seed);
        for (const op of before) op === "u32" ? r.nextU32() : op === "uniform" ? r.uniform() : op === "normal" ? r.normal() : r.int(7);
        const saved = JSON.parse(JSON.stringify(r.state())) as RngState;
        const copy = Rng.fromState(saved);
        const resumed = new Rng(seed);
        resumed.restore(saved);
        const want = draw(r);
        expect(draw(copy)).toEqual(want);
        expect(draw(resumed)).toEqual(want);
      }),
      { numRuns: 100, seed: 5 },
    );
  });

  it("keeps the cached second normal of a pair", () => {
    const r = new Rng(9);
    r.normal();
    expect(r.state().spare).not.toBeNull();
    expect(Rng.fromState(r.state()).normal()).toBe(r.normal());
  });

  it("forks of a restored stream equal forks of the original (the key travels with the state)", () => {
    const r = new Rng(4);
    r.uniform();
    expect(Rng.fromState(r.state()).fork("x").uniform()).toBe(r.fork("x").uniform());
  });

  it.each<[string, unknown, string]>([
    ["a missing key", { words: [1, 2, 3, 4], spare: null }, "key must be four unsigned 32-bit integers"],
    ["a negative word", { key: [1, 2, 3, 4], words: [1, -2, 3, 4], spare: null }, "words must be four"],
    ["a fractional word", { key: [1, 2, 3, 4], words: [1, 2.5, 3, 4], spare: null }, "words must be four"],
    ["a non-finite spare", { key: [1, 2, 3, 4], words: [1, 2, 3, 4], spare: "x" }, "spare must be a finite number or null"],
    ["not an object", 7, "must be an object"],
  ])("refuses %s", (_what, state, message) => {
    expect(() => Rng.fromState(state as RngState)).toThrow(message);
  });

  it("refuses to restore the state of another stream", () => {
    expect(() => new Rng(1).restore(new Rng(2).state())).toThrow("another stream");
  });
});
