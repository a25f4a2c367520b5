// Reference for assembly/linear.ts: plain f64 loops, no SIMD, no skipped zeros.

/** A dense row-major array of numbers. */
export type Vec = Float64Array | number[];

// out is (B,OC), inp is (B,C), weight is (OC,C), bias is (OC) or null: out = inp · weightᵀ + bias
export function matmulForward(out: Vec, inp: Vec, weight: Vec, bias: Vec | null, B: number, C: number, OC: number): void {
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < OC; o++) {
      let s = bias ? bias[o] : 0;
      for (let c = 0; c < C; c++) s += inp[b * C + c] * weight[o * C + c];
      out[b * OC + o] = s;
    }
  }
}

// dout is (B,OC), inp is (B,C), weight is (OC,C); accumulates dinp (B,C), dweight (OC,C), dbias (OC); null skips one.
export function matmulBackward(
  dinp: Vec | null,
  dweight: Vec | null,
  dbias: Vec | null,
  dout: Vec,
  inp: Vec,
  weight: Vec,
  B: number,
  C: number,
  OC: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < OC; o++) {
      const g = dout[b * OC + o];
      for (let c = 0; c < C; c++) {
        if (dinp) dinp[b * C + c] += g * weight[o * C + c];
        if (dweight) dweight[o * C + c] += g * inp[b * C + c];
      }
      if (dbias) dbias[o] += g;
    }
  }
}
