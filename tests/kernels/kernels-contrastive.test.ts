// The contrastive kernels (assembly/contrastive.ts): finite-difference checks of every backward of the
// f64 reference, then the WASM kernels against that reference on both backends, on shapes that are
// not multiples of the SIMD width, and properties of the instance-wise attack.
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../src/engine/wasm.js";
import { NORM } from "../../src/engine/kernels.js";
import { allocCtr, allocWork, writeNet } from "../../src/engine/layout.js";
import * as ref from "../reference/contrastive.js";
import * as refNet from "../reference/net.js";
import type { RefNet } from "../reference/net.js";
import {
  ACT_NAMES,
  drawCase,
  engines,
  expectClose,
  kinkGap,
  maxAbs,
  Mem,
  numericGrad,
  Rand,
  randomNet,
  type NetSpec,
} from "./kernels-harness.js";

const LOSSES: [string, number][] = [
  ["ntxent", ref.NTXENT],
  ["spectral", ref.SPECTRAL],
];
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 4],
  [2, 3],
  [3, 5],
  [5, 7],
  [4, 16],
  [9, 33],
]; // [B pairs, m]

/** A reference forward at x, or null when a pre-activation is within `gap` of a kink. */
function refEncoder(n: RefNet, c: ref.RefCtr, x: Float64Array, B: number, gap: number) {
  const w = refNet.allocWork(n, 2 * B),
    cw = ref.allocCtrWork(B, n.m);
  const loss = ref.contrastiveForward(n, w, c, cw, x, B);
  return kinkGap(w.pre, n.thr, n.m, n.activation) > gap ? { w, cw, loss } : null;
}

describe("reference gradients against finite differences", () => {
  it.each(SHAPES)("NT-Xent with respect to z: B=%i m=%i", (B, m) => {
    for (const tau of [0.5, 0.1]) {
      const r = new Rand(B * 31 + m),
        z = r.vec(2 * B * m),
        sim = new Float64Array(4 * B * B);
      const dz = new Float64Array(2 * B * m);
      ref.ntxentForward(sim, z, B, m, tau);
      ref.ntxentBackward(dz, sim, z, B, m, tau, 1);
      const num = numericGrad(() => ref.ntxentForward(new Float64Array(4 * B * B), z, B, m, tau), z);
      expectClose(dz, num, 1e-6, `dz tau=${tau}`, maxAbs(num));
      if (B > 1) expect(maxAbs(dz)).toBeGreaterThan(0);
    }
  });

  it.each(SHAPES)("spectral loss with respect to z: B=%i m=%i", (B, m) => {
    const r = new Rand(B * 37 + m),
      z = r.vec(2 * B * m),
      sim = new Float64Array(B * B),
      dz = new Float64Array(2 * B * m);
    ref.spectralForward(sim, z, B, m);
    ref.spectralBackward(dz, sim, z, B, m, 1);
    const num = numericGrad(() => ref.spectralForward(new Float64Array(B * B), z, B, m), z);
    expectClose(dz, num, 1e-6, "dz", maxAbs(num));
    expect(maxAbs(dz)).toBeGreaterThan(0);
  });

  it.each([
    [1, 1],
    [3, 5],
    [4, 16],
  ])("normalisation: N=%i m=%i", (N, m) => {
    const r = new Rand(N * 41 + m),
      h = r.vec(N * m),
      probe = r.vec(N * m);
    const z = new Float64Array(N * m),
      norms = new Float64Array(N),
      dh = new Float64Array(N * m);
    ref.normalizeForward(z, norms, h, N, m);
    for (let i = 0; i < N; i++) expect(Math.hypot(...z.subarray(i * m, (i + 1) * m))).toBeCloseTo(1, 6);
    ref.normalizeBackward(dh, probe, z, norms, N, m);
    const f = () => {
      ref.normalizeForward(z, norms, h, N, m);
      return z.reduce((s, v, i) => s + v * probe[i], 0);
    };
    expectClose(dh, numericGrad(f, h), 1e-6, "dh");
  });

  const NETS: [number, NetSpec][] = [
    [1, { d: 3, m: 2, C: 1, activation: 0, bias: false }],
    [3, { d: 7, m: 5, C: 1, activation: 0, bias: false }],
    [2, { d: 5, m: 6, C: 1, activation: 1, bias: false }],
  ];
  for (const [lossName, loss] of LOSSES)
    for (const normalize of [false, true])
      it.each(NETS)(`${lossName}, normalize=${normalize}: loss with respect to W, thresholds and the input, B=%i %j`, (B, s) => {
        const c = { loss, normalize, tau: 0.5 };
        const { n, x, fw } = drawCase(B * 100 + s.d + (normalize ? 7 : 0) + loss * 3, (r) => {
          const n = randomNet(r, s, 0.3),
            x = r.vec(2 * B * s.d);
          const fw = refEncoder(n, c, x, B, 1e-3);
          return fw && maxAbs(fw.w.h) > 0 ? { n, x, fw } : null;
        });
        const grad = { W: new Float64Array(s.m * s.d), thr: new Float64Array(s.m), A: null, c: null };
        const dx = new Float64Array(2 * B * s.d);
        ref.contrastiveBackward(n, grad, fw.w, c, fw.cw, x, dx, B, 0, 1);
        const f = () => ref.contrastiveForward(n, refNet.allocWork(n, 2 * B), c, ref.allocCtrWork(B, s.m), x, B);
        const W = Float64Array.from(n.W),
          thr = Float64Array.from(n.thr);
        n.W = W;
        n.thr = thr;
        expectClose(grad.W, numericGrad(f, W), 1e-5, "dW", maxAbs(grad.W));
        expectClose(grad.thr, numericGrad(f, thr), 1e-5, "dthr", maxAbs(grad.thr));
        expectClose(dx, numericGrad(f, x), 1e-5, "dx", maxAbs(dx));
        // With one pair NT-Xent has no negative: the loss is identically 0.
        if (B > 1 || loss === ref.SPECTRAL) expect(maxAbs(grad.W)).toBeGreaterThan(0);
      });
});

describe.each(BACKENDS)("%s backend", (backend) => {
  const mem = new Mem(engines[backend]);

  it.each([
    [1, 1],
    [3, 5],
    [8, 33],
    [5, 200],
  ])("normalizeForward / normalizeBackward: N=%i m=%i", (N, m) =>
    mem.scope(() => {
      const r = new Rand(N * 7 + m),
        h = r.sparsify(r.vec(N * m), 0.3),
        dz = r.vec(N * m),
        dh0 = r.vec(N * m);
      const z = new Float64Array(N * m),
        norms = new Float64Array(N),
        dh = dh0.slice();
      ref.normalizeForward(z, norms, h, N, m);
      ref.normalizeBackward(dh, dz, z, norms, N, m);
      const pz = mem.zeros(N * m),
        pn = mem.zeros(N),
        ph = mem.put(h),
        pdz = mem.put(dz),
        pdh = mem.put(dh0);
      let before = mem.snapshot();
      mem.k.normalizeForward(pz.ptr, pn.ptr, ph.ptr, N, m);
      mem.expectOnlyChanged(before, [pz, pn], "normalizeForward");
      expectClose(mem.get(pz), z, 1e-6, "z");
      expectClose(mem.get(pn), norms, 1e-6, "norms");
      before = mem.snapshot();
      mem.k.normalizeBackward(pdh.ptr, pdz.ptr, pz.ptr, pn.ptr, N, m);
      mem.expectOnlyChanged(before, [pdh], "normalizeBackward");
      expectClose(mem.get(pdh), dh, 1e-5 * Math.sqrt(m), "dh (accumulated)", maxAbs(dh));
    }),
  );

  it.each(SHAPES)("ntxentForward / ntxentBackward: B=%i m=%i", (B, m) =>
    mem.scope(() => {
      const r = new Rand(B * 13 + m),
        z = r.vec(2 * B * m),
        dz0 = r.vec(2 * B * m),
        N = 2 * B;
      for (const [tau, scale] of [
        [0.5, 1],
        [0.2, 0.25],
      ]) {
        const sim = new Float64Array(N * N),
          dz = dz0.slice();
        const loss = ref.ntxentForward(sim, z, B, m, tau);
        const probs = sim.slice();
        ref.ntxentBackward(dz, sim, z, B, m, tau, scale);
        const ps = mem.zeros(N * N),
          pz = mem.put(z),
          pdz = mem.put(dz0),
          scratch = mem.zeros(2 * N * m);
        let before = mem.snapshot();
        const got = mem.k.ntxentForward(ps.ptr, pz.ptr, scratch.ptr, B, m, Math.fround(tau));
        mem.expectOnlyChanged(before, [ps, scratch], "ntxentForward");
        const tol = (1e-5 * Math.sqrt(m)) / tau;
        expect(Math.abs(got - loss)).toBeLessThanOrEqual(tol * (1 + Math.abs(loss)));
        expectClose(mem.get(ps), probs, tol, "probabilities");
        before = mem.snapshot();
        mem.k.ntxentBackward(pdz.ptr, ps.ptr, pz.ptr, scratch.ptr, B, m, Math.fround(tau), scale);
        mem.expectOnlyChanged(before, [pdz, ps, scratch], "ntxentBackward");
        expectClose(mem.get(pdz), dz, tol * Math.sqrt(N), "dz (accumulated)", maxAbs(dz));
      }
    }),
  );

  it("ntxentForward stays finite on huge similarities (exp range clamped, max subtracted)", () =>
    mem.scope(() => {
      const B = 5,
        m = 33,
        N = 2 * B,
        r = new Rand(77);
      const z = r.vec(2 * B * m, -30, 30),
        ps = mem.zeros(N * N),
        pz = mem.put(z),
        pdz = mem.zeros(N * m),
        scratch = mem.zeros(2 * N * m);
      const loss = mem.k.ntxentForward(ps.ptr, pz.ptr, scratch.ptr, B, m, Math.fround(0.05));
      const want = ref.ntxentForward(new Float64Array(N * N), z, B, m, 0.05);
      expect(Number.isFinite(loss)).toBe(true);
      expect(Math.abs(loss - want)).toBeLessThanOrEqual(1e-4 * want);
      const p = mem.get(ps);
      for (let i = 0; i < N; i++) expect(p.subarray(i * N, (i + 1) * N).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
      mem.k.ntxentBackward(pdz.ptr, ps.ptr, pz.ptr, scratch.ptr, B, m, Math.fround(0.05), 1);
      expect(mem.get(pdz).every(Number.isFinite)).toBe(true);
    }));

  it.each(SHAPES)("spectralForward / spectralBackward: B=%i m=%i", (B, m) =>
    mem.scope(() => {
      const r = new Rand(B * 17 + m),
        z = r.vec(2 * B * m),
        dz0 = r.vec(2 * B * m);
      const sim = new Float64Array(B * B),
        dz = dz0.slice();
      const loss = ref.spectralForward(sim, z, B, m);
      ref.spectralBackward(dz, sim, z, B, m, 0.5);
      const ps = mem.zeros(B * B),
        pz = mem.put(z),
        pdz = mem.put(dz0);
      let before = mem.snapshot();
      const got = mem.k.spectralForward(ps.ptr, pz.ptr, B, m);
      mem.expectOnlyChanged(before, [ps], "spectralForward");
      const tol = 1e-5 * m;
      expect(Math.abs(got - loss)).toBeLessThanOrEqual(tol * (1 + Math.abs(loss)));
      expectClose(mem.get(ps), sim, tol, "cross-view products");
      before = mem.snapshot();
      mem.k.spectralBackward(pdz.ptr, ps.ptr, pz.ptr, B, m, 0.5);
      mem.expectOnlyChanged(before, [pdz, ps], "spectralBackward");
      expectClose(mem.get(pdz), dz, tol * Math.sqrt(B), "dz (accumulated)", maxAbs(dz));
    }),
  );

  /** A network in engine memory with a work record for 2B rows and the contrastive record. */
  function setup(n: RefNet, c: ref.RefCtr, B: number) {
    const shape = { d: n.d, m: n.m, C: n.C, activation: ACT_NAMES[n.activation] };
    const p = { W: mem.put(n.W), thr: mem.put(n.thr), A: mem.put(n.A), c: null };
    const rec = writeNet(mem.e.arena, p, shape);
    const work = allocWork(mem.e.arena, shape, 2 * B);
    const ctr = allocCtr(
      mem.e.arena,
      { loss: c.loss === ref.SPECTRAL ? "spectral" : "ntxent", normalize: c.normalize, tau: c.tau },
      n.m,
      B,
    );
    return { shape, p, rec, work, ctr };
  }

  const NETS: [number, NetSpec][] = [
    [1, { d: 1, m: 1, C: 1, activation: 0, bias: false }],
    [3, { d: 7, m: 5, C: 1, activation: 0, bias: false }],
    [5, { d: 33, m: 20, C: 1, activation: 1, bias: false }],
    [4, { d: 100, m: 200, C: 1, activation: 0, bias: false }],
  ];
  for (const [lossName, loss] of LOSSES)
    for (const normalize of [false, true])
      it.each(NETS)(`contrastiveForward / contrastiveBackward, ${lossName}, normalize=${normalize}: B=%i %j`, (B, s) =>
        mem.scope(() => {
          const c = { loss, normalize, tau: 0.5 };
          const { n, x, fw } = drawCase(B * 1000 + s.d * 10 + s.m + loss, (r) => {
            const n = randomNet(r, s, 0.3),
              x = r.vec(2 * B * s.d);
            const fw = refEncoder(n, c, x, B, 1e-4);
            return fw && { n, x, fw };
          });
          const r = new Rand(s.m + B);
          const g0 = { W: r.vec(s.m * s.d), thr: r.vec(s.m) },
            dx0 = r.vec(2 * B * s.d);
          const want = { W: g0.W.slice(), thr: g0.thr.slice(), A: null, c: null },
            wantDx = dx0.slice();
          ref.contrastiveBackward(n, want, fw.w, c, fw.cw, x, wantDx, B, 0, 0.5);
          const net = setup(n, c, B),
            px = mem.put(x);
          const gb = { W: mem.put(g0.W), thr: mem.put(g0.thr) },
            dx = mem.put(dx0);
          const grec = writeNet(mem.e.arena, { W: gb.W, thr: gb.thr, A: null, c: null }, net.shape);
          const got = mem.k.contrastiveForward(net.rec.ptr, net.work.rec.ptr, net.ctr.rec.ptr, px.ptr, B);
          const tol = 1e-5 * Math.sqrt(s.d * s.m) * (normalize ? 1 : 1 + maxAbs(fw.w.h) ** 2 * s.m);
          expect(Math.abs(got - fw.loss), `loss ${got} vs ${fw.loss}`).toBeLessThanOrEqual(tol * (1 + Math.abs(fw.loss)));
          expectClose(mem.get(net.work.h), fw.w.h, 1e-5 * Math.sqrt(s.d), "h", maxAbs(fw.w.pre));
          const before = mem.snapshot();
          mem.k.contrastiveBackward(net.rec.ptr, grec.ptr, net.work.rec.ptr, net.ctr.rec.ptr, px.ptr, dx.ptr, B, 0, 0.5);
          const scratch = [net.work.dh, net.work.dpre, net.ctr.sim, net.ctr.dz, net.ctr.scratch];
          mem.expectOnlyChanged(before, [gb.W, gb.thr, dx, ...scratch], "contrastiveBackward");
          expectClose(mem.get(gb.W), want.W, tol * Math.sqrt(B), "dW", maxAbs(want.W));
          expectClose(mem.get(gb.thr), want.thr, tol * Math.sqrt(B), "dthr", maxAbs(want.thr));
          expectClose(mem.get(dx), wantDx, tol * Math.sqrt(B), "dx", maxAbs(wantDx));
        }),
      );

  describe("contrastiveAttack", () => {
    interface Opts {
      norm: number;
      eps: number;
      alpha: number;
      steps: number;
      lo: number;
      hi: number;
    }
    const args = (o: Opts, deadSlope: number) => [o.norm, o.eps, o.alpha, o.steps, deadSlope, o.lo, o.hi] as const;

    function refRun(n: RefNet, c: ref.RefCtr, x: Float64Array, delta0: Float64Array, B: number, o: Opts) {
      const w = refNet.allocWork(n, 2 * B),
        cw = ref.allocCtrWork(B, n.m),
        delta = delta0.slice(),
        xadv = new Float64Array(2 * B * n.d);
      ref.contrastiveAttack(n, w, c, cw, x, delta, xadv, B, ...args(o, 0));
      return { delta, xadv };
    }

    function wasmRun(n: RefNet, c: ref.RefCtr, x: Float64Array, delta0: Float64Array, B: number, o: Opts) {
      const net = setup(n, c, B),
        px = mem.put(x),
        delta = mem.put(delta0),
        xadv = mem.zeros(2 * B * n.d);
      const before = mem.snapshot();
      mem.k.contrastiveAttack(net.rec.ptr, net.work.rec.ptr, net.ctr.rec.ptr, px.ptr, delta.ptr, xadv.ptr, B, ...args(o, 0));
      mem.expectOnlyChanged(
        before,
        [
          delta,
          xadv,
          net.work.pre,
          net.work.h,
          net.work.dh,
          net.work.dpre,
          net.work.dx,
          net.ctr.sim,
          net.ctr.z,
          net.ctr.norms,
          net.ctr.dz,
          net.ctr.scratch,
          net.ctr.fixed,
        ],
        "contrastiveAttack",
      );
      return {
        delta: mem.get(delta),
        xadv: mem.get(xadv),
        loss: () => mem.k.contrastiveForward(net.rec.ptr, net.work.rec.ptr, net.ctr.rec.ptr, xadv.ptr, B),
      };
    }

    // Random inputs, drawn until every decision on the reference path (activation kinks at each
    // iterate, l-inf step signs) is far from its threshold, so f32 and f64 take the same branches.
    // B = 8 (a multiple of 4) takes the path that keeps view 2's block of similarities from step to step.
    const cases: [string, number, string, number, number, boolean, number][] = [];
    for (const [name, norm] of [
      ["l2", NORM.l2],
      ["linf", NORM.linf],
    ] as const)
      for (const [lossName, loss] of LOSSES)
        for (const steps of [0, 1, 3])
          for (const box of [false, true]) for (const B of [3, 8]) cases.push([name, norm, lossName, loss, steps, box, B]);
    it.each(cases)("%s (norm %i), %s (%i), steps=%i, box=%s, B=%i: as the reference", (_n, norm, _l, loss, steps, box, B) =>
      mem.scope(() => {
        const s: NetSpec = { d: 9, m: 6, C: 1, activation: 0, bias: false };
        const c = { loss, normalize: true, tau: 0.5 };
        const eps = Math.fround(norm === NORM.l2 ? 0.5 : 0.1);
        const o = { norm, eps, alpha: Math.fround((2.5 * eps) / Math.max(steps, 1)), steps, lo: 0, hi: box ? 1 : 0 };
        const { n, x, delta0 } = drawCase(1 + steps * 100 + norm * 10 + loss * 1000 + (box ? 5000 : 0), (r) => {
          const n = randomNet(r, s, 0.2),
            x = r.vec(2 * B * s.d, 0, 1);
          const delta0 = r.vec(B * s.d, -eps / Math.sqrt(s.d), eps / Math.sqrt(s.d));
          for (let k = 0; k <= steps; k++) {
            const it = refRun(n, c, x, delta0, B, { ...o, steps: k });
            const fw = refEncoder(n, c, it.xadv, B, 1e-3);
            if (!fw) return null;
            if (norm === NORM.linf && k < steps) {
              const dx = new Float64Array(2 * B * s.d);
              ref.contrastiveBackward(n, null, fw.w, c, fw.cw, it.xadv, dx, B, 0, 1);
              for (let b = 0; b < B; b++) {
                const g = dx.subarray(b * s.d, (b + 1) * s.d),
                  big = maxAbs(g);
                if (big > 0 && g.some((v) => Math.abs(v) < 1e-3 * big)) return null;
              }
            }
          }
          return { n, x, delta0 };
        });
        const want = refRun(n, c, x, delta0, B, o),
          got = wasmRun(n, c, x, delta0, B, o);
        const tol = 1e-5 * Math.sqrt(s.d * s.m) * (steps + 1);
        expectClose(got.delta, want.delta, tol, "delta", eps);
        expectClose(got.xadv, want.xadv, tol, "xadv");
        expect(Array.from(got.xadv.subarray(B * s.d))).toEqual(Array.from(x.subarray(B * s.d)).map(Math.fround)); // view 2 untouched
        if (steps > 0) expect(maxAbs(want.delta.map((v, i) => v - delta0[i]))).toBeGreaterThan(0);
      }),
    );

    const props: [string, number, string, number, boolean][] = [];
    for (const [name, norm] of [
      ["l2", NORM.l2],
      ["linf", NORM.linf],
    ] as const)
      for (const [lossName, loss] of LOSSES) for (const normalize of [false, true]) props.push([name, norm, lossName, loss, normalize]);
    it.each(props)("%s (norm %i), %s (%i), normalize=%s: stays in the ball and raises the loss", (_n, norm, _l, loss, normalize) =>
      mem.scope(() => {
        const B = 6,
          s: NetSpec = { d: 20, m: 24, C: 1, activation: 0, bias: false },
          r = new Rand(91 + norm + 2 * loss);
        const n = randomNet(r, s, 0.1),
          x = r.vec(2 * B * s.d);
        const c = { loss, normalize, tau: 0.5 };
        const eps = Math.fround(norm === NORM.l2 ? 0.5 : 0.1);
        const clean = refEncoder(n, c, x, B, 0)!.loss;
        const got = wasmRun(n, c, x, new Float64Array(B * s.d), B, { norm, eps, alpha: Math.fround(eps / 2), steps: 5, lo: 0, hi: 0 });
        for (let b = 0; b < B; b++) {
          const row = got.delta.subarray(b * s.d, (b + 1) * s.d);
          if (norm === NORM.l2) expect(Math.hypot(...row)).toBeLessThanOrEqual(eps * (1 + 1e-6));
          else expect(maxAbs(row)).toBeLessThanOrEqual(eps);
        }
        expect(got.loss()).toBeGreaterThan(clean + 1e-3);
      }),
    );
  });
});
