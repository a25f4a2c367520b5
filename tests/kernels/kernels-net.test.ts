// The composed kernels (netForward/netBackward through the descriptor records, pgdAttack, pgdEval) against
// the f64 references on both backends, and properties of the attacks that must hold whatever the reference says.
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../src/engine/wasm.js";
import { NORM } from "../../src/engine/kernels.js";
import { writeNet } from "../../src/engine/layout.js";
import * as refNet from "../reference/net.js";
import * as refAtk from "../reference/attack.js";
import type { RefNet } from "../reference/net.js";
import {
  ACT_NAMES,
  drawCase,
  engines,
  expectClose,
  kinkGap,
  maxAbs,
  Mem,
  Rand,
  randomNet,
  wasmNet,
  type NetSpec,
} from "./kernels-harness.js";

const NET_CASES: [number, NetSpec][] = [
  [1, { d: 1, m: 1, C: 1, activation: 0, bias: true }],
  [3, { d: 7, m: 5, C: 1, activation: 0, bias: true }],
  [5, { d: 16, m: 3, C: 2, activation: 1, bias: false }],
  [8, { d: 33, m: 20, C: 3, activation: 0, bias: true }],
  [3, { d: 100, m: 200, C: 1, activation: 1, bias: true }],
  [5, { d: 3, m: 7, C: 5, activation: 0, bias: false }],
];

/** Reference forward at x; null when a pre-activation lies within `gap` of a kink (f32 could take the other branch). */
function refForward(n: RefNet, x: Float64Array, B: number, gap: number) {
  const w = refNet.allocWork(n, B);
  refNet.netForward(n, w, x, B);
  return kinkGap(w.pre, n.thr, n.m, n.activation) > gap ? w : null;
}

describe.each(BACKENDS)("%s backend", (backend) => {
  const mem = new Mem(engines[backend]);

  describe("netForward / netBackward through the descriptors", () => {
    it.each(NET_CASES)("B=%i %j", (B, s) =>
      mem.scope(() => {
        const { n, x, w } = drawCase(B * 1000 + s.d * 10 + s.m, (r) => {
          const n = randomNet(r, s),
            x = r.vec(B * s.d);
          const w = refForward(n, x, B, 1e-4);
          return w && { n, x, w };
        });
        const r = new Rand(s.m);
        const dlogits = r.vec(B * s.C);
        w.dlogits.set(dlogits);
        const g0 = { W: r.vec(s.m * s.d), thr: r.vec(s.m), A: r.vec(s.C * s.m), c: r.vec(s.C) };
        const want = { W: g0.W.slice(), thr: g0.thr.slice(), A: g0.A.slice(), c: g0.c.slice() };
        const dx0 = r.vec(B * s.d),
          wantDx = dx0.slice();
        refNet.netBackward(n, { ...want, c: n.c ? want.c : null }, w, x, wantDx, B, 0);

        const net = wasmNet(mem, n, B),
          px = mem.put(x);
        const tolD = 1e-5 * Math.sqrt(s.d),
          tolM = 1e-5 * Math.sqrt(s.d * s.m);
        mem.k.netForward(net.rec.ptr, net.work.rec.ptr, px.ptr, B);
        expectClose(mem.get(net.work.pre), w.pre, tolD, "pre", maxAbs(w.pre));
        expectClose(mem.get(net.work.h), w.h, tolD, "h", maxAbs(w.pre));
        expectClose(mem.get(net.work.logits), w.logits, tolM, "logits", maxAbs(w.logits));

        // all gradients and dx
        const shape = { d: s.d, m: s.m, C: s.C, activation: ACT_NAMES[s.activation] };
        const gb = { W: mem.put(g0.W), thr: mem.put(g0.thr), A: mem.put(g0.A), c: mem.put(g0.c) };
        const grec = writeNet(mem.e.arena, { ...gb, c: n.c ? gb.c : null }, shape);
        const dx = mem.put(dx0);
        mem.e.arena.f32(net.work.dlogits).set(dlogits);
        let before = mem.snapshot();
        mem.k.netBackward(net.rec.ptr, grec.ptr, net.work.rec.ptr, px.ptr, dx.ptr, B, 0);
        const scratch = [net.work.dh, net.work.dpre];
        mem.expectOnlyChanged(before, [gb.W, gb.thr, gb.A, ...(n.c ? [gb.c] : []), dx, ...scratch], "netBackward");
        expectClose(mem.get(gb.A), want.A, 1e-5 * Math.sqrt(B), "dA", maxAbs(want.A));
        expectClose(mem.get(gb.c), want.c, 1e-5 * Math.sqrt(B), "dc", maxAbs(want.c));
        expectClose(mem.get(gb.thr), want.thr, tolM, "dthr", maxAbs(want.thr));
        expectClose(mem.get(gb.W), want.W, tolM, "dW", maxAbs(want.W));
        expectClose(mem.get(dx), wantDx, tolM, "dx", maxAbs(wantDx));

        // only W and thr wanted, no dx: nothing else may move; then no gradient record, only dx
        const partial = { W: mem.put(g0.W), thr: mem.put(g0.thr) };
        const prec = writeNet(mem.e.arena, { W: partial.W, thr: partial.thr, A: null, c: null }, shape);
        before = mem.snapshot();
        mem.k.netBackward(net.rec.ptr, prec.ptr, net.work.rec.ptr, px.ptr, 0, B, 0);
        mem.expectOnlyChanged(before, [partial.W, partial.thr, ...scratch], "netBackward(W, thr)");
        expectClose(mem.get(partial.W), want.W, tolM, "dW alone", maxAbs(want.W));
        expectClose(mem.get(partial.thr), want.thr, tolM, "dthr alone", maxAbs(want.thr));
        const dxOnly = mem.put(dx0);
        before = mem.snapshot();
        mem.k.netBackward(net.rec.ptr, 0, net.work.rec.ptr, px.ptr, dxOnly.ptr, B, 0);
        mem.expectOnlyChanged(before, [dxOnly, ...scratch], "netBackward(dx)");
        expectClose(mem.get(dxOnly), wantDx, tolM, "dx alone", maxAbs(wantDx));
      }),
    );
  });

  describe("pgdAttack and pgdEval against the reference", () => {
    interface Opts {
      norm: number;
      eps: number;
      alpha: number;
      steps: number;
      deadSlope: number;
      lo: number;
      hi: number;
    }

    function wasmRun(n: RefNet, x: Float64Array, y: Float64Array, delta0: Float64Array, B: number, o: Opts) {
      const net = wasmNet(mem, n, B);
      const px = mem.put(x),
        py = mem.put(y),
        delta = mem.put(delta0),
        xadv = mem.zeros(B * n.d);
      const args = [o.norm, o.eps, o.alpha, o.steps, o.deadSlope, o.lo, o.hi] as const;
      mem.k.pgdAttack(net.rec.ptr, net.work.rec.ptr, px.ptr, py.ptr, delta.ptr, xadv.ptr, 0, 0, B, ...args);
      return { delta: mem.get(delta), xadv: mem.get(xadv) };
    }

    function wasmEval(n: RefNet, x: Float64Array, y: Float64Array, delta0: Float64Array, B: number, o: Opts, bestMargin0: Float64Array) {
      const net = wasmNet(mem, n, B);
      const px = mem.put(x),
        py = mem.put(y),
        delta = mem.put(delta0),
        xadv = mem.zeros(B * n.d);
      const args = [o.norm, o.eps, o.alpha, o.steps, o.deadSlope, o.lo, o.hi] as const;
      const best = mem.zeros(B * n.d),
        bm = mem.put(bestMargin0);
      const robust = mem.k.pgdEval(net.rec.ptr, net.work.rec.ptr, px.ptr, py.ptr, delta.ptr, xadv.ptr, 0, 0, best.ptr, bm.ptr, B, ...args);
      return { delta: mem.get(delta), xadv: mem.get(xadv), best: mem.get(best), bestMargin: mem.get(bm), robust };
    }

    function refRun(n: RefNet, x: Float64Array, y: Float64Array, delta0: Float64Array, B: number, o: Opts) {
      const w = refNet.allocWork(n, B),
        delta = delta0.slice(),
        xadv = new Float64Array(B * n.d);
      refAtk.pgdAttack(n, w, x, y, delta, xadv, B, o.norm, o.eps, o.alpha, o.steps, o.deadSlope, o.lo, o.hi);
      return { delta, xadv };
    }

    function refEval(n: RefNet, x: Float64Array, y: Float64Array, delta0: Float64Array, B: number, o: Opts, bestMargin0: Float64Array) {
      const w = refNet.allocWork(n, B),
        delta = delta0.slice(),
        xadv = new Float64Array(B * n.d);
      const args = [o.norm, o.eps, o.alpha, o.steps, o.deadSlope, o.lo, o.hi] as const;
      const best = new Float64Array(B * n.d),
        bestMargin = bestMargin0.slice();
      const robust = refAtk.pgdEval(n, w, x, y, delta, xadv, best, bestMargin, B, ...args);
      return { delta, xadv, best, bestMargin, robust };
    }

    function margins(n: RefNet, x: Float64Array, y: Float64Array, B: number) {
      const w = refNet.allocWork(n, B);
      refNet.netForward(n, w, x, B);
      return Array.from(y, (yb, b) => yb * w.logits[b]);
    }

    // Exact: dyadic inputs with few bits make every sum, product and comparison exact in f32 and f64 alike
    // (l-inf steps only add multiples of alpha), so the kernels must agree with the reference bit for bit.
    describe("l-inf on dyadic inputs: bit-exact", () => {
      const cases: [string, number, NetSpec, number, boolean, number][] = [];
      for (const steps of [0, 1, 5])
        for (const box of [false, true]) {
          cases.push([`sym, deadSlope 0`, 5, { d: 7, m: 5, C: 1, activation: 0, bias: true }, steps, box, 0]);
          cases.push([`relu, deadSlope 1/4`, 3, { d: 13, m: 9, C: 1, activation: 1, bias: true }, steps, box, 0.25]);
        }
      it.each(cases)("%s B=%i %j steps=%i box=%s", (_l, B, s, steps, box, deadSlope) =>
        mem.scope(() => {
          const r = new Rand(steps * 13 + (box ? 1 : 0) + s.d);
          const n: RefNet = {
            W: r.dyadic(s.m * s.d, 4, 2),
            thr: r.dyadic(s.m, 4, 3, true),
            A: r.dyadic(s.m, 4, 2),
            c: r.dyadic(1, 4, 3),
            d: s.d,
            m: s.m,
            C: 1,
            activation: s.activation,
          };
          const x = r.dyadic(B * s.d, 8, 3, true),
            y = r.labels(B);
          const o = { norm: NORM.linf, eps: 3 / 16, alpha: 1 / 16, steps, deadSlope, lo: 0, hi: box ? 1 : 0 };
          for (const delta0 of [new Float64Array(B * s.d), r.dyadic(B * s.d, 3, 4)]) {
            const want = refRun(n, x, y, delta0, B, o),
              got = wasmRun(n, x, y, delta0, B, o);
            expect(Array.from(got.delta)).toEqual(Array.from(want.delta));
            expect(Array.from(got.xadv)).toEqual(Array.from(want.xadv));
            const inf = new Float64Array(B).fill(Infinity);
            const wantE = refEval(n, x, y, delta0, B, o, inf),
              gotE = wasmEval(n, x, y, delta0, B, o, inf);
            expect(gotE.robust).toBe(wantE.robust);
            expect(Array.from(gotE.bestMargin)).toEqual(Array.from(wantE.bestMargin));
            expect(Array.from(gotE.best)).toEqual(Array.from(wantE.best));
            expect(Array.from(gotE.delta)).toEqual(Array.from(wantE.delta));
            // eval walks the training attack's path until a sample is misclassified, then stops it there
            for (let b = 0; b < B; b++) {
              if (wantE.bestMargin[b] <= 0) continue;
              const row = (v: Float64Array) => Array.from(v.subarray(b * s.d, (b + 1) * s.d));
              expect(row(gotE.delta)).toEqual(row(want.delta));
            }
            if (steps > 0) expect(maxAbs(want.delta)).toBeGreaterThan(0); // the attack moved
          }
        }),
      );
    });

    // Random f32 inputs: f32 and f64 agree to rounding unless a branch is taken differently, so each case is
    // drawn until every decision along the reference path (activation kinks at every iterate, l-inf step signs,
    // the sign of the final margins) is far from its threshold. Then values agree within tolerance, counts exactly.
    describe("random inputs, decisions away from their thresholds", () => {
      const cases: [string, number, number, NetSpec, number, boolean][] = [];
      for (const [name, norm] of [
        ["l2", NORM.l2],
        ["linf", NORM.linf],
      ] as const)
        for (const steps of [0, 1, 5])
          for (const box of [false, true]) {
            cases.push([name, norm, 5, { d: 7, m: 5, C: 1, activation: 0, bias: true }, steps, box]);
            cases.push([name, norm, 3, { d: 33, m: 20, C: 1, activation: 1, bias: false }, steps, box]);
          }
      it.each(cases)("%s (norm %i) B=%i %j steps=%i box=%s", (_name, norm, B, s, steps, box) =>
        mem.scope(() => {
          const eps = Math.fround(norm === NORM.l2 ? 0.5 : 0.1);
          const o = {
            norm,
            eps,
            alpha: Math.fround((2.5 * eps) / Math.max(steps, 1)),
            steps,
            deadSlope: Math.fround(0.1),
            lo: 0,
            hi: box ? 1 : 0,
          };
          const c = drawCase(1 + steps * 100 + norm * 10 + s.d + (box ? 5000 : 0), (r) => {
            const n = randomNet(r, s),
              x = r.vec(B * s.d, 0, 1),
              y = r.labels(B);
            const delta0 = r.vec(B * s.d, -eps / Math.sqrt(s.d), eps / Math.sqrt(s.d));
            for (let k = 0; k <= steps; k++) {
              const it = refRun(n, x, y, delta0, B, { ...o, steps: k });
              const w = refForward(n, it.xadv, B, 1e-3);
              if (!w) return null;
              if (norm === NORM.linf && k < steps) {
                for (let b = 0; b < B; b++) w.dlogits[b] = -y[b];
                refNet.netBackward(n, null, w, it.xadv, w.dx, B, o.deadSlope);
                for (let b = 0; b < B; b++) {
                  const g = w.dx.subarray(b * s.d, (b + 1) * s.d),
                    big = maxAbs(g);
                  if (big > 0 && g.some((v) => Math.abs(v) < 1e-4 * big)) return null;
                }
              }
            }
            const e = refEval(n, x, y, delta0, B, o, new Float64Array(B).fill(Infinity));
            if (e.bestMargin.some((v) => Math.abs(v) < 1e-3)) return null;
            return { n, x, y, delta0 };
          });
          const { n, x, y, delta0 } = c;
          const tol = 1e-5 * Math.sqrt(s.d * s.m) * (steps + 1);
          const want = refRun(n, x, y, delta0, B, o),
            got = wasmRun(n, x, y, delta0, B, o);
          expectClose(got.delta, want.delta, tol, "delta", eps);
          expectClose(got.xadv, want.xadv, tol, "xadv");
          const inf = new Float64Array(B).fill(Infinity);
          const wantE = refEval(n, x, y, delta0, B, o, inf),
            gotE = wasmEval(n, x, y, delta0, B, o, inf);
          expect(gotE.robust).toBe(wantE.robust);
          const mscale = maxAbs(wantE.bestMargin);
          expectClose(gotE.bestMargin, wantE.bestMargin, tol, "bestMargin", mscale);
          // the kept perturbation is the one that scored: its margin is the reported best margin
          const xb = x.map((v, i) => (box ? Math.min(Math.max(v + gotE.best[i], o.lo), o.hi) : v + gotE.best[i]));
          expectClose(margins(n, xb, y, B), gotE.bestMargin, tol, "margin of best", mscale);
        }),
      );
    });
  });

  describe("attack properties", () => {
    const B = 8,
      s: NetSpec = { d: 33, m: 20, C: 1, activation: 0, bias: true };
    function setup(seed: number) {
      const r = new Rand(seed),
        n = randomNet(r, s, 0.3);
      const x = r.vec(B * s.d, 0, 1),
        y = r.labels(B);
      const net = wasmNet(mem, n, B);
      return { r, n, net, x: mem.put(x), y: mem.put(y), xadv: mem.zeros(B * s.d) };
    }
    // a start inside the ball: l2 radius up to eps, l-inf entries up to eps
    function start(r: Rand, norm: number, eps: number): Float64Array {
      const v = r.vec(B * s.d);
      if (norm === NORM.linf) return v.map((t) => Math.fround(t * eps));
      for (let b = 0; b < B; b++) {
        const row = v.subarray(b * s.d, (b + 1) * s.d),
          k = (r.uniform(0, 1) * eps) / Math.hypot(...row);
        for (let i = 0; i < s.d; i++) row[i] = Math.fround(row[i] * k * 0.999);
      }
      return v;
    }
    function norms(v: Float64Array) {
      return Array.from({ length: B }, (_, b) => {
        const row = v.subarray(b * s.d, (b + 1) * s.d);
        return { l2: Math.hypot(...row), linf: maxAbs(row) };
      });
    }

    const cases: [string, number, number, boolean][] = [];
    for (const [name, norm] of [
      ["l2", NORM.l2],
      ["linf", NORM.linf],
    ] as const)
      for (const steps of [1, 5]) for (const box of [false, true]) cases.push([name, norm, steps, box]);

    it.each(cases)("%s (norm %i) steps=%i box=%s: delta stays in the ball (and the box)", (name, norm, steps, box) =>
      mem.scope(() => {
        const eps = Math.fround(norm === NORM.l2 ? 1.5 : 0.3);
        const { r, net, x, y, xadv } = setup(11 + steps);
        for (const alpha of [eps, Math.fround((2.5 * eps) / steps)]) {
          const delta = mem.put(start(r, norm, eps));
          mem.k.pgdAttack(
            net.rec.ptr,
            net.work.rec.ptr,
            x.ptr,
            y.ptr,
            delta.ptr,
            xadv.ptr,
            0,
            0,
            B,
            norm,
            eps,
            alpha,
            steps,
            0.1,
            0,
            box ? 1 : 0,
          );
          const dl = mem.get(delta);
          for (const nb of norms(dl)) {
            if (norm === NORM.l2) expect(nb.l2).toBeLessThanOrEqual(eps * (1 + 1e-6));
            else expect(nb.linf).toBeLessThanOrEqual(eps);
          }
          // Without a box the ascent must reach the sphere; the box may legitimately cut it short.
          if (!box)
            expect(
              norms(dl).some((nb) => (norm === NORM.l2 ? nb.l2 : nb.linf) > 0.99 * eps),
              `${name}: the attack reaches the boundary`,
            ).toBe(true);
          const xa = mem.get(xadv),
            xv = mem.get(x);
          if (box) expect(xa.every((v) => v >= 0 && v <= 1)).toBe(true);
          expectClose(
            xa,
            xv.map((v, i) => v + dl[i]),
            1e-7,
            "xadv = x + delta",
          );
        }
      }),
    );

    it.each([
      ["l2", NORM.l2],
      ["linf", NORM.linf],
    ])("%s: composed restarts never raise the robust count", (_name, norm) =>
      mem.scope(() => {
        const eps = Math.fround(norm === NORM.l2 ? 0.8 : 0.08);
        const { r, n, net, x, y, xadv } = setup(23);
        const clean = (() => {
          mem.k.netForward(net.rec.ptr, net.work.rec.ptr, x.ptr, B);
          return mem.k.countCorrect(net.work.logits.ptr, y.ptr, B);
        })();
        const best = mem.zeros(B * s.d),
          bm = mem.put(new Float64Array(B).fill(Infinity));
        const refBm = new Float64Array(B).fill(Infinity),
          refBest = new Float64Array(B * s.d),
          refW = refNet.allocWork(n, B);
        let last = clean,
          lastRef = clean,
          lastBm = mem.get(bm);
        const counts: number[] = [];
        for (let k = 0; k < 5; k++) {
          const d0 = k === 0 ? new Float64Array(B * s.d) : start(r, norm, eps);
          const delta = mem.put(d0);
          const robust = mem.k.pgdEval(
            net.rec.ptr,
            net.work.rec.ptr,
            x.ptr,
            y.ptr,
            delta.ptr,
            xadv.ptr,
            0,
            0,
            best.ptr,
            bm.ptr,
            B,
            norm,
            eps,
            Math.fround(eps / 2),
            3,
            0.1,
            0,
            0,
          );
          const refRobust = refAtk.pgdEval(
            n,
            refW,
            mem.get(x),
            mem.get(y),
            d0.slice(),
            new Float64Array(B * s.d),
            refBest,
            refBm,
            B,
            norm,
            eps,
            Math.fround(eps / 2),
            3,
            0.1,
            0,
            0,
          );
          const now = mem.get(bm);
          counts.push(robust);
          expect(robust).toBeLessThanOrEqual(last);
          expect(refRobust).toBeLessThanOrEqual(lastRef); // the reference composes the same way
          expect(robust).toBe(now.filter((v) => v > 0).length);
          for (let b = 0; b < B; b++) expect(now[b]).toBeLessThanOrEqual(lastBm[b]);
          last = robust;
          lastRef = refRobust;
          lastBm = now;
        }
        expect(counts[0]).toBeLessThan(clean); // the attack does something on this network
      }),
    );

    it.each([
      ["l2", NORM.l2],
      ["linf", NORM.linf],
    ])("%s: eps = 0 gives the clean accuracy and leaves x alone", (_name, norm) =>
      mem.scope(() => {
        const { net, x, y, xadv } = setup(5);
        mem.k.netForward(net.rec.ptr, net.work.rec.ptr, x.ptr, B);
        const clean = mem.k.countCorrect(net.work.logits.ptr, y.ptr, B);
        const cleanMargins = mem.get(net.work.logits).map((f, b) => f * mem.get(y)[b]);
        expect(clean).toBeGreaterThan(0);
        expect(clean).toBeLessThan(B);
        const delta = mem.zeros(B * s.d),
          best = mem.zeros(B * s.d),
          bm = mem.put(new Float64Array(B).fill(Infinity));
        const robust = mem.k.pgdEval(
          net.rec.ptr,
          net.work.rec.ptr,
          x.ptr,
          y.ptr,
          delta.ptr,
          xadv.ptr,
          0,
          0,
          best.ptr,
          bm.ptr,
          B,
          norm,
          0,
          0.1,
          5,
          0.1,
          0,
          0,
        );
        expect(robust).toBe(clean);
        expect(Array.from(mem.get(bm))).toEqual(Array.from(cleanMargins));
        mem.k.pgdAttack(net.rec.ptr, net.work.rec.ptr, x.ptr, y.ptr, delta.ptr, xadv.ptr, 0, 0, B, norm, 0, 0.1, 5, 0.1, 0, 0);
        expect(mem.get(delta).every((v) => v === 0)).toBe(true);
        expect(Array.from(mem.get(xadv))).toEqual(Array.from(mem.get(x)));
      }),
    );
  });
});
