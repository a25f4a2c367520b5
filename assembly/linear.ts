// Dense layers. Every matrix is row-major f32; pointers are byte offsets into the caller's arena.
// One source, three builds: scalar (no flags), SIMD (`--enable simd`) and relaxed SIMD (also
// `relaxed-simd`, where madd below becomes one fused f32x4.relaxed_madd).
import { madd, hsum, hsum4 } from "./simd";

const F = 4; // bytes per f32
// Weight rows per cache block of the forward pass: about 512 KiB of weights, packed, so a block stays
// in L2 (2 MiB here) while every input row streams past it. Each block packs the input rows again,
// so larger blocks pack less: 512 KiB beat 128 and 256 at d = 1000 (docs/speed.md).
const BLOCK_BYTES = 524288;

// dot(a[from..C), b[from..C))
// @ts-ignore: decorator
@inline function dotScalar(a: usize, b: usize, from: i32, C: i32): f32 {
  let s: f32 = 0;
  for (let c = from; c < C; c++) s += load<f32>(a + (<usize>c << 2)) * load<f32>(b + (<usize>c << 2));
  return s;
}

function dot(a: usize, b: usize, C: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    const C4 = C & ~3;
    let acc = f32x4.splat(0);
    for (let c = 0; c < C4; c += 4) {
      const off = <usize>c << 2;
      acc = madd(v128.load(a + off), v128.load(b + off), acc);
    }
    return hsum(acc) + dotScalar(a, b, C4, C);
  }
  return dotScalar(a, b, 0, C);
}

// 4 input rows x 2 weight rows: 8 accumulators, 6 loads per 8 multiply-adds. Wider tiles (6x2, 4x3,
// 3x3) measured no faster here: V8 keeps 15 of the 16 XMM registers for values, and 4x3 spills.
// The operands come packed (packRows): xp holds the 4 rows' columns [0, C4) interleaved 4 floats at
// a time, wp the 2 weight rows' the same way, so every load is a pointer plus a constant and the
// loop has two pointer increments; from the rows in place, V8 spends an address add per load and the
// loop is bound by issue, not by the multiply-adds (1.1-1.2x when the core is short of issue slots,
// as in this VM's slow spells; docs/speed.md). The sums, lane by lane and in order, are those of the
// rows in place: packing moves data, not arithmetic.
// @ts-ignore: decorator
@inline function tile4x2(out: usize, os: usize, xp: usize, wp: usize, x0: usize, rs: usize, w0: usize, C: i32, bias0: f32, bias1: f32): void {
  const x1 = x0 + rs, x2 = x1 + rs, x3 = x2 + rs, w1 = w0 + rs;
  const C4 = C & ~3;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  const wEnd = wp + (<usize>C4 << 3);
  for (let w = wp, x = xp; w < wEnd; w += 32, x += 64) {
    const v0 = v128.load(w), v1 = v128.load(w, 16);
    let u = v128.load(x);
    a00 = madd(u, v0, a00); a01 = madd(u, v1, a01);
    u = v128.load(x, 16);
    a10 = madd(u, v0, a10); a11 = madd(u, v1, a11);
    u = v128.load(x, 32);
    a20 = madd(u, v0, a20); a21 = madd(u, v1, a21);
    u = v128.load(x, 48);
    a30 = madd(u, v0, a30); a31 = madd(u, v1, a31);
  }
  // Outputs (row, weight row) (0,0) (0,1) (1,0) (1,1), then rows 2 and 3: each row's pair is adjacent
  // in out. Per output (sum of the lanes + scalar tail) + bias, as dot() would add them.
  const bias = v128.shuffle<f32>(f32x4.splat(bias0), f32x4.splat(bias1), 0, 4, 0, 4);
  let s01 = hsum4(a00, a01, a10, a11), s23 = hsum4(a20, a21, a30, a31);
  s01 = f32x4.add(s01, tails(x0, x1, w0, w1, C4, C));
  s23 = f32x4.add(s23, tails(x2, x3, w0, w1, C4, C));
  s01 = f32x4.add(s01, bias);
  s23 = f32x4.add(s23, bias);
  v128.store64_lane(out, s01, 0);
  v128.store64_lane(out + os, s01, 1);
  v128.store64_lane(out + 2 * os, s23, 0);
  v128.store64_lane(out + 3 * os, s23, 1);
}

// The scalar tails [xa·w0, xa·w1, xb·w0, xb·w1] over columns [C4, C) (zeros when C4 = C).
// @ts-ignore: decorator
@inline function tails(xa: usize, xb: usize, w0: usize, w1: usize, C4: i32, C: i32): v128 {
  let t = f32x4.splat(0);
  if (C4 < C) {
    t = f32x4.replace_lane(t, 0, dotScalar(xa, w0, C4, C));
    t = f32x4.replace_lane(t, 1, dotScalar(xa, w1, C4, C));
    t = f32x4.replace_lane(t, 2, dotScalar(xb, w0, C4, C));
    t = f32x4.replace_lane(t, 3, dotScalar(xb, w1, C4, C));
  }
  return t;
}

// dst = rows (n of them, rs bytes apart, from src) interleaved over columns [0, C4): 4 floats of
// row 0, of row 1, ..., then the next 4 of row 0. n rows take n * C4 floats.
function packRows(dst: usize, src: usize, rs: usize, n: i32, C4: i32): void {
  const end = <usize>C4 << 2;
  for (let c: usize = 0; c < end; c += 16) {
    for (let r = 0; r < n; r++) {
      v128.store(dst, v128.load(src + <usize>r * rs + c));
      dst += 16;
    }
  }
}

// @ts-ignore: decorator
@inline function biasAt(bias: usize, o: i32): f32 {
  return bias ? load<f32>(bias + (<usize>o << 2)) : 0;
}

// Outputs (0..4, o..o1) of a forward product in 4 rows of out (os bytes apart) from 4 input rows x0
// (rs bytes apart): 4x2 tiles on the block's packed weight pairs (packed: rows ob.. of weight, so
// o - ob is even), then the odd weight row by dot(), which adds the same way.
// @ts-ignore: decorator
@inline function rowBlock4(r: usize, os: usize, x0: usize, rs: usize, weight: usize, packed: usize, ob: i32, bias: usize, o: i32, o1: i32, C: i32): void {
  const C4 = C & ~3;
  const xp = packArea();
  packRows(xp, x0, rs, 4, C4);
  for (; o + 2 <= o1; o += 2) {
    const wp = packed + (<usize>(o - ob) * <usize>C4 << 2);
    tile4x2(r + (<usize>o << 2), os, xp, wp, x0, rs, weight + <usize>o * rs, C, biasAt(bias, o), biasAt(bias, o + 1));
  }
  for (; o < o1; o++) {
    const w0 = weight + <usize>o * rs;
    const bias0 = biasAt(bias, o);
    const r0 = r + (<usize>o << 2);
    store<f32>(r0, dot(x0, w0, C) + bias0);
    store<f32>(r0 + os, dot(x0 + rs, w0, C) + bias0);
    store<f32>(r0 + 2 * os, dot(x0 + 2 * rs, w0, C) + bias0);
    store<f32>(r0 + 3 * os, dot(x0 + 3 * rs, w0, C) + bias0);
  }
}

// Outputs o..o1 of one row r of a forward product, input row x0: one dot() each.
// @ts-ignore: decorator
@inline function rowDots(r: usize, x0: usize, rs: usize, weight: usize, bias: usize, o: i32, o1: i32, C: i32): void {
  for (; o < o1; o++) store<f32>(r + (<usize>o << 2), dot(x0, weight + <usize>o * rs, C) + biasAt(bias, o));
}

// Weight rows per cache block for rows of rs bytes: even, so that the block's pairs stay aligned.
// @ts-ignore: decorator
@inline function blockRows(rs: usize): i32 {
  return max<i32>(2, (BLOCK_BYTES / <i32>rs) & ~1);
}

// Weight rows [o0, o1) packed in pairs into the scratch's block area (an odd last row is left to dot()).
// @ts-ignore: decorator
@inline function packBlock(weight: usize, rs: usize, o0: i32, o1: i32, C4: i32): usize {
  const wp = blockArea();
  for (let o = o0; o + 2 <= o1; o += 2) packRows(wp + (<usize>(o - o0) * <usize>C4 << 2), weight + <usize>o * rs, rs, 2, C4);
  return wp;
}

// out is (B,OC), inp is (B,C), weight is (OC,C), bias is (OC) or 0: out = inp · weightᵀ + bias
export function matmulForward(out: usize, inp: usize, weight: usize, bias: usize, B: i32, C: i32, OC: i32): void {
  const rs = <usize>C * F; // row stride of inp and weight
  const os = <usize>OC * F;
  let b = 0;
  if (ASC_FEATURE_SIMD && packing && C <= PACK_MAX_C) {
    // Cache blocking: all input rows meet one block of weight rows before the next block is read.
    const NB = blockRows(rs);
    const B4 = B & ~3;
    for (let o0 = 0; o0 < OC && B4 > 0; o0 += NB) {
      const o1 = min(OC, o0 + NB);
      const wp = packBlock(weight, rs, o0, o1, C & ~3);
      for (b = 0; b < B4; b += 4) {
        rowBlock4(out + <usize>b * os, os, inp + <usize>b * rs, rs, weight, wp, o0, bias, o0, o1, C);
      }
    }
    b = B4;
  }
  for (; b < B; b++) rowDots(out + <usize>b * os, inp + <usize>b * rs, rs, weight, bias, 0, OC, C);
}

// dout is (B,OC), inp is (B,C), weight is (OC,C); accumulates dinp (B,C) += dout · weight,
// dweight (OC,C) += doutᵀ · inp and dbias (OC) += column sums of dout. A zero pointer skips that
// gradient (attacks need only dinp).
export function matmulBackward(dinp: usize, dweight: usize, dbias: usize, dout: usize, inp: usize, weight: usize, B: i32, C: i32, OC: i32): void {
  const rs = <usize>C * F;
  const os = <usize>OC * F;
  // Rows of dinp take rows of dout as coefficients; rows of dweight take columns of dout.
  if (dinp) accumulateRows(dinp, rs, dout, os, F, weight, rs, B, OC, C);
  if (dweight) accumulateRows(dweight, rs, dout, F, os, inp, rs, OC, B, C);
  if (dbias) {
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < OC; o++) {
        const p = dbias + (<usize>o << 2);
        store<f32>(p, load<f32>(p) + load<f32>(dout + <usize>b * os + (<usize>o << 2)));
      }
    }
  }
}

// Rows [r0, r1) of the Gram matrix out (N,N) = z zᵀ, z (N,m), the half that gramMirrorRows does not
// fill: in a block of 4 rows starting at b, the columns from b on; rows past the last whole block,
// every column. r0 is a multiple of 4 and r1 one too or N. The outputs it computes are matmulForward's
// bits (the same tiles; a product's factors commute), and so are the mirrored ones: z_i·z_j and
// z_j·z_i add the same products in the same order.
export function gramRows(out: usize, z: usize, N: i32, m: i32, r0: i32, r1: i32): void {
  const rs = <usize>m * F;
  const os = <usize>N * F;
  let b = r0;
  if (ASC_FEATURE_SIMD && packing && m <= PACK_MAX_C) {
    const NB = blockRows(rs);
    const end = min(r1, N & ~3);
    for (let o0 = r0; o0 < N && r0 < end; o0 += NB) {
      const o1 = min(N, o0 + NB);
      const wp = packBlock(z, rs, o0, o1, m & ~3);
      for (b = r0; b < end && b < o1; b += 4) rowBlock4(out + <usize>b * os, os, z + <usize>b * rs, rs, z, wp, o0, 0, max(o0, b), o1, m);
    }
    b = max(r0, end);
  }
  for (; b < r1; b++) rowDots(out + <usize>b * os, z + <usize>b * rs, rs, z, 0, 0, N, m);
}

// The other half of gramRows' output: out[i][j] = out[j][i] left of each whole 4-row block's start,
// for rows [i0, i1) (the mirror reads only what it never writes, so threads split rows), in 16 x 16
// tiles so that the strided side stays within a few cache lines.
export function gramMirrorRows(out: usize, N: i32, i0: i32, i1: i32): void {
  const end = min(i1, N & ~3);
  for (let ib = i0; ib < end; ib += TRANSPOSE_TILE)
    for (let jb = 0; jb < ib + TRANSPOSE_TILE && jb < end; jb += TRANSPOSE_TILE)
      for (let i = ib; i < min(ib + TRANSPOSE_TILE, end); i++)
        for (let j = jb; j < min(jb + TRANSPOSE_TILE, i & ~3); j++)
          store<f32>(out + (<usize>(i * N + j) << 2), load<f32>(out + (<usize>(j * N + i) << 2)));
}

// dst[0..C) += sum_i coef_i * row_i over a list of n (row byte offset, coef) entries (see sparseList).
// 16 columns (4 accumulators) at a time: one load per multiply-add, and the coefficient splat and
// the list entry are shared by four of them. 32 columns measured no faster.
function gatherRows(dst: usize, list: usize, n: i32, C: i32): void {
  const cb = <usize>C << 2;
  let c: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 64 <= cb; c += 64) {
      const p = dst + c;
      let a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48);
      for (let i = 0; i < n; i++) {
        const e = list + (<usize>i << 3);
        const s = <usize>load<u32>(e) + c;
        const g = f32x4.splat(load<f32>(e, 4));
        a0 = madd(g, v128.load(s), a0); a1 = madd(g, v128.load(s, 16), a1);
        a2 = madd(g, v128.load(s, 32), a2); a3 = madd(g, v128.load(s, 48), a3);
      }
      v128.store(p, a0); v128.store(p, a1, 16); v128.store(p, a2, 32); v128.store(p, a3, 48);
    }
    for (; c + 16 <= cb; c += 16) {
      const p = dst + c;
      let a0 = v128.load(p);
      for (let i = 0; i < n; i++) {
        const e = list + (<usize>i << 3);
        a0 = madd(f32x4.splat(load<f32>(e, 4)), v128.load(<usize>load<u32>(e) + c), a0);
      }
      v128.store(p, a0);
    }
  }
  for (; c < cb; c += 4) {
    let a = load<f32>(dst + c);
    for (let i = 0; i < n; i++) {
      const e = list + (<usize>i << 3);
      a += load<f32>(e, 4) * load<f32>(<usize>load<u32>(e) + c);
    }
    store<f32>(dst + c, a);
  }
}

// Non-zero coefficients are listed in blocks of this many entries (8 bytes each).
const SPARSE_BLOCK = 256;
// The forward products pack their operands (tile4x2) for rows of up to this many columns (every
// input dimension the configuration allows, and widths up to it); wider rows take dot() per output,
// the same bits.
const PACK_MAX_C = 16384;
// Per-instance scratch: the sparse list, then the forward product's 4 packed input rows, then its
// packed block of weight rows (blockRows: at most BLOCK_BYTES for rows of up to PACK_MAX_C floats).
const PANEL_AT = SPARSE_BLOCK * 8;
const BLOCK_AT = PANEL_AT + 16 * PACK_MAX_C;
const SCRATCH_BYTES = ASC_FEATURE_SIMD ? BLOCK_AT + BLOCK_BYTES : PANEL_AT; // (the scalar build packs nothing)
// Until the caller gives this instance a block of scratchBytes() (setScratch; the engine does for
// every instance, each thread its own, since every instance sees the same static data), a static
// block for the sparse list alone, and forward products go without packing (the same bits, slower).
let scratch: usize = memory.data(PANEL_AT, 16);
let packing = false;

// Gives this instance its block of scratchBytes() at ptr (the sparse lists of matmulBackward, the
// packed operands of the forward products).
export function setScratch(ptr: usize): void {
  scratch = ptr;
  packing = true;
}

// Where the scratch of this instance is.
export function scratchPtr(): usize {
  return scratch;
}

// The size of the block setScratch takes.
export function scratchBytes(): i32 {
  return SCRATCH_BYTES;
}

// @ts-ignore: decorator
@inline function packArea(): usize {
  return scratch + PANEL_AT;
}

// @ts-ignore: decorator
@inline function blockArea(): usize {
  return scratch + BLOCK_AT;
}

// Lists the non-zero g[k*gStride], k < K <= SPARSE_BLOCK, in the scratch as (byte offset of
// src + k*srcStride, g) pairs; returns their count. Written without branches: a zero entry is
// stored and then overwritten by the next, which costs less than a mispredicted branch.
function sparseList(src: usize, srcStride: usize, g: usize, gStride: usize, K: i32): i32 {
  let e = scratch;
  // g and src advance by pointer: V8 keeps the multiplies of an indexed form in the loop.
  const gEnd = g + <usize>K * gStride;
  for (; g < gEnd; g += gStride, src += srcStride) {
    const gk = load<f32>(g);
    store<u32>(e, <u32>src);
    store<f32>(e, gk, 4);
    e += <usize>(gk != 0) << 3;
  }
  return <i32>((e - scratch) >> 3);
}

// dst[0..C) += sum_k g[k*gStride] * src[k*srcStride + (0..C)] for k < K. Only the non-zero
// coefficients are visited: thresholded activations make most of dpre zero, and adversarially
// trained (purified) neurons fire rarely, so this is where the sparsity of the problem pays.
// The non-zeros are listed block by block first, so the inner loop has no branches.
function accumulateSparse(dst: usize, src: usize, srcStride: usize, g: usize, gStride: usize, K: i32, C: i32): void {
  for (let k0 = 0; k0 < K; k0 += SPARSE_BLOCK) {
    const n = sparseList(src + <usize>k0 * srcStride, srcStride, g + <usize>k0 * gStride, gStride, min(SPARSE_BLOCK, K - k0));
    if (n > 0) gatherRows(dst, scratch, n, C);
  }
}

// Four rows of a product accumulated densely, every coefficient visited (zeros too):
// dst[r*ds + (0..C)] += sum_k g[k*gs + 4r] * src[k*ss + (0..C)], r < 4, k < K: the four rows'
// coefficients for one k are 4 adjacent floats (columns of dout as they are; rows of dout transposed
// by coefs4), so their broadcasts are one pointer plus a constant, like the forward tile's loads.
// 4 rows x 8 columns per tile, 8 accumulators, 2 loads and 4 broadcasts per 8 multiply-adds, no
// horizontal sums. Each column adds the same terms in the same order (k ascending, vector lanes
// where gatherRows has them, scalar where it has scalars) as accumulateSparse; the zero terms it adds
// as well leave a sum unchanged (a sum of non-zero terms is never -0), so both give the same bits and
// matmulBackward picks either by density.
function denseTile4(dst: usize, ds: usize, g: usize, gs: usize, src: usize, ss: usize, K: i32, C: i32): void {
  const d0 = dst, d1 = d0 + ds, d2 = d1 + ds, d3 = d2 + ds;
  const cb = <usize>C << 2;
  let c: usize = 0;
  for (; c + 32 <= cb; c += 32) {
    let a00 = v128.load(d0 + c), a01 = v128.load(d0 + c, 16), a10 = v128.load(d1 + c), a11 = v128.load(d1 + c, 16);
    let a20 = v128.load(d2 + c), a21 = v128.load(d2 + c, 16), a30 = v128.load(d3 + c), a31 = v128.load(d3 + c, 16);
    // Pointers step through k (no multiplies in the loop).
    let w = src + c, gk = g;
    const wEnd = w + <usize>K * ss;
    for (; w < wEnd; w += ss, gk += gs) {
      const w0 = v128.load(w), w1 = v128.load(w, 16);
      let u = v128.load32_splat(gk);
      a00 = madd(u, w0, a00); a01 = madd(u, w1, a01);
      u = v128.load32_splat(gk, 4);
      a10 = madd(u, w0, a10); a11 = madd(u, w1, a11);
      u = v128.load32_splat(gk, 8);
      a20 = madd(u, w0, a20); a21 = madd(u, w1, a21);
      u = v128.load32_splat(gk, 12);
      a30 = madd(u, w0, a30); a31 = madd(u, w1, a31);
    }
    v128.store(d0 + c, a00); v128.store(d0 + c, a01, 16); v128.store(d1 + c, a10); v128.store(d1 + c, a11, 16);
    v128.store(d2 + c, a20); v128.store(d2 + c, a21, 16); v128.store(d3 + c, a30); v128.store(d3 + c, a31, 16);
  }
  for (; c + 16 <= cb; c += 16) {
    let a0 = v128.load(d0 + c), a1 = v128.load(d1 + c), a2 = v128.load(d2 + c), a3 = v128.load(d3 + c);
    let gk = g;
    const wEnd = src + c + <usize>K * ss;
    for (let w = src + c; w < wEnd; w += ss, gk += gs) {
      const w0 = v128.load(w);
      a0 = madd(v128.load32_splat(gk), w0, a0);
      a1 = madd(v128.load32_splat(gk, 4), w0, a1);
      a2 = madd(v128.load32_splat(gk, 8), w0, a2);
      a3 = madd(v128.load32_splat(gk, 12), w0, a3);
    }
    v128.store(d0 + c, a0); v128.store(d1 + c, a1); v128.store(d2 + c, a2); v128.store(d3 + c, a3);
  }
  for (; c < cb; c += 4) {
    for (let r = 0; r < 4; r++) {
      const p = d0 + <usize>r * ds + c;
      let a = load<f32>(p);
      for (let k = 0; k < K; k++) a += load<f32>(g + <usize>k * gs + (<usize>r << 2)) * load<f32>(src + <usize>k * ss + c);
      store<f32>(p, a);
    }
  }
}

// dst (K,4) = the 4 rows of K floats at src (rs bytes apart), transposed: 4x4 blocks by shuffles.
function coefs4(dst: usize, src: usize, rs: usize, K: i32): void {
  const K4 = K & ~3;
  for (let k = 0; k < K4; k += 4) {
    const o = <usize>k << 2;
    const r0 = v128.load(src + o), r1 = v128.load(src + rs + o), r2 = v128.load(src + 2 * rs + o), r3 = v128.load(src + 3 * rs + o);
    const t01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
    const u01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), u23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    const p = dst + (<usize>k << 4);
    v128.store(p, v128.shuffle<f32>(t01, t23, 0, 1, 4, 5));
    v128.store(p, v128.shuffle<f32>(t01, t23, 2, 3, 6, 7), 16);
    v128.store(p, v128.shuffle<f32>(u01, u23, 0, 1, 4, 5), 32);
    v128.store(p, v128.shuffle<f32>(u01, u23, 2, 3, 6, 7), 48);
  }
  for (let k = K4; k < K; k++) {
    for (let r = 0; r < 4; r++) store<f32>(dst + (<usize>k << 4) + (<usize>r << 2), load<f32>(src + <usize>r * rs + (<usize>k << 2)));
  }
}

// When four rows take the dense path: at least this share of their coefficients non-zero, and an
// operand small enough to stay in L2 (the dense tile reads all of it once per 8-column strip).
// Measured break-even on the experiments' shape; past the size, the sparse path won at every
// density (docs/speed.md).
const DENSE_SHARE: f32 = 0.5;
const DENSE_MAX_SRC_BYTES: usize = 262144;

// Non-zeros among n groups of 4 floats, `stride` bytes apart, from p
function countNonZero4(p: usize, stride: usize, n: i32): i32 {
  let acc = i32x4.splat(0);
  // f32x4.ne gives -1 per non-zero lane
  const end = p + <usize>n * stride;
  for (; p < end; p += stride) acc = i32x4.sub(acc, f32x4.ne(v128.load(p), f32x4.splat(0)));
  return i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
}

// N rows of C floats, `ds` bytes apart, at dst += coefficients x src (K rows, ss bytes apart), row r's
// coefficients at coef + r*rowStride + k*kStride: dense tiles of 4 rows where they pay (above),
// sparse lists row by row elsewhere. Rows may be column ranges of wider matrices (threads). The
// coefficients are a row-major matrix read one of two ways: by columns (rowStride 4: dweight) or
// by whole rows (kStride 4, rowStride 4K: dinp); the density count relies on it. matmulBackward's
// gradients are calls of it; the contrastive backward splits its weight gradient by rows of it
// across the pool.
export function accumulateRows(dst: usize, ds: usize, coef: usize, rowStride: usize, kStride: usize, src: usize, ss: usize, N: i32, K: i32, C: i32): void {
  let r = 0;
  // Read by whole rows, the dense tiles need the coefficients transposed into the scratch.
  const byColumns = rowStride == 4;
  if (ASC_FEATURE_SIMD && <usize>K * ss <= DENSE_MAX_SRC_BYTES && (byColumns || (packing && K <= PACK_MAX_C))) {
    const denseFrom = <i32>(DENSE_SHARE * <f32>(K << 2));
    // Read by columns, four rows' coefficients for one k are 4 adjacent floats; read by whole rows,
    // the four rows are 4K adjacent floats: either way, K groups of 4.
    const groupStride = byColumns ? kStride : <usize>16;
    for (; r + 4 <= N; r += 4) {
      const g = coef + <usize>r * rowStride, d = dst + <usize>r * ds;
      if (countNonZero4(g, groupStride, K) < denseFrom) {
        for (let i = 0; i < 4; i++) accumulateSparse(d + <usize>i * ds, src, ss, g + <usize>i * rowStride, kStride, K, C);
      } else if (byColumns) {
        denseTile4(d, ds, g, kStride, src, ss, K, C);
      } else {
        coefs4(packArea(), g, rowStride, K);
        denseTile4(d, ds, packArea(), 16, src, ss, K, C);
      }
    }
  }
  for (; r < N; r++) accumulateSparse(dst + <usize>r * ds, src, ss, coef + <usize>r * rowStride, kStride, K, C);
}

// Side of the tiles transpose walks in: 16 floats are a cache line, so the strided side of a tile
// stays within 16 lines.
const TRANSPOSE_TILE = 16;

// inp is (R,C), out is (C,R) = inpᵀ
export function transpose(out: usize, inp: usize, R: i32, C: i32): void {
  for (let ib = 0; ib < R; ib += TRANSPOSE_TILE)
    for (let kb = 0; kb < C; kb += TRANSPOSE_TILE)
      for (let i = ib; i < min(ib + TRANSPOSE_TILE, R); i++)
        for (let k = kb; k < min(kb + TRANSPOSE_TILE, C); k++) store<f32>(out + (<usize>(k * R + i) << 2), load<f32>(inp + (<usize>(i * C + k) << 2)));
}
