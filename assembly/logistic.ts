// The Hessian of the downstream head's Newton solve (src/train/logisticRegression.ts), in f64: the
// TypeScript hessianUpper there, operation for operation, so the fit keeps its bits. The SIMD builds
// put the columns of its 4-column blocks in the lanes of two f64x2 vectors (each lane still one
// sequential sum over the samples) and dotn's four partial sums in two more.

// a[0..n) · b[0..n) as dotn adds it: four partial sums over i mod 4, the tail into the first, then
// s0 + s1 + (s2 + s3).
function dotn(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    for (; i + 3 < n; i += 4) {
      const off = <usize>i << 3;
      lo = f64x2.add(lo, f64x2.mul(v128.load(a + off), v128.load(b + off)));
      hi = f64x2.add(hi, f64x2.mul(v128.load(a + off, 16), v128.load(b + off, 16)));
    }
    s0 = f64x2.extract_lane(lo, 0); s1 = f64x2.extract_lane(lo, 1);
    s2 = f64x2.extract_lane(hi, 0); s3 = f64x2.extract_lane(hi, 1);
  } else {
    for (; i + 3 < n; i += 4) {
      const off = <usize>i << 3;
      s0 += load<f64>(a + off) * load<f64>(b + off);
      s1 += load<f64>(a + off, 8) * load<f64>(b + off, 8);
      s2 += load<f64>(a + off, 16) * load<f64>(b + off, 16);
      s3 += load<f64>(a + off, 24) * load<f64>(b + off, 24);
    }
  }
  for (; i < n; i++) s0 += load<f64>(a + (<usize>i << 3)) * load<f64>(b + (<usize>i << 3));
  return s0 + s1 + (s2 + s3);
}

// u[0..n) = v[0..n) * s[0..n)
function weighted(u: usize, v: usize, s: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f64>(u + (<usize>i << 3), load<f64>(v + (<usize>i << 3)) * load<f64>(s + (<usize>i << 3)));
}

// Upper triangle of H (p,p) = S diag(v) Sᵀ / n for S (p,n), with st = Sᵀ (n,p); u0, u1 are (n)
// scratch. Rows in pairs, columns in fours (a row pair's 4 x 2 block summed over the samples at once).
export function hessianUpper(S: usize, st: usize, v: usize, n: i32, p: i32, H: usize, u0: usize, u1: usize): void {
  const inv: f64 = 1 / <f64>n;
  const rs = <usize>n << 3, ps = <usize>p << 3;
  let a = 0;
  for (; a + 1 < p; a += 2) {
    weighted(u0, v, S + <usize>a * rs, n);
    weighted(u1, v, S + <usize>(a + 1) * rs, n);
    const h0 = H + <usize>a * ps, h1 = h0 + ps;
    store<f64>(h0 + (<usize>a << 3), dotn(S + <usize>a * rs, u0, n) * inv);
    let b = a + 1;
    if (ASC_FEATURE_SIMD) {
      const vinv = f64x2.splat(inv);
      for (; b + 3 < p; b += 4) {
        let x01 = f64x2.splat(0), x23 = f64x2.splat(0), y01 = f64x2.splat(0), y23 = f64x2.splat(0);
        let c = st + (<usize>b << 3);
        for (let i = 0; i < n; i++, c += ps) {
          const off = <usize>i << 3;
          const p0 = f64x2.splat(load<f64>(u0 + off)), p1 = f64x2.splat(load<f64>(u1 + off));
          const c01 = v128.load(c), c23 = v128.load(c, 16);
          x01 = f64x2.add(x01, f64x2.mul(p0, c01));
          x23 = f64x2.add(x23, f64x2.mul(p0, c23));
          y01 = f64x2.add(y01, f64x2.mul(p1, c01));
          y23 = f64x2.add(y23, f64x2.mul(p1, c23));
        }
        const o = <usize>b << 3;
        v128.store(h0 + o, f64x2.mul(x01, vinv));
        v128.store(h0 + o, f64x2.mul(x23, vinv), 16);
        v128.store(h1 + o, f64x2.mul(y01, vinv));
        v128.store(h1 + o, f64x2.mul(y23, vinv), 16);
      }
    } else {
      for (; b + 3 < p; b += 4) {
        let x0: f64 = 0, x1: f64 = 0, x2: f64 = 0, x3: f64 = 0, y0: f64 = 0, y1: f64 = 0, y2: f64 = 0, y3: f64 = 0;
        let c = st + (<usize>b << 3);
        for (let i = 0; i < n; i++, c += ps) {
          const p0 = load<f64>(u0 + (<usize>i << 3)), p1 = load<f64>(u1 + (<usize>i << 3));
          const c0 = load<f64>(c), c1 = load<f64>(c, 8), c2 = load<f64>(c, 16), c3 = load<f64>(c, 24);
          x0 += p0 * c0; x1 += p0 * c1; x2 += p0 * c2; x3 += p0 * c3;
          y0 += p1 * c0; y1 += p1 * c1; y2 += p1 * c2; y3 += p1 * c3;
        }
        const o = <usize>b << 3;
        store<f64>(h0 + o, x0 * inv); store<f64>(h0 + o, x1 * inv, 8); store<f64>(h0 + o, x2 * inv, 16); store<f64>(h0 + o, x3 * inv, 24);
        store<f64>(h1 + o, y0 * inv); store<f64>(h1 + o, y1 * inv, 8); store<f64>(h1 + o, y2 * inv, 16); store<f64>(h1 + o, y3 * inv, 24);
      }
    }
    for (; b < p; b++) {
      store<f64>(h0 + (<usize>b << 3), dotn(S + <usize>b * rs, u0, n) * inv);
      store<f64>(h1 + (<usize>b << 3), dotn(S + <usize>b * rs, u1, n) * inv);
    }
  }
  if (a < p) {
    weighted(u0, v, S + <usize>a * rs, n);
    store<f64>(H + <usize>a * ps + (<usize>a << 3), dotn(S + <usize>a * rs, u0, n) * inv);
  }
}
