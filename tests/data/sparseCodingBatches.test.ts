// The engine's sparse-coding batches (assembly/sparseCoding.ts) against the TypeScript draws they
// replace: the same batches bit for bit and the stream left in the same state, on every backend, for
// every dictionary, magnitude law and noise level, batch after batch.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BACKENDS } from "../../src/engine/wasm.js";
import { makeDictionary, type DictionaryKind } from "../../src/data/dictionary.js";
import { batchSource } from "../../src/data/source.js";
import type { Task } from "../../src/data/sparseCoding.js";
import { labelDirection } from "../../src/data/sparseCoding.js";
import { denseDirection, pairSource } from "../../src/data/views.js";
import type { ViewSpec } from "../../src/data/dataset.js";
import { Rng } from "../../src/rng.js";
import { engines, Mem } from "../kernels/kernels-harness.js";

const RUNS = { numRuns: 25, seed: 20261126 };

interface Case {
  kind: DictionaryKind;
  d: number;
  extra: number;
  k: number;
  uniform: boolean;
  magnitudeLow: number;
  noise: number;
  subset: number;
  B: number;
  seed: number;
  spareFirst: boolean;
}

function task(c: Case): Task {
  const D = c.kind === "overcomplete" ? c.d + c.extra : c.d;
  const rng = new Rng(c.seed);
  return {
    dict: makeDictionary(c.kind, c.d, D, rng.fork("dictionary")),
    spec: { D, k: Math.min(c.k, D), magnitude: c.uniform ? "uniform" : "sign", magnitudeLow: c.magnitudeLow },
    theta: labelDirection(D, c.subset, rng.fork("theta")),
    noise: c.noise,
  };
}

// Three batches from a fresh stream (with a spare normal cached first, when asked): inputs, labels, final state.
function draw(c: Case, t: Task, engineOf: (() => Mem) | null) {
  const rng = new Rng(c.seed + 1);
  if (c.spareFirst) rng.normal();
  const run = () => {
    const src = batchSource(t, 0, c.B, rng, engineOf ? engineOf().e : undefined);
    const x = new Float32Array(c.B * t.dict.d),
      y = new Float32Array(c.B);
    const out: number[][] = [];
    for (let i = 0; i < 3; i++) {
      src.next(x, y);
      out.push(Array.from(x), Array.from(y));
    }
    return out;
  };
  const batches = engineOf ? engineOf().scope(run) : run();
  return { batches, state: rng.state() };
}

describe.each(BACKENDS)("%s backend: sparse-coding batches drawn by the engine", (backend) => {
  const mem = new Mem(engines[backend]);

  it("equal the TypeScript draws bit for bit and leave the stream where they do", () => {
    const cases = fc.record({
      kind: fc.constantFrom<DictionaryKind>("identity", "orthogonal", "overcomplete"),
      d: fc.integer({ min: 1, max: 23 }),
      extra: fc.integer({ min: 0, max: 9 }),
      k: fc.integer({ min: 1, max: 6 }),
      uniform: fc.boolean(),
      magnitudeLow: fc.double({ min: 0, max: 1, noNaN: true }),
      noise: fc.constantFrom(0, 0, 0.05, 0.3),
      subset: fc.constantFrom(1, 0.5, 0.1),
      B: fc.integer({ min: 1, max: 9 }),
      seed: fc.nat(),
      spareFirst: fc.boolean(),
    });
    // The default experiment's shape, with noise (odd d carries a spare from row to row).
    const examples: Case[] = [
      {
        kind: "orthogonal",
        d: 100,
        extra: 0,
        k: 5,
        uniform: false,
        magnitudeLow: 0.5,
        noise: 0,
        subset: 1,
        B: 256,
        seed: 3,
        spareFirst: false,
      },
      {
        kind: "overcomplete",
        d: 7,
        extra: 5,
        k: 3,
        uniform: true,
        magnitudeLow: 0.25,
        noise: 0.1,
        subset: 0.5,
        B: 5,
        seed: 4,
        spareFirst: true,
      },
    ];
    fc.assert(
      fc.property(cases, (c) => {
        const t = task(c);
        const want = draw(c, t, null);
        const got = draw(c, t, () => mem);
        expect(got.batches).toEqual(want.batches);
        expect(got.state).toEqual(want.state);
        // The labels are not all of one sign by construction, and the draws do vary.
        expect(want.batches[0].some((v) => v !== 0)).toBe(true);
      }),
      { ...RUNS, examples: examples.map((c) => [c]) },
    );
  });

  it("make the contrastive pairs of every kind of view that TypeScript makes, bit for bit", () => {
    const cases = fc.record({
      kind: fc.constantFrom<DictionaryKind>("identity", "orthogonal", "overcomplete"),
      d: fc.integer({ min: 1, max: 17 }),
      views: fc.constantFrom<ViewSpec["views"]>("identical", "noise", "dropout", "mask"),
      noise: fc.constantFrom(0, 0.1),
      sharedDense: fc.constantFrom(0, 0.5),
      B: fc.integer({ min: 1, max: 7 }),
      seed: fc.nat(),
      spareFirst: fc.boolean(),
    });
    fc.assert(
      fc.property(cases, (c) => {
        const t = task({
          kind: c.kind,
          d: c.d,
          extra: 3,
          k: 3,
          uniform: true,
          magnitudeLow: 0.5,
          noise: c.noise,
          subset: 1,
          B: c.B,
          seed: c.seed,
          spareFirst: false,
        });
        const spec: ViewSpec = { views: c.views, viewNoise: 0.05, keepProb: 0.7, sharedDense: c.sharedDense };
        const u = c.sharedDense > 0 ? denseDirection(c.d, new Rng(c.seed + 2)) : null;
        const pairs = (engine: boolean) =>
          mem.scope(() => {
            const rng = new Rng(c.seed + 1);
            if (c.spareFirst) rng.normal();
            const src = pairSource(t, 0, c.B, spec, u, rng, engine ? mem.e : undefined);
            const x1 = new Float32Array(c.B * c.d),
              x2 = new Float32Array(c.B * c.d);
            const out: number[][] = [];
            for (let i = 0; i < 2; i++) {
              src.next(x1, x2);
              out.push(Array.from(x1), Array.from(x2));
            }
            return { out, state: rng.state() };
          });
        const want = pairs(false);
        expect(pairs(true)).toEqual(want);
        expect(want.out[0].some((v) => v !== 0) || want.out[1].some((v) => v !== 0)).toBe(true);
      }),
      RUNS,
    );
  });

  it("give up on codes that can never be labelled, with the TypeScript message", () => {
    // k = 0: no feature is ever active, so theta·z = 0 on every redraw.
    const t: Task = {
      ...task({
        kind: "identity",
        d: 1,
        extra: 0,
        k: 0,
        uniform: false,
        magnitudeLow: 0,
        noise: 0,
        subset: 1,
        B: 1,
        seed: 1,
        spareFirst: false,
      }),
    };
    const x = new Float32Array(1),
      y = new Float32Array(1);
    const message = (engine: boolean) => {
      try {
        mem.scope(() => batchSource(t, 0, 1, new Rng(1), engine ? mem.e : undefined).next(x, y));
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(message(true)).toMatch(/redraws in a row gave theta·z = 0; k\/D \(0\/1\)/);
    expect(message(true)).toBe(message(false));
  });
});
