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

// y[0..C) += alpha * x[0..C)
function axpy(y: usize, x: usize, alpha: f32, C: i32): void {
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    const C4 = C & ~3;
    const va = f32x4.splat(alpha);
    for (; c < C4; c += 4) {
      const off = <usize>c << 2;
      v128.store(y + off, f32x4.add(v128.load(y + off), f32x4.mul(va, v128.load(x + off))));
    }
  }
  for (; c < C; c++) {
    const off = <usize>c << 2;
    store<f32>(y + off, load<f32>(y + off) + alpha * load<f32>(x + off));
  }
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

// dout is (B,OC), inp is (B,C), weight is (OC,C); accumulates dinp (B,C), dweight (OC,C), dbias (OC).
// A zero pointer skips that gradient (attacks need only dinp). Zero entries of dout are skipped:
// thresholded activations make most of them zero, so this is where sparsity pays.
export function matmulBackward(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize, B: i32, C: i32, OC: i32): void {
  const rs = <usize>C * F;
  for (let b = 0; b < B; b++) {
    const drow = dout + <usize>b * <usize>OC * F;
    const xrow = inp + <usize>b * rs;
    const dxrow = dinp + <usize>b * rs;
    for (let o = 0; o < OC; o++) {
      const g = load<f32>(drow + (<usize>o << 2));
      if (g == 0) continue;
      if (dinp) axpy(dxrow, weight + <usize>o * rs, g, C);
      if (dweight) axpy(dweight + <usize>o * rs, xrow, g, C);
      if (dbias) {
        const p = dbias + (<usize>o << 2);
        store<f32>(p, load<f32>(p) + g);
      }
    }
  }
}
