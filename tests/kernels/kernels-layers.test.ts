// WASM layer kernels (linear, activation, loss, optim) against the f64 references, on both backends and on
// shapes that are not multiples of the SIMD width. Inputs are f32-exact, so differences are f32 rounding only.
import { describe, expect, it } from "vitest";
import { BACKENDS } from "../../src/engine/wasm.js";
import { KERNEL_SCRATCH_BYTES } from "../../src/config/limits.js";
import * as ref from "../reference/linear.js";
import * as refAct from "../reference/activation.js";
import * as refLoss from "../reference/loss.js";
import * as refOpt from "../reference/optim.js";
import { engines, expectClose, Mem, Rand } from "./kernels-harness.js";

const F32 = 2 ** -23; // f32 machine epsilon
// dot products of C terms of size ~1: rounding grows like sqrt(C) for random signs; 10x margin
const dotTol = (C: number) => 1e-5 * Math.sqrt(C);

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 3, 2],
  [3, 7, 5],
  [5, 16, 3],
  [8, 33, 200],
  [3, 100, 1],
  [5, 1, 200],
  [8, 100, 5],
  [4, 4, 2],
  [7, 33, 3],
  // several cache blocks of weight rows in the forward pass (54 rows of 600), the last one odd (3 rows)
  [5, 600, 57],
  // more than one 256-entry block of sparse lists in the backward pass, both for dinp (OC) and dweight (B)
  [258, 9, 259],
];

describe.each(BACKENDS)("%s backend", (backend) => {
  const mem = new Mem(engines[backend]);

  describe("matmulForward", () => {
    it.each(SHAPES)("B=%i C=%i OC=%i, with and without bias", (B, C, OC) =>
      mem.scope(() => {
        const r = new Rand(B * 10007 + C * 101 + OC);
        const inp = r.vec(B * C),
          weight = r.vec(OC * C),
          bias = r.vec(OC);
        for (const withBias of [false, true]) {
          const want = new Float64Array(B * OC);
          ref.matmulForward(want, inp, weight, withBias ? bias : null, B, C, OC);
          const out = mem.put(r.vec(B * OC)); // garbage: the kernel overwrites
          const pi = mem.put(inp),
            pw = mem.put(weight),
            pb = mem.put(bias);
          const before = mem.snapshot();
          mem.k.matmulForward(out.ptr, pi.ptr, pw.ptr, withBias ? pb.ptr : 0, B, C, OC);
          mem.expectOnlyChanged(before, [out], "matmulForward");
          expectClose(mem.get(out), want, dotTol(C), `out, bias=${withBias}`);
        }
      }),
    );

    // Whole calls pack 4 input rows and pairs of weight rows (SIMD builds); a single row takes one
    // dot() per output from the rows in place. Their sums must be the same, bit for bit.
    it.each([...SHAPES, [9, 16389, 3]])("B=%i C=%i OC=%i: a whole call gives the bits of one row at a time", (B, C, OC) =>
      mem.scope(() => {
        const r = new Rand(B * 31 + C * 7 + OC);
        const inp = mem.put(r.vec(B * C)),
          weight = mem.put(r.vec(OC * C)),
          bias = mem.put(r.vec(OC));
        const whole = mem.zeros(B * OC),
          rows = mem.zeros(B * OC);
        mem.k.matmulForward(whole.ptr, inp.ptr, weight.ptr, bias.ptr, B, C, OC);
        for (let b = 0; b < B; b++) mem.k.matmulForward(rows.ptr + 4 * b * OC, inp.ptr + 4 * b * C, weight.ptr, bias.ptr, 1, C, OC);
        expect(Array.from(mem.get(whole))).toEqual(Array.from(mem.get(rows)));
        expect(mem.get(whole).every((v) => v !== 0)).toBe(true);
      }),
    );

    it("maddPeak (the benchmark's register-only loop) runs its chains on the relaxed build and counts their flops", () =>
      mem.scope(() => {
        const out = mem.zeros(1);
        const flops = mem.k.maddPeak(1000, out.ptr);
        expect(flops).toBe(backend === "relaxed" ? 96 * 1000 : 0);
        if (backend !== "relaxed") return;
        // Lane 0 of the 12 chains a <- 0.999 a + 0.001 from 0.1, 0.2, ..., 1.2, summed.
        let want = 0;
        for (let c = 1; c <= 12; c++) {
          let a = Math.fround(c / 10);
          for (let i = 0; i < 1000; i++) a = a * Math.fround(0.999) + Math.fround(0.001);
          want += a;
        }
        expect(mem.get(out)[0]).toBeCloseTo(want, 3);
      }));

    it("the engine gives the kernels the scratch block the memory budget counts", () => {
      expect(mem.k.scratchBytes()).toBe(backend === "scalar" ? 2048 : KERNEL_SCRATCH_BYTES);
      const s = mem.k.scratchPtr();
      expect(s).toBeGreaterThanOrEqual(mem.k.heapBase()); // in the arena, not the static block
      expect(s % 16).toBe(0);
    });
  });

  describe("matmulBackward", () => {
    it.each([
      [37, 200],
      [8, 5],
      [100, 1],
      [101, 33],
      [13, 7],
      [20, 6],
    ])("dinp, C=%i OC=%i: the dense path (blocks of 4 rows) and the sparse lists (single rows) agree bit for bit", (C, OC) =>
      mem.scope(() => {
        const r = new Rand(C * 13 + OC);
        const B = 8,
          weight = mem.put(r.vec(OC * C));
        for (const zeros of [0, 0.3]) {
          const dout = r.sparsify(r.vec(B * OC), zeros);
          const whole = mem.zeros(B * C),
            rows = mem.zeros(B * C),
            pd = mem.put(dout);
          mem.k.matmulBackward(whole.ptr, 0, 0, pd.ptr, 0, weight.ptr, B, C, OC);
          for (let b = 0; b < B; b++) mem.k.matmulBackward(rows.ptr + 4 * b * C, 0, 0, pd.ptr + 4 * b * OC, 0, weight.ptr, 1, C, OC);
          expect(Array.from(mem.get(whole))).toEqual(Array.from(mem.get(rows)));
          expect(mem.get(whole).some((v) => v !== 0)).toBe(true);
        }
      }),
    );

    it.each([
      [37, 200],
      [8, 5],
      [100, 12],
      [101, 33],
    ])("dweight, C=%i B=%i: the dense path (4 output rows) equals sparse lists over the batch bit for bit", (C, B) =>
      mem.scope(() => {
        const r = new Rand(C * 17 + B);
        const OC = 8,
          inp = mem.put(r.vec(B * C));
        for (const zeros of [0, 0.3]) {
          const dout = r.sparsify(r.vec(B * OC), zeros);
          const doutT = new Float64Array(OC * B);
          for (let b = 0; b < B; b++) for (let o = 0; o < OC; o++) doutT[o * B + b] = dout[b * OC + o];
          const whole = mem.zeros(OC * C),
            rows = mem.zeros(OC * C),
            pd = mem.put(dout),
            pt = mem.put(doutT);
          mem.k.matmulBackward(0, whole.ptr, 0, pd.ptr, inp.ptr, 0, B, C, OC);
          // Row o alone through the dinp path: one row never takes the dense tiles.
          for (let o = 0; o < OC; o++) mem.k.matmulBackward(rows.ptr + 4 * o * C, 0, 0, pt.ptr + 4 * o * B, 0, inp.ptr, 1, C, B);
          expect(Array.from(mem.get(whole))).toEqual(Array.from(mem.get(rows)));
          expect(mem.get(whole).some((v) => v !== 0)).toBe(true);
        }
      }),
    );

    it.each(SHAPES)("B=%i C=%i OC=%i, each gradient alone and all together, accumulating", (B, C, OC) =>
      mem.scope(() => {
        const r = new Rand(B * 7919 + C * 31 + OC);
        const inp = r.vec(B * C),
          weight = r.vec(OC * C),
          dout = r.sparsify(r.vec(B * OC), 0.3);
        const init = { dinp: r.vec(B * C), dweight: r.vec(OC * C), dbias: r.vec(OC) };
        const want = { dinp: init.dinp.slice(), dweight: init.dweight.slice(), dbias: init.dbias.slice() };
        ref.matmulBackward(want.dinp, want.dweight, want.dbias, dout, inp, weight, B, C, OC);
        const pi = mem.put(inp),
          pw = mem.put(weight),
          pd = mem.put(dout);
        const tol = { dinp: dotTol(OC), dweight: dotTol(B), dbias: dotTol(B) };
        const names = ["dinp", "dweight", "dbias"] as const;
        for (const wanted of [["dinp"], ["dweight"], ["dbias"], ["dinp", "dweight", "dbias"]] as const) {
          const bufs = { dinp: mem.put(init.dinp), dweight: mem.put(init.dweight), dbias: mem.put(init.dbias) };
          const ptr = (n: (typeof names)[number]) => ((wanted as readonly string[]).includes(n) ? bufs[n].ptr : 0);
          const before = mem.snapshot();
          mem.k.matmulBackward(ptr("dinp"), ptr("dweight"), ptr("dbias"), pd.ptr, pi.ptr, pw.ptr, B, C, OC);
          mem.expectOnlyChanged(
            before,
            wanted.map((n) => bufs[n]),
            `matmulBackward(${wanted})`,
          );
          for (const n of wanted) expectClose(mem.get(bufs[n]), want[n], tol[n], `${n} with ${wanted}`);
        }
      }),
    );
  });

  describe.each([
    ["symmetric ReLU", 0, false],
    ["ReLU", 1, false],
    // thresholds left free (config model.thresholdClamp none): for the symmetric ReLU both terms overlap on |p| < -t
    ["symmetric ReLU, thresholds of both signs", 0, true],
    ["ReLU, thresholds of both signs", 1, true],
  ] as const)("activation %s", (_name, kind, signed) => {
    // Pre-activations include exact hits on +-t: both sides use strict comparisons there.
    function draw(r: Rand, B: number, M: number) {
      const thr = r.vec(M, signed ? -0.6 : 0, 0.6);
      thr[0] = 0;
      const pre = r.vec(B * M, -1.5, 1.5);
      for (let j = 0; j < M; j++) if (j % 3 === 1) pre[j] = j % 2 ? thr[j] : -thr[j];
      return { thr, pre };
    }

    it.each([
      [1, 1],
      [3, 7],
      [5, 16],
      [8, 33],
      [2, 100],
    ])("forward B=%i M=%i", (B, M) =>
      mem.scope(() => {
        const r = new Rand(31 * B + M + 1000 * kind);
        const { thr, pre } = draw(r, B, M);
        const want = new Float64Array(B * M);
        refAct.activationForward(want, pre, thr, B, M, kind);
        const out = mem.put(r.vec(B * M)),
          pp = mem.put(pre),
          pt = mem.put(thr);
        const before = mem.snapshot();
        mem.k.activationForward(out.ptr, pp.ptr, pt.ptr, B, M, kind);
        mem.expectOnlyChanged(before, [out], "activationForward");
        expectClose(mem.get(out), want, F32, "h"); // one f32 subtraction
      }),
    );

    // The vector loop's pmax / pmin against WebAssembly's max / min (Math.max / Math.min in f32): the
    // same bits on zeros of both signs, exact hits on +-t, infinities, subnormals and NaN.
    it("forward keeps max / min's bits on special values", () =>
      mem.scope(() => {
        const specials = [0, -0, 0.25, -0.25, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3e38, -3e38, 0.5];
        const thresholds = [0, 0.25, 1e-45, 0.5];
        const M = thresholds.length,
          B = specials.length;
        const pre = specials.flatMap((p) => thresholds.map(() => p)),
          thr = thresholds;
        const out = mem.zeros(B * M);
        mem.k.activationForward(out.ptr, mem.put(pre).ptr, mem.put(thr).ptr, B, M, kind);
        const f = Math.fround;
        const want = pre.map((p, i) => {
          const t = thr[i % M];
          const hi = Math.max(f(p - t), 0);
          return kind === 0 ? f(hi + Math.min(f(p + t), 0)) : hi;
        });
        const got = Array.from(mem.get(out));
        expect(got.map((v, i) => Object.is(v, want[i]) || `${i}: ${v} != ${want[i]}`).filter((v) => v !== true)).toEqual([]);
      }));

    it.each([
      [1, 1, 0],
      [3, 7, 0],
      [5, 16, 0.1],
      [8, 33, 0.25],
      [2, 100, 0],
    ])("backward B=%i M=%i deadSlope=%f", (B, M, slope) =>
      mem.scope(() => {
        const r = new Rand(17 * B + M + 1000 * kind);
        const { thr, pre } = draw(r, B, M);
        const dout = r.sparsify(r.vec(B * M), 0.2);
        const dpre0 = r.vec(B * M),
          dthr0 = r.vec(M);
        const deadSlope = Math.fround(slope);
        for (const withThr of [false, true]) {
          const wantDpre = dpre0.slice(),
            wantDthr = dthr0.slice();
          refAct.activationBackward(wantDpre, withThr ? wantDthr : null, dout, pre, thr, B, M, kind, deadSlope);
          const dpre = mem.put(dpre0),
            dthr = mem.put(dthr0),
            pd = mem.put(dout),
            pp = mem.put(pre),
            pt = mem.put(thr);
          const before = mem.snapshot();
          mem.k.activationBackward(dpre.ptr, withThr ? dthr.ptr : 0, pd.ptr, pp.ptr, pt.ptr, B, M, kind, deadSlope);
          mem.expectOnlyChanged(before, withThr ? [dpre, dthr] : [dpre], "activationBackward");
          expectClose(mem.get(dpre), wantDpre, 2 * F32, "dpre");
          expectClose(mem.get(dthr), wantDthr, dotTol(B), `dthr (wanted: ${withThr})`);
        }
      }),
    );
  });

  describe("logistic loss", () => {
    it.each([1, 3, 5, 8, 33])("forward, backward and countCorrect, B=%i", (B) =>
      mem.scope(() => {
        const r = new Rand(4242 + B);
        const logits = r.vec(B, -8, 8),
          y = r.labels(B);
        if (B > 3) [logits[0], logits[1], logits[2]] = [90, -120, 0]; // saturated both ways, and a tie
        const pl = mem.put(logits),
          py = mem.put(y);
        const rel = Math.abs(mem.k.logisticForward(pl.ptr, py.ptr, B) / refLoss.logisticForward(logits, y, B) - 1);
        expect(rel).toBeLessThan(1e-6); // f64 inside, one f32 rounding of the result
        expect(mem.k.countCorrect(pl.ptr, py.ptr, B)).toBe(refLoss.countCorrect(logits, y, B));

        const d0 = r.vec(B),
          scale = Math.fround(1 / B);
        const want = d0.slice();
        refLoss.logisticBackward(want, logits, y, B, scale);
        const dl = mem.put(d0);
        const before = mem.snapshot();
        mem.k.logisticBackward(dl.ptr, pl.ptr, py.ptr, B, scale);
        mem.expectOnlyChanged(before, [dl], "logisticBackward");
        expectClose(mem.get(dl), want, 2 * F32, "dlogits");
      }),
    );

    it("countCorrect counts y*f > 0 only (zero logits are wrong)", () =>
      mem.scope(() => {
        const logits = [1, -1, 0, 0, 2, -3, 0.5],
          y = [1, 1, 1, -1, -1, -1, 1];
        expect(mem.k.countCorrect(mem.put(logits).ptr, mem.put(y).ptr, 7)).toBe(3);
        expect(refLoss.countCorrect(logits, y, 7)).toBe(3);
      }));
  });

  describe("optimisers", () => {
    const n = 37;
    it.each([1, 2, 3, 10, 1000])("adamStep at t=%i", (t) =>
      mem.scope(() => {
        const r = new Rand(99 + t);
        const p = r.vec(n),
          g = r.vec(n, -0.1, 0.1),
          m = r.vec(n, -0.01, 0.01),
          v = r.vec(n, 0, 1e-3);
        g[0] = 0;
        const [lr, b1, b2, eps, wd] = [1e-2, 0.9, 0.999, 1e-8, 0.01].map(Math.fround);
        const want = { p: p.slice(), m: m.slice(), v: v.slice() };
        refOpt.adamStep(want.p, g, want.m, want.v, n, lr, b1, b2, eps, wd, t);
        const bp = mem.put(p),
          bg = mem.put(g),
          bm = mem.put(m),
          bv = mem.put(v);
        const before = mem.snapshot();
        mem.k.adamStep(bp.ptr, bg.ptr, bm.ptr, bv.ptr, n, lr, b1, b2, eps, wd, t);
        mem.expectOnlyChanged(before, [bp, bm, bv], "adamStep");
        expectClose(mem.get(bm), want.m, 1e-6, "m", 1e-3);
        expectClose(mem.get(bv), want.v, 1e-6, "v", 1e-6);
        // the step is ~lr: compare the update itself, relative to lr
        const step = mem.get(bp).map((x, i) => x - p[i]),
          wantStep = want.p.map((x, i) => x - p[i]);
        expectClose(step, wantStep, 1e-4, "p - p0", lr);
      }),
    );

    it.each([
      [0, 0],
      [0.9, 0],
      [0.9, 5e-4],
    ])("sgdStep momentum=%f weightDecay=%f, three steps", (mu, wd) =>
      mem.scope(() => {
        const r = new Rand(7 + 100 * mu);
        const p = r.vec(n),
          mom = r.vec(n, -0.1, 0.1),
          lr = Math.fround(0.05);
        const want = { p: p.slice(), mom: mom.slice() };
        const bp = mem.put(p),
          bm = mem.put(mom);
        for (let s = 0; s < 3; s++) {
          const g = r.vec(n);
          refOpt.sgdStep(want.p, g, want.mom, n, lr, Math.fround(mu), Math.fround(wd));
          const bg = mem.put(g);
          const before = mem.snapshot();
          mem.k.sgdStep(bp.ptr, bg.ptr, bm.ptr, n, lr, mu, wd);
          mem.expectOnlyChanged(before, [bp, bm], "sgdStep");
        }
        expectClose(mem.get(bm), want.mom, 1e-6, "momentum");
        expectClose(mem.get(bp), want.p, 1e-6, "p");
      }),
    );

    it("clampMin", () =>
      mem.scope(() => {
        const r = new Rand(5);
        const p = r.vec(n, -1, 1);
        p[3] = 0.25;
        const want = p.slice();
        refOpt.clampMin(want, n, 0.25);
        const bp = mem.put(p);
        mem.k.clampMin(bp.ptr, n, 0.25);
        expect(Array.from(mem.get(bp))).toEqual(Array.from(want)); // exact: max of f32 values
        expect(Math.min(...mem.get(bp))).toBe(0.25);
      }));
  });
});
