// Finite-difference checks of every backward pass: the mean logistic loss of the two-layer network
// is differentiated numerically (central differences in f64) with respect to W, the thresholds, the
// head A, the output bias c and the input x, and compared with the analytic gradients of the f64
// reference and of the WASM kernels (both backends). Points are drawn away from activation kinks,
// where the loss is not differentiable and a central difference would straddle the kink.
import { describe, expect, it } from "vitest";
import * as ref from "../reference/net.js";
import { logisticBackward, logisticForward } from "../reference/loss.js";
import type { RefNet } from "../reference/net.js";
import { BACKENDS } from "../../src/engine/wasm.js";
import { writeNet } from "../../src/engine/layout.js";
import {
  ACT_NAMES,
  drawCase,
  engines,
  numericGrad,
  expectClose,
  kinkGap,
  maxAbs,
  Mem,
  randomNet,
  wasmNet,
  type NetSpec,
} from "./kernels-harness.js";

function loss(n: RefNet, x: Float64Array, y: Float64Array, B: number): number {
  const w = ref.allocWork(n, B);
  ref.netForward(n, w, x, B);
  return logisticForward(w.logits, y, B);
}

const CASES: [number, NetSpec][] = [
  [3, { d: 5, m: 7, C: 1, activation: 0, bias: true }],
  [4, { d: 9, m: 6, C: 1, activation: 1, bias: true }],
  [6, { d: 13, m: 11, C: 1, activation: 0, bias: false }],
];

describe.each(CASES)("gradient check B=%i %j", (B, s) => {
  // A kink gap of 1e-3 keeps every pre-activation on one side of its kink within +-H * |x| or |W|.
  const c = drawCase(B * 31 + s.d, (r) => {
    const n = randomNet(r, s),
      x = r.vec(B * s.d),
      y = r.labels(B);
    const w = ref.allocWork(n, B);
    ref.netForward(n, w, x, B);
    const active = w.h.some((h) => h !== 0);
    return active && kinkGap(w.pre, n.thr, s.m, s.activation) > 1e-3 ? { n, x, y } : null;
  });
  const { n, x, y } = c;
  const f = () => loss(n, x, y, B);
  const want = {
    W: numericGrad(f, n.W),
    thr: numericGrad(f, n.thr),
    A: numericGrad(f, n.A),
    c: n.c ? numericGrad(f, n.c) : null,
    x: numericGrad(f, x),
  };
  const tol = 1e-6;

  it("the f64 reference's analytic gradients match central differences", () => {
    const w = ref.allocWork(n, B);
    ref.netForward(n, w, x, B);
    logisticBackward(w.dlogits, w.logits, y, B, 1 / B);
    const g = { W: new Float64Array(s.m * s.d), thr: new Float64Array(s.m), A: new Float64Array(s.m), c: n.c ? new Float64Array(1) : null };
    const dx = new Float64Array(B * s.d);
    ref.netBackward(n, g, w, x, dx, B, 0);
    for (const k of ["W", "thr", "A", "x"] as const) {
      const got = k === "x" ? dx : g[k];
      expect(maxAbs(want[k]), `${k}: the loss depends on it`).toBeGreaterThan(1e-4);
      expectClose(got, want[k], tol, `d loss / d ${k}`, maxAbs(want[k]));
    }
    if (g.c && want.c) expectClose(g.c, want.c, tol, "d loss / d c", maxAbs(want.c));
  });

  it.each(BACKENDS)("the %s kernels' analytic gradients match central differences", (backend) => {
    const mem = new Mem(engines[backend]);
    mem.scope(() => {
      const net = wasmNet(mem, n, B);
      const px = mem.put(x),
        py = mem.put(y);
      const g = { W: mem.zeros(s.m * s.d), thr: mem.zeros(s.m), A: mem.zeros(s.m), c: n.c ? mem.zeros(1) : null };
      const gradRec = writeNet(mem.e.arena, g, { d: s.d, m: s.m, C: 1, activation: ACT_NAMES[s.activation] });
      const dx = mem.zeros(B * s.d);
      mem.k.netForward(net.rec.ptr, net.work.rec.ptr, px.ptr, B);
      expect(mem.k.logisticForward(net.work.logits.ptr, py.ptr, B)).toBeCloseTo(f(), 5);
      mem.k.logisticBackward(net.work.dlogits.ptr, net.work.logits.ptr, py.ptr, B, 1 / B);
      mem.k.netBackward(net.rec.ptr, gradRec.ptr, net.work.rec.ptr, px.ptr, dx.ptr, B, 0);
      // f32 arithmetic: agreement to about 1e-5 of the gradient's scale
      for (const [k, buf] of [
        ["W", g.W],
        ["thr", g.thr],
        ["A", g.A],
        ["x", dx],
      ] as const) {
        expectClose(mem.get(buf), want[k], 2e-5, `${backend} d loss / d ${k}`, maxAbs(want[k]));
      }
      if (g.c && want.c) expectClose(mem.get(g.c), want.c, 2e-5, `${backend} d loss / d c`, maxAbs(want.c));
    });
  });
});
