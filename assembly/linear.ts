// Dense layers. Every matrix is row-major f32; pointers are byte offsets into the caller's arena.
// The SIMD path is compiled when asc runs with `--enable simd`; the scalar path is the baseline build.

const F = 4; // bytes per f32

// dot(a[0..C), b[0..C))
// @ts-ignore: decorator
@inline function dotScalar(a: usize, b: usize, from: i32, C: i32): f32 {
  let s: f32 = 0;
  for (let c = from; c < C; c++) s += load<f32>(a + (<usize>c << 2)) * load<f32>(b + (<usize>c << 2));
  return s;
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

function dot(a: usize, b: usize, C: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    const C4 = C & ~3;
    let acc = f32x4.splat(0);
    for (let c = 0; c < C4; c += 4) {
      const off = <usize>c << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(a + off), v128.load(b + off)));
    }
    return hsum(acc) + dotScalar(a, b, C4, C);
  }
  return dotScalar(a, b, 0, C);
}

// out is (B,OC), inp is (B,C), weight is (OC,C), bias is (OC) or 0: out = inp · weightᵀ + bias
export function matmulForward(out: usize, inp: usize, weight: usize, bias: usize, B: i32, C: i32, OC: i32): void {
  const rs = <usize>C * F; // row stride of inp and weight
  const os = <usize>OC * F;
  let b = 0;
  if (ASC_FEATURE_SIMD) {
    // 4 input rows x 2 weight rows: 8 accumulators, 6 loads per 8 multiply-adds.
    const C4 = C & ~3;
    for (; b + 4 <= B; b += 4) {
      const x0 = inp + <usize>b * rs, x1 = x0 + rs, x2 = x1 + rs, x3 = x2 + rs;
      let o = 0;
      for (; o + 2 <= OC; o += 2) {
        const w0 = weight + <usize>o * rs, w1 = w0 + rs;
        let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
        let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
        for (let c = 0; c < C4; c += 4) {
          const off = <usize>c << 2;
          const v0 = v128.load(w0 + off), v1 = v128.load(w1 + off);
          let u = v128.load(x0 + off);
          a00 = f32x4.add(a00, f32x4.mul(u, v0)); a01 = f32x4.add(a01, f32x4.mul(u, v1));
          u = v128.load(x1 + off);
          a10 = f32x4.add(a10, f32x4.mul(u, v0)); a11 = f32x4.add(a11, f32x4.mul(u, v1));
          u = v128.load(x2 + off);
          a20 = f32x4.add(a20, f32x4.mul(u, v0)); a21 = f32x4.add(a21, f32x4.mul(u, v1));
          u = v128.load(x3 + off);
          a30 = f32x4.add(a30, f32x4.mul(u, v0)); a31 = f32x4.add(a31, f32x4.mul(u, v1));
        }
        const bias0: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
        const bias1: f32 = bias ? load<f32>(bias + (<usize>(o + 1) << 2)) : 0;
        const r0 = out + <usize>b * os + (<usize>o << 2);
        store<f32>(r0, hsum(a00) + dotScalar(x0, w0, C4, C) + bias0);
        store<f32>(r0 + 4, hsum(a01) + dotScalar(x0, w1, C4, C) + bias1);
        store<f32>(r0 + os, hsum(a10) + dotScalar(x1, w0, C4, C) + bias0);
        store<f32>(r0 + os + 4, hsum(a11) + dotScalar(x1, w1, C4, C) + bias1);
        store<f32>(r0 + 2 * os, hsum(a20) + dotScalar(x2, w0, C4, C) + bias0);
        store<f32>(r0 + 2 * os + 4, hsum(a21) + dotScalar(x2, w1, C4, C) + bias1);
        store<f32>(r0 + 3 * os, hsum(a30) + dotScalar(x3, w0, C4, C) + bias0);
        store<f32>(r0 + 3 * os + 4, hsum(a31) + dotScalar(x3, w1, C4, C) + bias1);
      }
      for (; o < OC; o++) {
        const w0 = weight + <usize>o * rs;
        const bias0: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
        const r0 = out + <usize>b * os + (<usize>o << 2);
        store<f32>(r0, dot(x0, w0, C) + bias0);
        store<f32>(r0 + os, dot(x1, w0, C) + bias0);
        store<f32>(r0 + 2 * os, dot(x2, w0, C) + bias0);
        store<f32>(r0 + 3 * os, dot(x3, w0, C) + bias0);
      }
    }
  }
  for (; b < B; b++) {
    const x0 = inp + <usize>b * rs;
    for (let o = 0; o < OC; o++) {
      const bias0: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
      store<f32>(out + <usize>b * os + (<usize>o << 2), dot(x0, weight + <usize>o * rs, C) + bias0);
    }
  }
}

// dst[from..C) += sum_k g[k*gStride] * src[k*srcStride + (from..C)]: one row of a product whose
// reduction index k runs over rows of src, one vector of columns at a time (zero coefficients are
// skipped: that is where the sparsity of thresholded activations pays). The pair kernel below does
// the bulk; this one takes the leftover row and columns.
function accumulateColumns(dst: usize, src: usize, srcStride: usize, g: usize, gStride: usize, K: i32, from: i32, C: i32): void {
  let c = from;
  if (ASC_FEATURE_SIMD) {
    for (; c + 4 <= C; c += 4) {
      const d0 = dst + (<usize>c << 2);
      let a0 = v128.load(d0);
      for (let k = 0; k < K; k++) {
        const gk = load<f32>(g + <usize>k * gStride);
        if (gk == 0) continue;
        a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(gk), v128.load(src + <usize>k * srcStride + (<usize>c << 2))));
      }
      v128.store(d0, a0);
    }
  }
  for (let k = 0; k < K; k++) {
    const gk = load<f32>(g + <usize>k * gStride);
    if (gk == 0) continue;
    const s = src + <usize>k * srcStride;
    for (let i = c; i < C; i++) {
      const off = <usize>i << 2;
      store<f32>(dst + off, load<f32>(dst + off) + gk * load<f32>(s + off));
    }
  }
}

// Two rows at once: dst0 += sum_k g0[k] src[k], dst1 += sum_k g1[k] src[k]. Sharing each src load
// between two rows halves the loads per multiply-add against accumulateRow.
function accumulateRowPair(dst0: usize, dst1: usize, src: usize, srcStride: usize, g0: usize, g1: usize, gStride: usize, K: i32, C: i32): void {
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 16 <= C; c += 16) {
      const p0 = dst0 + (<usize>c << 2), p1 = dst1 + (<usize>c << 2);
      let a0 = v128.load(p0), a1 = v128.load(p0, 16), a2 = v128.load(p0, 32), a3 = v128.load(p0, 48);
      let b0 = v128.load(p1), b1 = v128.load(p1, 16), b2 = v128.load(p1, 32), b3 = v128.load(p1, 48);
      for (let k = 0; k < K; k++) {
        const gk0 = load<f32>(g0 + <usize>k * gStride), gk1 = load<f32>(g1 + <usize>k * gStride);
        if (gk0 == 0 && gk1 == 0) continue;
        const u = f32x4.splat(gk0), v = f32x4.splat(gk1);
        const s = src + <usize>k * srcStride + (<usize>c << 2);
        const s0 = v128.load(s), s1 = v128.load(s, 16), s2 = v128.load(s, 32), s3 = v128.load(s, 48);
        a0 = f32x4.add(a0, f32x4.mul(u, s0)); b0 = f32x4.add(b0, f32x4.mul(v, s0));
        a1 = f32x4.add(a1, f32x4.mul(u, s1)); b1 = f32x4.add(b1, f32x4.mul(v, s1));
        a2 = f32x4.add(a2, f32x4.mul(u, s2)); b2 = f32x4.add(b2, f32x4.mul(v, s2));
        a3 = f32x4.add(a3, f32x4.mul(u, s3)); b3 = f32x4.add(b3, f32x4.mul(v, s3));
      }
      v128.store(p0, a0); v128.store(p0, a1, 16); v128.store(p0, a2, 32); v128.store(p0, a3, 48);
      v128.store(p1, b0); v128.store(p1, b1, 16); v128.store(p1, b2, 32); v128.store(p1, b3, 48);
    }
  }
  // The remaining columns, fewer than 16, row by row.
  accumulateColumns(dst0, src, srcStride, g0, gStride, K, c, C);
  accumulateColumns(dst1, src, srcStride, g1, gStride, K, c, C);
}

// dout is (B,OC), inp is (B,C), weight is (OC,C); accumulates dinp (B,C) += dout · weight,
// dweight (OC,C) += doutᵀ · inp and dbias (OC) += column sums of dout. A zero pointer skips that
// gradient (attacks need only dinp).
export function matmulBackward(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize, B: i32, C: i32, OC: i32): void {
  const rs = <usize>C * F;
  const os = <usize>OC * F;
  if (dinp) {
    let b = 0;
    for (; b + 2 <= B; b += 2) accumulateRowPair(dinp + <usize>b * rs, dinp + <usize>(b + 1) * rs, weight, rs, dout + <usize>b * os, dout + <usize>(b + 1) * os, F, OC, C);
    if (b < B) accumulateColumns(dinp + <usize>b * rs, weight, rs, dout + <usize>b * os, F, OC, 0, C);
  }
  if (dweight) {
    let o = 0;
    for (; o + 2 <= OC; o += 2) accumulateRowPair(dweight + <usize>o * rs, dweight + <usize>(o + 1) * rs, inp, rs, dout + (<usize>o << 2), dout + (<usize>(o + 1) << 2), os, B, C);
    if (o < OC) accumulateColumns(dweight + <usize>o * rs, inp, rs, dout + (<usize>o << 2), os, B, 0, C);
  }
  if (dbias) {
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < OC; o++) {
        const p = dbias + (<usize>o << 2);
        store<f32>(p, load<f32>(p) + load<f32>(dout + <usize>b * os + (<usize>o << 2)));
      }
    }
  }
}
