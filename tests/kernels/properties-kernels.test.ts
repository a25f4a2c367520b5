// Property-based checks (fast-check) of the kernels against their f64 references on random shapes,
// and of the projections onto the eps-balls: whatever the network, start and step size, PGD (the
// WASM kernel, the reference, and the random start drawn in TypeScript) leaves delta inside the ball.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BACKENDS } from "../../src/engine/wasm.js";
import { NORM } from "../../src/engine/kernels.js";
import * as ref from "../reference/linear.js";
import * as refAct from "../reference/activation.js";
import * as refNet from "../reference/net.js";
import * as refAtk from "../reference/attack.js";
import { fillRandomStart as refRandomStart } from "../reference/randomStart.js";
import { allocRandomStart, fillRandomStart } from "../../src/attacks/randomStart.js";
import { Rng } from "../../src/rng.js";
import { engines, expectClose, maxAbs, Mem, Rand, randomNet, wasmNet } from "./kernels-harness.js";

const RUNS = { numRuns: 40, seed: 20261126 };
const dim = (max: number) => fc.integer({ min: 1, max });

function rowNorms(v: ArrayLike<number>, B: number, d: number): { l2: number; linf: number }[] {
  return Array.from({ length: B }, (_, b) => {
    const row = Array.from({ length: d }, (_, i) => v[b * d + i]);
    return { l2: Math.hypot(...row), linf: maxAbs(row) };
  });
}

describe.each(BACKENDS)("%s backend", (backend) => {
  const mem = new Mem(engines[backend]);

  it("matmulForward equals the reference on random shapes", () => {
    fc.assert(
      fc.property(dim(9), dim(70), dim(40), fc.boolean(), fc.nat(), (B, C, OC, withBias, seed) =>
        mem.scope(() => {
          const r = new Rand(seed);
          const inp = r.vec(B * C),
            weight = r.vec(OC * C),
            bias = r.vec(OC);
          const want = new Float64Array(B * OC);
          ref.matmulForward(want, inp, weight, withBias ? bias : null, B, C, OC);
          const out = mem.zeros(B * OC);
          mem.k.matmulForward(out.ptr, mem.put(inp).ptr, mem.put(weight).ptr, withBias ? mem.put(bias).ptr : 0, B, C, OC);
          expectClose(mem.get(out), want, 1e-5 * Math.sqrt(C), `matmul B=${B} C=${C} OC=${OC}`);
        }),
      ),
      RUNS,
    );
  });

  it("activationForward equals the reference on random shapes, thresholds and kinds", () => {
    fc.assert(
      fc.property(dim(9), dim(70), fc.constantFrom(0, 1), fc.nat(), (B, M, kind, seed) =>
        mem.scope(() => {
          const r = new Rand(seed);
          const pre = r.vec(B * M),
            thr = r.vec(M, 0, 0.5);
          const want = new Float64Array(B * M);
          refAct.activationForward(want, pre, thr, B, M, kind);
          const out = mem.zeros(B * M);
          mem.k.activationForward(out.ptr, mem.put(pre).ptr, mem.put(thr).ptr, B, M, kind);
          expectClose(mem.get(out), want, 1e-7, `activation B=${B} M=${M} kind=${kind}`);
        }),
      ),
      RUNS,
    );
  });

  it("randomStart draws bit-identically to the TypeScript reference and leaves the Rng where it would", () => {
    const draw = fc.record({
      B: fc.integer({ min: 0, max: 7 }),
      d: dim(37),
      norm: fc.constantFrom("l2" as const, "linf" as const),
      eps: fc.double({ min: 1e-3, max: 5, noNaN: true }),
      seed: fc.nat(),
      spareFirst: fc.boolean(),
    });
    // Odd widths carry a spare from row to row (and, past RANDOM_START_ROWS, from block to block);
    // [256, 100] is the training batch of the benchmark.
    type Draw = { B: number; d: number; norm: "l2" | "linf"; eps: number; seed: number; spareFirst: boolean };
    const examples: [number, number, "l2" | "linf", boolean][] = [
      [5, 7, "l2", true],
      [3, 1, "l2", false],
      [4, 9, "linf", true],
      [256, 100, "l2", true],
      [300, 7, "l2", true],
    ];
    const cases = examples.map(([B, d, norm, spareFirst]) => [{ B, d, norm, eps: 0.5, seed: B + d, spareFirst }] as [Draw]);
    fc.assert(
      fc.property(draw, (a: Draw) =>
        mem.scope(() => {
          const mine = new Rng(a.seed),
            theirs = new Rng(a.seed);
          // An odd number of normals first leaves a spare cached, which the kernel must use first.
          if (a.spareFirst) [mine, theirs].forEach((r) => r.normal());
          const expected = new Float32Array(a.B * a.d);
          refRandomStart(expected, a.B, a.d, a.norm, a.eps, theirs);
          const delta = mem.zeros(a.B * a.d);
          fillRandomStart(mem.e, allocRandomStart(mem.e.arena, a.B, a.d), delta.ptr, a.B, a.d, a.norm, a.eps, mine);
          expect(Array.from(mem.get(delta))).toEqual(Array.from(expected));
          expect(mine.state()).toEqual(theirs.state());
          expect(mine.uniform()).toBe(theirs.uniform());
        }),
      ),
      { ...RUNS, examples: cases },
    );
  });

  it("pgdAttack keeps every delta inside the eps-ball, as the reference does", () => {
    const attack = fc.record({
      B: dim(6),
      d: dim(37),
      m: dim(24),
      norm: fc.constantFrom(NORM.l2, NORM.linf),
      steps: dim(6),
      eps: fc.double({ min: 0.01, max: 3, noNaN: true }),
      alphaScale: fc.double({ min: 0.1, max: 4, noNaN: true }),
      randomStart: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(attack, (a) =>
        mem.scope(() => {
          const r = new Rand(a.seed);
          const eps = Math.fround(a.eps),
            alpha = Math.fround((a.alphaScale * eps) / a.steps);
          const n = randomNet(r, { d: a.d, m: a.m, C: 1, activation: 0, bias: true }, 0.3);
          const x = r.vec(a.B * a.d),
            y = r.labels(a.B);
          const start = new Float32Array(a.B * a.d);
          if (a.randomStart) refRandomStart(start, a.B, a.d, a.norm === NORM.l2 ? "l2" : "linf", eps, new Rng(a.seed));
          for (const nb of rowNorms(start, a.B, a.d)) expect(a.norm === NORM.l2 ? nb.l2 : nb.linf).toBeLessThanOrEqual(eps * (1 + 1e-6));
          const net = wasmNet(mem, n, a.B);
          const delta = mem.put(start),
            xadv = mem.zeros(a.B * a.d);
          mem.k.pgdAttack(
            net.rec.ptr,
            net.work.rec.ptr,
            mem.put(x).ptr,
            mem.put(y).ptr,
            delta.ptr,
            xadv.ptr,
            0,
            0,
            a.B,
            a.norm,
            eps,
            alpha,
            a.steps,
            0.1,
            0,
            0,
          );
          const refDelta = Float64Array.from(start),
            refXadv = new Float64Array(a.B * a.d);
          refAtk.pgdAttack(n, refNet.allocWork(n, a.B), x, y, refDelta, refXadv, a.B, a.norm, eps, alpha, a.steps, 0.1, 0, 0);
          for (const [what, v] of [
            ["kernel", mem.get(delta)],
            ["reference", refDelta],
          ] as const) {
            for (const nb of rowNorms(v, a.B, a.d)) {
              if (a.norm === NORM.l2) expect(nb.l2, what).toBeLessThanOrEqual(eps * (1 + 1e-6));
              else expect(nb.linf, what).toBeLessThanOrEqual(eps);
            }
          }
        }),
      ),
      RUNS,
    );
  });
});
