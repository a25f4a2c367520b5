// Every backend computes the same training: relaxed SIMD (fused multiply-adds where the runtime
// fuses), SIMD and scalar differ only in f32 rounding. Stated tolerance: after a few adversarial
// Adam steps the parameters of every backend agree with the SIMD build's to 1e-4 of their largest
// magnitude (the per-kernel tolerances against the f64 references are in kernels-*.test.ts).
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { BACKENDS, resolveBackend } from "../../src/engine/wasm.js";
import { allocTwoLayer } from "../../src/model/twoLayer.js";
import { pretrainSupervised } from "../../src/train/supervised.js";
import { Rng } from "../../src/rng.js";
import { cyclingSource, makeWorkload } from "../../benchmarks/workload.js";
import { engines, expectClose, maxAbs } from "./kernels-harness.js";

const TOL = 1e-4;

async function train(backend: (typeof BACKENDS)[number], adversarial: boolean) {
  const e = engines[backend];
  const w = makeWorkload({ d: 24, m: 32, B: 40, pgd: 3 }, 3, 5);
  const cfg = resolveConfig({ data: { dim: 24 }, model: { width: 32 }, optim: { batch: 40, steps: 8 }, adv: { steps: 3 } });
  const mark = e.arena.mark();
  try {
    const net = allocTwoLayer(e.arena, { d: 24, m: 32, C: 1, activation: "symrelu" }, false);
    e.arena.f32(net.params.W).set(w.W);
    e.arena.f32(net.params.A).set(w.A);
    const curve = await pretrainSupervised(e, net, cfg, cyclingSource(w), new Rng("backends"), { adversarial, box: null });
    return {
      W: Float64Array.from(e.arena.f32(net.params.W)),
      thr: Float64Array.from(e.arena.f32(net.params.thr)),
      A: Float64Array.from(e.arena.f32(net.params.A)),
      loss: curve.at(-1)!.loss,
    };
  } finally {
    e.arena.reset(mark);
  }
}

describe("backends", () => {
  it("the default and auto take relaxed SIMD, the first backend, fastest first; a named build is taken as it is", async () => {
    expect(BACKENDS[0]).toBe("relaxed");
    expect(await resolveBackend()).toEqual({ backend: "relaxed" });
    expect(await resolveBackend("auto")).toEqual({ backend: "relaxed" });
    expect(await resolveBackend("scalar")).toEqual({ backend: "scalar" });
    expect(await resolveBackend("simd")).toEqual({ backend: "simd" });
  });

  it.each([false, true])(
    "adversarial=%s: every backend trains to the SIMD build's parameters within the stated tolerance",
    async (adversarial) => {
      const want = await train("simd", adversarial);
      // the comparison has something to compare: training moved the parameters
      expect(maxAbs(want.thr)).toBeGreaterThan(0);
      for (const b of BACKENDS) {
        const got = await train(b, adversarial);
        for (const k of ["W", "thr", "A"] as const) expectClose(got[k], want[k], TOL, `${b} ${k}`, maxAbs(want[k]));
        expect(Math.abs(got.loss - want.loss)).toBeLessThan(TOL);
      }
    },
  );
});
