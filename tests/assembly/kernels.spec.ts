// The SIMD kernels against plain f64 loops written here, inside WASM, on shapes that are and are not
// multiples of the vector width. The TypeScript references in tests/reference/ are checked by vitest;
// these specs catch a vector tail or an offset that is wrong in the compiled module itself.
import { matmulForward, matmulBackward, setScratch, scratchBytes } from "../../assembly/linear";
import { activationForward, activationBackward } from "../../assembly/activation";
import { Activation } from "../../assembly/contract";
import { logisticForward, logisticBackward } from "../../assembly/loss";
import { adamStep } from "../../assembly/optim";

let seed: u32 = 12345;
function rnd(): f32 {
  // xorshift32: deterministic draws in [-1, 1)
  seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
  return <f32>(<f64>seed / 4294967296.0 * 2.0 - 1.0);
}

function buf(n: i32): usize {
  const p = heap.alloc(<usize>(n + 4) << 2); // room past the end to catch overruns
  memory.fill(p, 0, <usize>(n + 4) << 2);
  return (p + 15) & ~15;
}
function fill(p: usize, n: i32): void { for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), rnd()); }
function at(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }

const SHAPES: i32[][] = [[1, 1, 1], [3, 5, 7], [4, 8, 2], [5, 13, 9], [8, 33, 20], [7, 100, 19]];

function checkForward(): void {
  for (let s = 0; s < SHAPES.length; s++) {
    const B = SHAPES[s][0], C = SHAPES[s][1], OC = SHAPES[s][2];
    const inp = buf(B * C), w = buf(OC * C), bias = buf(OC), out = buf(B * OC);
    fill(inp, B * C); fill(w, OC * C); fill(bias, OC);
    for (let withBias = 0; withBias < 2; withBias++) {
      matmulForward(out, inp, w, withBias ? bias : 0, B, C, OC);
      for (let b = 0; b < B; b++) for (let o = 0; o < OC; o++) {
        let want: f64 = withBias ? <f64>at(bias, o) : 0;
        for (let c = 0; c < C; c++) want += <f64>at(inp, b * C + c) * <f64>at(w, o * C + c);
        expect<f64>(Math.abs(<f64>at(out, b * OC + o) - want)).toBeLessThan(1e-5 * <f64>C);
      }
      expect<f32>(at(out, B * OC)).toBe(0, "no write past the output");
    }
  }
}

describe("matmulForward", () => {
  it("matches an f64 triple loop, with and without bias, from the rows in place (no scratch block yet)", () => {
    checkForward();
  });
  it("the same with packed operands, once the instance has its scratch block", () => {
    setScratch(buf(scratchBytes() >> 2));
    checkForward();
  });
});

describe("matmulBackward", () => {
  it("accumulates dinp = dout.W and dweight = dout^T.inp and dbias", () => {
    for (let s = 0; s < SHAPES.length; s++) {
      const B = SHAPES[s][0], C = SHAPES[s][1], OC = SHAPES[s][2];
      const inp = buf(B * C), w = buf(OC * C), dout = buf(B * OC);
      const dinp = buf(B * C), dw = buf(OC * C), db = buf(OC);
      fill(inp, B * C); fill(w, OC * C); fill(dout, B * OC);
      // pre-existing gradient content: backward passes accumulate
      for (let i = 0; i < B * C; i++) store<f32>(dinp + (<usize>i << 2), 1);
      matmulBackward(dinp, dw, db, dout, inp, w, B, C, OC);
      for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
        let want: f64 = 1;
        for (let o = 0; o < OC; o++) want += <f64>at(dout, b * OC + o) * <f64>at(w, o * C + c);
        expect<f64>(Math.abs(<f64>at(dinp, b * C + c) - want)).toBeLessThan(1e-5 * <f64>OC);
      }
      for (let o = 0; o < OC; o++) {
        let wantB: f64 = 0;
        for (let b = 0; b < B; b++) wantB += <f64>at(dout, b * OC + o);
        expect<f64>(Math.abs(<f64>at(db, o) - wantB)).toBeLessThan(1e-5 * <f64>B);
        for (let c = 0; c < C; c++) {
          let want: f64 = 0;
          for (let b = 0; b < B; b++) want += <f64>at(dout, b * OC + o) * <f64>at(inp, b * C + c);
          expect<f64>(Math.abs(<f64>at(dw, o * C + c) - want)).toBeLessThan(1e-5 * <f64>B);
        }
      }
      expect<f32>(at(dinp, B * C)).toBe(0, "no write past dinp");
      expect<f32>(at(dw, OC * C)).toBe(0, "no write past dweight");
    }
  });
});

describe("activation", () => {
  it("symmetric and plain thresholded ReLU, forward and backward, on every tail length", () => {
    for (let M = 1; M <= 11; M++) {
      const B = 3;
      const pre = buf(B * M), thr = buf(M), out = buf(B * M), dout = buf(B * M), dpre = buf(B * M), dthr = buf(M);
      fill(pre, B * M); fill(dout, B * M);
      for (let j = 0; j < M; j++) store<f32>(thr + (<usize>j << 2), Mathf.abs(rnd()) * 0.5);
      for (let kind = Activation.symrelu; kind <= Activation.relu; kind++) {
        memory.fill(dpre, 0, <usize>(B * M) << 2);
        memory.fill(dthr, 0, <usize>M << 2);
        activationForward(out, pre, thr, B, M, kind);
        activationBackward(dpre, dthr, dout, pre, thr, B, M, kind, 0.25);
        const wantDthr = new Array<f64>(M);
        for (let b = 0; b < B; b++) for (let j = 0; j < M; j++) {
          const p = at(pre, b * M + j), t = at(thr, j), g = at(dout, b * M + j);
          let h: f32 = 0, dp: f32 = 0.25, dt: f32 = 0;
          if (p > t) { h = p - t; dp = 1; dt = -1; }
          else if (kind == Activation.symrelu && p < -t) { h = p + t; dp = 1; dt = 1; }
          expect<f32>(at(out, b * M + j)).toBe(h);
          expect<f32>(at(dpre, b * M + j)).toBe(g * dp);
          wantDthr[j] += <f64>(g * dt);
        }
        for (let j = 0; j < M; j++) expect<f64>(Math.abs(<f64>at(dthr, j) - wantDthr[j])).toBeLessThan(1e-6);
      }
    }
  });
});

describe("logistic loss", () => {
  it("is stable for large margins and its gradient matches a central difference", () => {
    const B = 5;
    const logits = buf(B), y = buf(B), dl = buf(B);
    const vals: f32[] = [-80, -2, 0.5, 3, 90];
    for (let b = 0; b < B; b++) { store<f32>(logits + (<usize>b << 2), vals[b]); store<f32>(y + (<usize>b << 2), b % 2 ? 1 : -1); }
    const L = logisticForward(logits, y, B);
    expect<bool>(isFinite<f32>(L)).toBe(true);
    logisticBackward(dl, logits, y, B, 1.0 / <f32>B);
    for (let b = 1; b < 4; b++) {
      const p = logits + (<usize>b << 2), v = load<f32>(p), h: f32 = 1e-2;
      store<f32>(p, v + h); const up = logisticForward(logits, y, B);
      store<f32>(p, v - h); const dn = logisticForward(logits, y, B);
      store<f32>(p, v);
      expect<f64>(Math.abs(<f64>((up - dn) / (2 * h)) - <f64>at(dl, b))).toBeLessThan(1e-3);
    }
  });
});

describe("adamStep", () => {
  it("first step moves each parameter by about lr against the sign of its gradient", () => {
    const n = 7;
    const p = buf(n), g = buf(n), m = buf(n), v = buf(n);
    fill(p, n); fill(g, n);
    const before = new Array<f32>(n);
    for (let i = 0; i < n; i++) before[i] = at(p, i);
    adamStep(p, g, m, v, n, 0.01, 0.9, 0.999, 1e-8, 0, 1);
    for (let i = 0; i < n; i++) {
      const want = before[i] - <f32>0.01 * (at(g, i) > 0 ? <f32>1 : <f32>-1);
      expect<f64>(Math.abs(<f64>(at(p, i) - want))).toBeLessThan(1e-5);
    }
  });
});
