// NT-Xent's row kernels, the shares the pool's threads take (assembly/pool.ts splits them):
// softmax rows of the similarity matrix with their loss terms, and rows of the symmetrised gradient.
// They sit below the pool, which posts them as jobs; the objectives above it (assembly/contrastive.ts)
// call them through the pool's splits.

// exp(x) in f32 (Cephes expf: x = n ln2 + r, a degree-7 polynomial in r, then 2^n through the
// exponent bits); relative error about 2e-7. The scalar and SIMD forms do the same operations.
const EXP_HI: f32 = 88.3762626647949, EXP_LO: f32 = -87.3365447505531;
const LOG2E: f32 = 1.44269504088896341, LN2_HI: f32 = 0.693359375, LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4, P1: f32 = 1.3981999507e-3, P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2, P4: f32 = 1.6666665459e-1, P5: f32 = 5.0000001201e-1;
const EXP_BIAS: f32 = 8388735; // 2^23 + 127

// @ts-ignore: decorator
@inline function expf(v: f32): f32 {
  const x0 = min(max(v, EXP_LO), EXP_HI);
  const n = Mathf.floor(x0 * LOG2E + 0.5);
  const x = x0 - n * LN2_HI - n * LN2_LO;
  const y = ((((((P0 * x + P1) * x + P2) * x + P3) * x + P4) * x + P5) * (x * x) + x) + 1;
  return y * reinterpret<f32>((<i32>n + 127) << 23);
}

// The clamp takes pmin/pmax (one instruction each on x86, where min/max are a sequence that orders
// signed zeros and NaNs): against constants neither of them, with v first, they give min/max's bits,
// a NaN included. The exponent bits take n + 2^23 + 127 (exact: n is an integer in [-126, 128]), whose
// low mantissa bits are n + 127, shifted into place: trunc_sat's bits, without its saturation sequence.
// @ts-ignore: decorator
@inline function expf4(v: v128): v128 {
  const x0 = f32x4.pmin(f32x4.pmax(v, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x0, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  const x = f32x4.sub(f32x4.sub(x0, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let y = f32x4.add(f32x4.mul(f32x4.splat(P0), x), f32x4.splat(P1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P4));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P5));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(x, x)), x), f32x4.splat(1));
  const scale = i32x4.shl(f32x4.add(n, f32x4.splat(EXP_BIAS)), 23);
  return f32x4.mul(y, scale);
}

// row[0..N) = exp((row - mx) * c); returns their sum (f32)
function expShiftSum(row: usize, N: i32, mx: f32, c: f32): f32 {
  let j = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(mx), vc = f32x4.splat(c);
    let acc = f32x4.splat(0);
    for (; j + 4 <= N; j += 4) {
      const p = row + (<usize>j << 2);
      const e = expf4(f32x4.mul(f32x4.sub(v128.load(p), vm), vc));
      v128.store(p, e);
      acc = f32x4.add(acc, e);
    }
    s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  }
  for (; j < N; j++) {
    const p = row + (<usize>j << 2);
    const e = expf((load<f32>(p) - mx) * c);
    store<f32>(p, e);
    s += e;
  }
  return s;
}

// max of row[0..N) (finite values: the same whatever the order)
function rowMax(row: usize, N: i32): f32 {
  let j = 0;
  let mx = -F32.MAX_VALUE;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(-F32.MAX_VALUE);
    // pmax (one instruction): max's value on finite inputs but for a zero's sign, which no result
    // depends on (mx shifts the exps' arguments, exp(±0) = 1, and enters the loss as mx - sp); a NaN
    // it drops still makes the row's sum, and so every probability and the loss, NaN.
    for (; j + 4 <= N; j += 4) acc = f32x4.pmax(acc, v128.load(row + (<usize>j << 2)));
    mx = max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  }
  for (; j < N; j++) mx = max(mx, load<f32>(row + (<usize>j << 2)));
  return mx;
}

// row[0..N) *= c
function scaleRow(row: usize, N: i32, c: f32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const vc = f32x4.splat(c);
    for (; j + 4 <= N; j += 4) {
      const p = row + (<usize>j << 2);
      v128.store(p, f32x4.mul(v128.load(p), vc));
    }
  }
  for (; j < N; j++) {
    const p = row + (<usize>j << 2);
    store<f32>(p, load<f32>(p) * c);
  }
}

// Rows [i0, i1) of NT-Xent's softmax, sim (2B,2B) holding z zᵀ: each row becomes the softmax over
// j != i of sim[i][j] / tau (zero on the diagonal), and row i's loss term, -log of its probability
// at the positive, goes to terms[i] (f64). Rows are independent: threads split them (assembly/pool.ts).
export function ntxentRows(sim: usize, terms: usize, B: i32, tau: f32, i0: i32, i1: i32): void {
  const N = 2 * B;
  const inv: f32 = 1 / tau;
  for (let i = i0; i < i1; i++) {
    const row = sim + (<usize>i * <usize>N << 2);
    const diag = row + (<usize>i << 2);
    const pos = i < B ? i + B : i - B;
    const sp = load<f32>(row + (<usize>pos << 2));
    // The diagonal is no candidate: pushed to the bottom, its exp underflows to 0 and is then zeroed exactly.
    store<f32>(diag, -F32.MAX_VALUE);
    const mx = rowMax(row, N);
    const sum = expShiftSum(row, N, mx, inv) - load<f32>(diag);
    store<f32>(diag, 0);
    store<f64>(terms + (<usize>i << 3), <f64>(mx - sp) * <f64>inv + Math.log(<f64>sum));
    scaleRow(row, N, 1 / sum);
  }
}

// Side of the tiles in which ntxentBackward symmetrises its N x N gradient (16 floats: a cache
// line), so the strided walk stays within a few lines.
const SYM_TILE = 16;

// sim[i][j] = sim[j][i] = c (sim[i][j] + sim[j][i]) for rows i in [i0, i1), i < rows, and j > i: in
// tiles (SYM_TILE) so that the strided side stays within a few cache lines. Ranges of rows write
// disjoint pairs (each pair i < j belongs to row i alone), so threads split them.
export function symmetrizeRows(sim: usize, N: i32, rows: i32, c: f32, i0: i32, i1: i32): void {
  const end = min(i1, rows);
  for (let ib = i0; ib < end; ib += SYM_TILE) {
    for (let jb = ib; jb < N; jb += SYM_TILE) {
      for (let i = ib; i < min(ib + SYM_TILE, end); i++) {
        for (let j = max(jb, i + 1); j < min(jb + SYM_TILE, N); j++) {
          const a = sim + (<usize>(i * N + j) << 2), b = sim + (<usize>(j * N + i) << 2);
          const v = c * (load<f32>(a) + load<f32>(b));
          store<f32>(a, v);
          store<f32>(b, v);
        }
      }
    }
  }
}
