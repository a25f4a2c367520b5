// APGD (assembly/apgd.ts) against its f64 reference (tests/reference/apgd.ts) on every backend, and the
// properties an evaluation attack must have whatever the reference says.
import { afterAll, describe, expect, it } from "vitest";
import { BACKENDS, createEngine, type Backend, type Engine } from "../../src/engine/wasm.js";
import { APGD_LOSS, APGD_ROW_WORDS, NORM } from "../../src/engine/kernels.js";
import * as refNet from "../reference/net.js";
import * as refApgd from "../reference/apgd.js";
import type { RefNet } from "../reference/net.js";
import { drawCase, engines, expectClose, maxAbs, Mem, Rand, randomNet, wasmNet, type NetSpec } from "./kernels-harness.js";

interface Opts {
  norm: number;
  loss: number;
  eps: number;
  steps: number;
  deadSlope: number;
  lo: number;
  hi: number;
}

function refRun(
  n: RefNet,
  x: Float64Array,
  y: Float64Array,
  delta0: Float64Array,
  B: number,
  o: Opts,
  closest?: refApgd.Closest,
  rho = refApgd.RHO,
) {
  const w = refNet.allocWork(n, B),
    delta = delta0.slice(),
    xadv = new Float64Array(B * n.d);
  const best = new Float64Array(B * n.d),
    bestMargin = new Float64Array(B).fill(Infinity);
  const r = refApgd.apgdEval(
    n,
    w,
    x,
    y,
    delta,
    xadv,
    best,
    bestMargin,
    B,
    o.norm,
    o.loss,
    o.eps,
    o.steps,
    o.deadSlope,
    o.lo,
    o.hi,
    closest,
    rho,
  );
  return { ...r, delta, best, bestMargin };
}

function margins(n: RefNet, x: Float64Array, y: Float64Array, B: number) {
  const w = refNet.allocWork(n, B);
  refNet.netForward(n, w, x, B);
  return Array.from(y, (yb, b) => yb * w.logits[b]);
}

describe.each(BACKENDS)("%s backend", (backend) => {
  const mem = new Mem(engines[backend]);

  function wasmRun(n: RefNet, x: Float64Array, y: Float64Array, delta0: Float64Array, B: number, o: Opts) {
    const net = wasmNet(mem, n, B);
    const px = mem.put(x),
      py = mem.put(y),
      delta = mem.put(delta0),
      xadv = mem.zeros(B * n.d);
    const best = mem.zeros(B * n.d),
      bm = mem.put(new Float64Array(B).fill(Infinity));
    const aux = mem.zeros(3 * B * n.d),
      rows = mem.zeros(B * APGD_ROW_WORDS);
    const before = mem.snapshot();
    const robust = mem.k.apgdEval(
      net.rec.ptr,
      net.work.rec.ptr,
      px.ptr,
      py.ptr,
      delta.ptr,
      xadv.ptr,
      best.ptr,
      bm.ptr,
      aux.ptr,
      rows.ptr,
      B,
      o.norm,
      o.loss,
      o.eps,
      o.steps,
      o.deadSlope,
      o.lo,
      o.hi,
    );
    const w = net.work;
    mem.expectOnlyChanged(before, [delta, xadv, best, bm, aux, rows, w.pre, w.h, w.logits, w.dlogits, w.dh, w.dpre, w.dx], "apgdEval");
    const r = mem.get(rows);
    return {
      robust,
      delta: mem.get(delta),
      best: mem.get(best),
      bestMargin: mem.get(bm),
      eta: Array.from({ length: B }, (_, b) => r[b * APGD_ROW_WORDS]),
    };
  }

  // Random f32 inputs, drawn until every decision along the reference's path (activation kinks, l-inf
  // gradient signs, loss comparisons, final margins) is far from its threshold: then f32 and f64 take
  // the same branches, the step sizes agree exactly and values within rounding. 12 steps take the
  // schedule through ten checkpoints (intervals 2, then 1), 40 through intervals 8, 7, ..., 2.
  const cases: ["l2" | "linf", "ce" | "margin", number, NetSpec, number, boolean][] = [];
  for (const norm of ["l2", "linf"] as const)
    for (const loss of ["ce", "margin"] as const)
      for (const steps of [0, 1, 5, 12, 40])
        for (const box of [false, true]) {
          cases.push([norm, loss, 5, { d: 7, m: 5, C: 1, activation: 0, bias: true }, steps, box]);
          cases.push([norm, loss, 3, { d: 13, m: 9, C: 1, activation: 1, bias: false }, steps, box]);
        }
  it.each(cases)("%s %s B=%i %j steps=%i box=%s", (norm, loss, B, s, steps, box) =>
    mem.scope(() => {
      const eps = Math.fround(norm === "l2" ? 0.5 : 0.1);
      const o: Opts = { norm: NORM[norm], loss: APGD_LOSS[loss], eps, steps, deadSlope: 0, lo: 0, hi: box ? 1 : 0 };
      const c = drawCase(
        3 + steps * 101 + s.d + (box ? 7000 : 0) + (loss === "ce" ? 0 : 50000) + NORM[norm] * 3e5,
        (r) => {
          const n = randomNet(r, s, 0.3),
            x = r.vec(B * s.d, 0, 1);
          // Long runs get the network's own predictions as labels: samples then survive long enough for
          // the checkpoints' counts of rises to decide.
          const y = steps < 40 ? r.labels(B) : Float64Array.from(margins(n, x, new Float64Array(B).fill(1), B), (f) => (f >= 0 ? 1 : -1));
          const delta0 = r.vec(B * s.d, -eps / Math.sqrt(s.d), eps / Math.sqrt(s.d));
          const closest = { rows: new Float64Array(B).fill(Infinity) };
          refRun(n, x, y, delta0, B, o, closest);
          return closest.rows.every((g) => g > 1e-3) ? { n, x, y, delta0 } : null;
        },
        400,
      );
      const { n, x, y, delta0 } = c;
      const want = refRun(n, x, y, delta0, B, o),
        got = wasmRun(n, x, y, delta0, B, o);
      const tol = 2e-5 * Math.sqrt(s.d * s.m) * (steps + 1);
      expect(got.robust).toBe(want.robust);
      if (steps > 0) expect(got.eta).toEqual(want.rows.map((r) => Math.fround(r.eta)));
      expectClose(got.delta, want.delta, tol, "delta", eps);
      const mscale = maxAbs(want.bestMargin);
      expectClose(got.bestMargin, want.bestMargin, tol, "bestMargin", mscale);
      // the kept perturbation is the one that scored: its margin is the reported best margin
      const xb = x.map((v, i) => (box ? Math.min(Math.max(v + got.best[i], o.lo), o.hi) : v + got.best[i]));
      expectClose(margins(n, xb, y, B), got.bestMargin, tol, "margin of best", mscale);
    }),
  );

  // The checkpoint halves a row's step when at most rho = 0.75 of the steps since the last checkpoint
  // raised its loss. Most rows rise on nearly every step or on nearly none, so the cases above would not
  // see another rho. These are drawn until some rows far from every f32 rounding hazard get other step
  // sizes from the reference with rho 0.5 (or 0.95) than with 0.75; on those rows the kernel's step sizes
  // must be the reference's with 0.75, which pins the kernel's rho from both sides.
  it.each([
    ["linf", "ce", 0, 0.3, 0.5],
    ["l2", "margin", 1, 0.45, 0.5],
    ["linf", "ce", 1, 0.3, 0.95],
    ["l2", "margin", 1, 0.45, 0.95],
  ] as const)("%s %s, activation %i, eps %f: the checkpoint's share of rises is 0.75, not %f", (norm, loss, activation, eps, rho) =>
    mem.scope(() => {
      const B = 32,
        steps = 40,
        s: NetSpec = { d: 13, m: 9, C: 1, activation, bias: true };
      const o: Opts = { norm: NORM[norm], loss: APGD_LOSS[loss], eps: Math.fround(eps), steps, deadSlope: 0, lo: 0, hi: 0 };
      const c = drawCase(
        91 + activation + NORM[norm] * 5 + rho * 100,
        (r) => {
          const n = randomNet(r, s, 0.3),
            x = r.vec(B * s.d, 0, 1);
          const y = Float64Array.from(margins(n, x, new Float64Array(B).fill(1), B), (f) => (f >= 0 ? 1 : -1));
          const delta0 = r.vec(B * s.d, -eps / Math.sqrt(s.d), eps / Math.sqrt(s.d));
          const closest = { rows: new Float64Array(B).fill(Infinity) };
          const want = refRun(n, x, y, delta0, B, o, closest).rows.map((q) => Math.fround(q.eta));
          const other = refRun(n, x, y, delta0, B, o, undefined, rho).rows.map((q) => Math.fround(q.eta));
          const rows = want.map((_, b) => b).filter((b) => closest.rows[b] > 1e-3);
          return rows.some((b) => other[b] !== want[b]) ? { n, x, y, delta0, rows, want } : null;
        },
        400,
      );
      const got = wasmRun(c.n, c.x, c.y, c.delta0, B, o).eta;
      expect(c.rows.map((b) => got[b])).toEqual(c.rows.map((b) => c.want[b]));
    }),
  );
});

describe("properties of the reference", () => {
  // APGD sees a loss only through comparisons and the direction of its gradient, so any increasing map
  // of y f gives the iterates of another: for one logit the logistic loss and a plain margin coincide,
  // which is why the second run's loss is the scale-invariant margin, whose order differs.
  it("the logistic loss and a plain margin give the same iterates; the scale-invariant margin does not", () => {
    const s: NetSpec = { d: 13, m: 9, C: 1, activation: 1, bias: true };
    for (const norm of [NORM.l2, NORM.linf]) {
      const B = 12;
      const o: Opts = { norm, loss: APGD_LOSS.ce, eps: norm === NORM.l2 ? 0.4 : 0.05, steps: 12, deadSlope: 0, lo: 0, hi: 0 };
      const delta0 = new Float64Array(B * s.d);
      // An iterate that stopped moving is scored again with rounding-size changes of its margin, which
      // the logistic loss's rounding may or may not see: cases with such near-ties are redrawn.
      const { n, x, y } = drawCase(17 + norm, (r) => {
        const n = randomNet(r, s, 0.3),
          x = r.vec(B * s.d, 0, 1);
        const w0 = refNet.allocWork(n, B);
        refNet.netForward(n, w0, x, B);
        const y = Float64Array.from(w0.logits, (f) => (f >= 0 ? 1 : -1));
        const closest = { rows: new Float64Array(B).fill(Infinity) };
        refRun(n, x, y, delta0, B, { ...o, loss: refApgd.PLAIN_MARGIN }, closest);
        return closest.rows.every((g) => g > 1e-12) ? { n, x, y } : null;
      });
      const ce = refRun(n, x, y, delta0, B, o),
        plain = refRun(n, x, y, delta0, B, { ...o, loss: refApgd.PLAIN_MARGIN });
      const margin = refRun(n, x, y, delta0, B, { ...o, loss: APGD_LOSS.margin });
      expect(Array.from(plain.delta)).toEqual(Array.from(ce.delta));
      expect(plain.rows.map((q) => q.eta)).toEqual(ce.rows.map((q) => q.eta));
      expect(ce.rows.some((q) => q.eta < 2 * o.eps)).toBe(true); // the schedule halved some steps
      expect(Array.from(margin.delta)).not.toEqual(Array.from(ce.delta));
    }
  });
});

describe.each(BACKENDS)("%s backend: attack properties", (backend) => {
  const mem = new Mem(engines[backend]);
  const B = 9,
    s: NetSpec = { d: 21, m: 16, C: 1, activation: 0, bias: true };
  it.each([
    ["l2", "ce"],
    ["l2", "margin"],
    ["linf", "ce"],
    ["linf", "margin"],
  ] as const)("%s %s: iterates stay in the ball and the box; eps = 0 is the clean pass", (norm, loss) =>
    mem.scope(() => {
      const r = new Rand(5),
        n = randomNet(r, s, 0.3),
        x = r.vec(B * s.d, 0, 1),
        y = r.labels(B);
      const eps = Math.fround(norm === "l2" ? 1.5 : 0.3);
      for (const [e, box] of [
        [eps, false],
        [eps, true],
        [0, false],
      ] as const) {
        const net = wasmNet(mem, n, B);
        const px = mem.put(x),
          py = mem.put(y),
          delta = mem.put(new Float64Array(B * s.d)),
          xadv = mem.zeros(B * s.d);
        const best = mem.zeros(B * s.d),
          bm = mem.put(new Float64Array(B).fill(Infinity));
        const robust = mem.k.apgdEval(
          net.rec.ptr,
          net.work.rec.ptr,
          px.ptr,
          py.ptr,
          delta.ptr,
          xadv.ptr,
          best.ptr,
          bm.ptr,
          mem.zeros(3 * B * s.d).ptr,
          mem.zeros(B * APGD_ROW_WORDS).ptr,
          B,
          NORM[norm],
          APGD_LOSS[loss],
          e,
          15,
          0,
          0,
          box ? 1 : 0,
        );
        const dl = mem.get(best),
          xa = mem.get(xadv);
        for (let b = 0; b < B; b++) {
          const row = dl.subarray(b * s.d, (b + 1) * s.d);
          if (norm === "l2") expect(Math.hypot(...row)).toBeLessThanOrEqual(e * (1 + 1e-6));
          else expect(maxAbs(row)).toBeLessThanOrEqual(e);
        }
        if (box) expect(xa.every((v) => v >= 0 && v <= 1)).toBe(true);
        const clean = margins(n, x, y, B);
        if (e === 0) {
          expect(robust).toBe(clean.filter((t) => t > 0).length);
          expect(maxAbs(dl)).toBe(0);
        } else expect(robust).toBeLessThan(clean.filter((t) => t > 0).length); // the attack breaks something here
      }
    }),
  );
});

const pools: Engine[] = [];
afterAll(() => pools.forEach((e) => e.close()));

// The pool splits apgdEval by rows (src/engine/threads.ts): every row runs the same instructions
// whatever the split, so 2 and 3 threads give the bits of one, on batches not divisible by 4 too.
describe.each(["relaxed", "simd"] as Backend[])("%s backend: threads", (backend) => {
  function run(mem: Mem, B: number, norm: "l2" | "linf", loss: "ce" | "margin") {
    return mem.scope(() => {
      const r = new Rand(B * 13 + NORM[norm]);
      const n = randomNet(r, { d: 37, m: 50, C: 1, activation: 0, bias: true }, 0.3);
      const net = wasmNet(mem, n, B);
      const x = mem.put(r.vec(B * n.d, 0, 1)),
        y = mem.put(r.labels(B));
      const eps = norm === "l2" ? 0.5 : 0.05;
      const delta = mem.put(r.vec(B * n.d, -eps / 10, eps / 10)),
        xadv = mem.zeros(B * n.d),
        best = mem.zeros(B * n.d);
      const bm = mem.put(new Float64Array(B).fill(Infinity)),
        aux = mem.zeros(3 * B * n.d),
        rows = mem.zeros(B * APGD_ROW_WORDS);
      const robust = mem.k.apgdEval(
        net.rec.ptr,
        net.work.rec.ptr,
        x.ptr,
        y.ptr,
        delta.ptr,
        xadv.ptr,
        best.ptr,
        bm.ptr,
        aux.ptr,
        rows.ptr,
        B,
        NORM[norm],
        APGD_LOSS[loss],
        eps,
        11,
        0,
        0,
        0,
      );
      return { robust, best: mem.get(best), margin: mem.get(bm), rows: mem.get(rows) };
    });
  }
  it.each([
    [2, 37],
    [3, 70],
    [3, 130],
  ])("threads=%i, B=%i: bit-identical to one thread", async (threads, B) => {
    const e = await createEngine({ backend, threads, maxMemoryMiB: 256 });
    pools.push(e);
    expect(e.threads).toBe(threads);
    for (const norm of ["l2", "linf"] as const)
      for (const loss of ["ce", "margin"] as const) {
        const want = run(new Mem(engines[backend]), B, norm, loss);
        expect(want.robust).toBeGreaterThan(0);
        expect(want.robust).toBeLessThan(B);
        expect(run(new Mem(e), B, norm, loss)).toEqual(want);
      }
  });
});
