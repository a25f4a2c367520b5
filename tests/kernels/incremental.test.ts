// Incremental forward passes in the attack kernels (iterateForward, assembly/attack.ts): the
// pre-activations they keep up to date are those of a fresh forward pass at the same iterate, to f32
// rounding; the margins the evaluation attack reports are the true ones at the perturbations it keeps;
// and in an experiment the option touches the l-inf attacks alone.
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../src/engine/wasm.js";
import { NORM } from "../../src/engine/kernels.js";
import * as refNet from "../reference/net.js";
import { engines, expectClose, Mem, Rand, randomNet, wasmNet, type NetSpec } from "./kernels-harness.js";

// Sizes off the SIMD width and the 4-row tiles too.
const CASES: [number, NetSpec][] = [
  [9, { d: 37, m: 50, C: 1, activation: 0, bias: true }],
  [64, { d: 100, m: 200, C: 1, activation: 0, bias: true }],
  [13, { d: 6, m: 9, C: 1, activation: 1, bias: false }],
];

/** A random network, batch, start in the eps-ball and the incremental workspace (Wᵀ already taken) in `mem`. */
function setup(mem: Mem, seed: number, B: number, s: NetSpec, eps: number, thrMax: number) {
  const r = new Rand(seed);
  const n = randomNet(r, s, thrMax);
  const net = wasmNet(mem, n, B);
  const x = mem.put(r.vec(B * n.d)),
    y = mem.put(r.labels(B));
  const start = r.vec(B * n.d, -eps, eps);
  const wt = mem.zeros(n.d * n.m),
    xprev = mem.zeros(B * n.d);
  mem.k.transpose(wt.ptr, net.W.ptr, n.m, n.d);
  return { n, net, x, y, start, wt, xprev };
}

describe.each(BACKENDS)("%s backend: incremental forward passes of the attacks", (backend) => {
  const mem = new Mem(engines[backend]);

  it("transpose: out = inpᵀ on sizes off the tile", () => {
    mem.scope(() => {
      const r = new Rand(3);
      for (const [R, C] of [
        [1, 1],
        [17, 5],
        [33, 40],
      ]) {
        const a = r.vec(R * C),
          inp = mem.put(a),
          out = mem.zeros(R * C);
        mem.k.transpose(out.ptr, inp.ptr, R, C);
        const got = mem.get(out);
        for (let i = 0; i < R; i++) for (let k = 0; k < C; k++) expect(got[k * R + i]).toBe(Math.fround(a[i * C + k]));
      }
    });
  });

  it.each(CASES)(
    "l-inf, B=%i, %j: the kept pre-activations are those of a fresh forward pass at the last iterate, and were updated",
    (B, s) => {
      mem.scope(() => {
        const eps = 0.05;
        const { n, net, x, y, start, wt, xprev } = setup(mem, B + s.d, B, s, eps, 0.3);
        const delta = mem.put(start),
          xadv = mem.zeros(B * n.d);
        // Steps of eps/2 put most coordinates on the faces of the ball within a few steps.
        mem.k.pgdAttack(
          net.rec.ptr,
          net.work.rec.ptr,
          x.ptr,
          y.ptr,
          delta.ptr,
          xadv.ptr,
          xprev.ptr,
          wt.ptr,
          B,
          NORM.linf,
          eps,
          eps / 2,
          12,
          0,
          0,
          0,
        );
        const kept = mem.get(net.work.pre);
        // xprev holds the iterate whose pre-activations work.pre holds.
        const w = refNet.allocWork(n, B);
        refNet.netForward(n, w, mem.get(xprev), B);
        expectClose(kept, w.pre, 1e-5 * Math.sqrt(n.d), "incremental pre-activations", 1);
        // and they came from updates: a fresh f32 forward pass at that iterate differs in the last bits somewhere
        mem.k.netForward(net.rec.ptr, net.work.rec.ptr, xprev.ptr, B);
        expect(Array.from(mem.get(net.work.pre))).not.toEqual(Array.from(kept));
      });
    },
  );

  it.each(CASES)("l-inf and l2, B=%i, %j: pgdEval's margins are the true margins at the perturbations it keeps", (B, s) => {
    for (const [norm, eps] of [
      [NORM.linf, 0.05],
      [NORM.l2, 0.5],
    ]) {
      mem.scope(() => {
        const { n, net, x, y, start, wt, xprev } = setup(mem, 3 * B + s.m, B, s, eps / Math.sqrt(s.d), 0.3);
        const delta = mem.put(start),
          xadv = mem.zeros(B * n.d);
        const best = mem.zeros(B * n.d),
          bm = mem.put(new Float64Array(B).fill(Infinity));
        const robust = mem.k.pgdEval(
          net.rec.ptr,
          net.work.rec.ptr,
          x.ptr,
          y.ptr,
          delta.ptr,
          xadv.ptr,
          xprev.ptr,
          wt.ptr,
          best.ptr,
          bm.ptr,
          B,
          norm,
          eps,
          eps / 2,
          15,
          0.1,
          0,
          0,
        );
        const margins = mem.get(bm),
          X = mem.get(x),
          Y = mem.get(y),
          kept = mem.get(best);
        const at = X.map((v, i) => v + kept[i]);
        const w = refNet.allocWork(n, B);
        refNet.netForward(n, w, at, B);
        const scale = Math.max(...w.logits.map(Math.abs));
        expectClose(
          margins,
          Array.from(w.logits, (l, b) => Y[b] * l),
          1e-4,
          `norm ${norm}: margins`,
          scale,
        );
        expect(robust).toBe(Array.from(margins).filter((v) => v > 0).length);
        expect(margins.every(Number.isFinite)).toBe(true);
      });
    }
  });
});

describe("incrementalForward in an experiment", () => {
  const config = {
    data: { dim: 12 },
    model: { width: 16 },
    optim: { steps: 20, batch: 48 },
    downstream: { n: 200 },
    eval: { n: 120, epsL2: [0.2], epsLinf: [0.05, 0.1], strongSteps: 12, strongRestarts: 1 },
  };
  const grid = (r: { arms: { pretrained: { grid: { norm: string; accuracy: number }[] } }[] }, norm: string) =>
    r.arms.flatMap((a) => a.pretrained.grid.filter((g) => g.norm === norm).map((g) => g.accuracy));

  it("leaves l2 attacks alone: l2 adversarial training and l2 evaluation give the same bits", async () => {
    const { runExperiment } = await import("../../src/api.js");
    const off = await runExperiment({ ...config, adv: { norm: "l2" } });
    const on = await runExperiment({ ...config, adv: { norm: "l2" }, incrementalForward: true });
    expect(grid(on, "l2")).toEqual(grid(off, "l2"));
    expect(on.arms.map((a) => a.neurons)).toEqual(off.arms.map((a) => a.neurons));
  });

  it("l-inf training and evaluation: the same experiment up to the attacks' rounding", async () => {
    const { runExperiment } = await import("../../src/api.js");
    const off = await runExperiment({ ...config, adv: { norm: "linf", eps: 0.05 } });
    const on = await runExperiment({ ...config, adv: { norm: "linf", eps: 0.05 }, incrementalForward: true });
    expect(on.config.incrementalForward).toBe(true);
    // Rounding may move a sample across the decision boundary, rarely: accuracies within 2 of 120 samples.
    const a = grid(on, "linf"),
      b = grid(off, "linf");
    expect(a).toHaveLength(4); // two arms, two radii
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(2 / 120 + 1e-12));
  });
});
