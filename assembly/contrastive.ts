// Contrastive objectives on B positive pairs whose representations are stacked as 2B rows: row i
// (view 1) and row i + B (view 2) are a positive pair, every other row is a negative (docs/model.md, "Pre-training").
// The loss kernels work on a representation z (2B,m): h itself, or h / ||h|| per row.
import { Net, Work, activationGradient, encoderForward } from "./net";
import { matmulBackward, transpose } from "./linear";
import {
  gramForward, gramTop, parallelGramMirror, parallelInputGradient, parallelMatmulForward, parallelNtxentRows, parallelSymmetrize,
  parallelWeightGradient,
} from "./pool";
import { perturb, ascend, sumSquares } from "./attack";
import { ContrastiveLoss, CtrWord } from "./contract";

// Added to ||h||^2 before the square root, so an all-zero representation (every neuron in its dead
// zone) normalises to zero with a finite gradient instead of dividing by zero.
const NORM_EPS: f32 = 1e-8;

// The objective and its scratch. sim holds (2B,2B) (NT-Xent) or (B,B) (spectral) entries; z, dz
// (2B,m) and norms (2B) are used only when normalize != 0; scratch (2 * 2B * m) only by NT-Xent.
@unmanaged export class Ctr {
  loss: i32; normalize: i32; tau: f32;
  z: usize; norms: usize; sim: usize; dz: usize; scratch: usize;
  fixed: usize; // (B,B) for NT-Xent: the attack's copy of view 2's block of similarities
}
// The layout TypeScript writes (CtrWord, assembly/contract.ts), checked when this file compiles.
// @ts-ignore: ERROR is a compile-time diagnostic
if (offsetof<Ctr>("loss") != <usize>CtrWord.loss * 4 ||
    offsetof<Ctr>("normalize") != <usize>CtrWord.normalize * 4 ||
    offsetof<Ctr>("tau") != <usize>CtrWord.tau * 4 ||
    offsetof<Ctr>("z") != <usize>CtrWord.z * 4 ||
    offsetof<Ctr>("norms") != <usize>CtrWord.norms * 4 ||
    offsetof<Ctr>("sim") != <usize>CtrWord.sim * 4 ||
    offsetof<Ctr>("dz") != <usize>CtrWord.dz * 4 ||
    offsetof<Ctr>("scratch") != <usize>CtrWord.scratch * 4 ||
    offsetof<Ctr>("fixed") != <usize>CtrWord.fixed * 4 ||
    offsetof<Ctr>() != <usize>CtrWord.count * 4) ERROR("class Ctr does not match CtrWord of assembly/contract.ts");

// z, h are (N,m), norms is (N): z = h / sqrt(||h||^2 + NORM_EPS) row by row
export function normalizeForward(z: usize, norms: usize, h: usize, N: i32, m: i32): void {
  for (let i = 0; i < N; i++) {
    const row = <usize>i * <usize>m << 2;
    const nrm = Mathf.sqrt(sumSquares(h + row, m) + NORM_EPS);
    store<f32>(norms + (<usize>i << 2), nrm);
    const inv: f32 = 1 / nrm;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vi = f32x4.splat(inv);
      for (; j + 4 <= m; j += 4) {
        const off = row + (<usize>j << 2);
        v128.store(z + off, f32x4.mul(v128.load(h + off), vi));
      }
    }
    for (; j < m; j++) {
      const off = row + (<usize>j << 2);
      store<f32>(z + off, load<f32>(h + off) * inv);
    }
  }
}

// dh, dz, z are (N,m), norms is (N); accumulates dh += (dz - z (z . dz)) / norm row by row. The dot
// product stays a scalar sum, in the order the results were first computed in.
export function normalizeBackward(dh: usize, dz: usize, z: usize, norms: usize, N: i32, m: i32): void {
  for (let i = 0; i < N; i++) {
    const row = <usize>i * <usize>m << 2;
    let dot: f32 = 0;
    for (let j = 0; j < m; j++) {
      const off = row + (<usize>j << 2);
      dot += load<f32>(z + off) * load<f32>(dz + off);
    }
    const inv: f32 = 1 / load<f32>(norms + (<usize>i << 2));
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vd = f32x4.splat(dot), vi = f32x4.splat(inv);
      for (; j + 4 <= m; j += 4) {
        const off = row + (<usize>j << 2);
        const g = f32x4.mul(f32x4.sub(v128.load(dz + off), f32x4.mul(v128.load(z + off), vd)), vi);
        v128.store(dh + off, f32x4.add(v128.load(dh + off), g));
      }
    }
    for (; j < m; j++) {
      const off = row + (<usize>j << 2);
      store<f32>(dh + off, load<f32>(dh + off) + (load<f32>(dz + off) - load<f32>(z + off) * dot) * inv);
    }
  }
}

// z is (2B,m), sim is (2B,2B), scratch holds 2B f64. NT-Xent / InfoNCE: mean over the 2B rows of
// -log softmax_j(z_i . z_j / tau) at j = the positive of i, over the 2B - 1 rows j != i.
// Returns the loss and leaves the softmax probabilities in sim (zero on the diagonal).
export function ntxentForward(sim: usize, z: usize, scratch: usize, B: i32, m: i32, tau: f32): f32 {
  return ntxentForwardKeeping(sim, z, scratch, B, m, tau, 0, KEEP_NONE);
}

// How an attack step treats view 2's block of similarities (rows and columns B..2B-1), which does
// not change while only view 1 moves: compute all (KEEP_NONE), compute all and copy the block to
// `fixed` (KEEP_SAVE), or compute view 1's rows alone and copy the block back (KEEP_REUSE; B a
// multiple of 4, the Gram product's row tile). The block is what the whole product gave, and the
// mirror then fills view 2's rows as it always does: the same bits, a quarter less product.
const KEEP_NONE = 0, KEEP_SAVE = 1, KEEP_REUSE = 2;

// View 2's block of sim (N,N) to fixed (B,B), or back.
function copyViewBlock(sim: usize, fixed: usize, B: i32, toFixed: bool): void {
  const N = 2 * B;
  const bytes = <usize>B << 2;
  for (let i = 0; i < B; i++) {
    const inSim = sim + (<usize>((B + i) * N + B) << 2), inFixed = fixed + <usize>i * bytes;
    if (toFixed) memory.copy(inFixed, inSim, bytes);
    else memory.copy(inSim, inFixed, bytes);
  }
}

function ntxentForwardKeeping(sim: usize, z: usize, scratch: usize, B: i32, m: i32, tau: f32, fixed: usize, keep: i32): f32 {
  const N = 2 * B;
  if (keep == KEEP_REUSE) {
    gramTop(sim, z, N, m, B);
    copyViewBlock(sim, fixed, B, false);
    parallelGramMirror(sim, N);
  } else {
    gramForward(sim, z, N, m);
    if (keep == KEEP_SAVE) copyViewBlock(sim, fixed, B, true);
  }
  parallelNtxentRows(sim, scratch, B, tau);
  // Summed in row order whatever the split, so every thread count gives the same loss.
  let total: f64 = 0;
  for (let i = 0; i < N; i++) total += load<f64>(scratch + (<usize>i << 3));
  return <f32>(total / <f64>N);
}

// sim holds ntxentForward's probabilities (consumed: it becomes the symmetrised gradient of the
// similarity matrix); accumulates dz (2B,m) += scale * dL/dz. scratch holds 2 * 2B * m floats.
export function ntxentBackward(dz: usize, sim: usize, z: usize, scratch: usize, B: i32, m: i32, tau: f32, scale: f32): void {
  ntxentBackwardRows(dz, sim, z, scratch, B, m, tau, scale, 2 * B);
}

// ntxentBackward for the first `rows` rows of dz alone (the attack's view 1): the rows of the
// symmetrised gradient and of its product with z that those need, each as the whole call computes it.
function ntxentBackwardRows(dz: usize, sim: usize, z: usize, scratch: usize, B: i32, m: i32, tau: f32, scale: f32, rows: i32): void {
  const N = 2 * B;
  const c: f32 = scale / (<f32>N * tau);
  for (let i = 0; i < N; i++) {
    const pos = i < B ? i + B : i - B;
    const p = sim + (<usize>(i * N + pos) << 2);
    store<f32>(p, load<f32>(p) - 1);
  }
  // dL/dS = c (P - I_pos) is not symmetric, but S = z zᵀ is: dL/dz = (G + Gᵀ) z with G = dL/dS.
  for (let i = 0; i < rows; i++) store<f32>(sim + (<usize>(i * N + i) << 2), 0);
  parallelSymmetrize(sim, N, rows, c);
  // (G + Gᵀ) z as the dot-product kernel's sim · (zᵀ)ᵀ: zᵀ is cheap to form and matmulForward's
  // register blocking beats the accumulating kernel on this dense N x N product.
  const zt = scratch, prod = scratch + (<usize>N * <usize>m << 2);
  transpose(zt, z, N, m);
  parallelMatmulForward(prod, sim, zt, 0, rows, N, m);
  const len = rows * m;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= len; i += 4) {
      const off = <usize>i << 2;
      v128.store(dz + off, f32x4.add(v128.load(dz + off), v128.load(prod + off)));
    }
  }
  for (; i < len; i++) {
    const off = <usize>i << 2;
    store<f32>(dz + off, load<f32>(dz + off) + load<f32>(prod + off));
  }
}

// z is (2B,m), sim is (B,B). Spectral contrastive loss (HaoChen et al. 2021) over the cross-view
// products C = z1 z2ᵀ: -2 mean_i C_ii + mean_{i != j} C_ij^2. Returns the loss, leaves C in sim.
export function spectralForward(sim: usize, z: usize, B: i32, m: i32): f32 {
  parallelMatmulForward(sim, z, z + (<usize>B * <usize>m << 2), 0, B, m, B);
  let pos: f64 = 0, neg: f64 = 0;
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < B; j++) {
      const v = <f64>load<f32>(sim + (<usize>(i * B + j) << 2));
      if (i == j) pos += v;
      else neg += v * v;
    }
  }
  return <f32>(-2 * pos / <f64>B + (B > 1 ? neg / (<f64>B * <f64>(B - 1)) : 0));
}

// sim holds spectralForward's C (consumed); accumulates dz (2B,m) += scale * dL/dz.
export function spectralBackward(dz: usize, sim: usize, z: usize, B: i32, m: i32, scale: f32): void {
  spectralBackwardViews(dz, sim, z, B, m, scale, true);
}

// spectralBackward with view 2's rows of dz skipped unless `both` (the attack moves view 1 alone).
function spectralBackwardViews(dz: usize, sim: usize, z: usize, B: i32, m: i32, scale: f32, both: bool): void {
  const diag: f32 = -2 * scale / <f32>B;
  const off: f32 = B > 1 ? 2 * scale / (<f32>B * <f32>(B - 1)) : 0;
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < B; j++) {
      const p = sim + (<usize>(i * B + j) << 2);
      store<f32>(p, i == j ? diag : off * load<f32>(p));
    }
  }
  const half = <usize>B * <usize>m << 2;
  matmulBackward(dz, both ? dz + half : 0, 0, sim, z, z + half, B, m, B);
}

// keep: see KEEP_NONE; with KEEP_REUSE view 2's normalised rows are also those of the last call.
function lossForward(n: Net, w: Work, c: Ctr, B: i32, keep: i32 = KEEP_NONE): f32 {
  let z = w.h;
  if (c.normalize) {
    normalizeForward(c.z, c.norms, w.h, keep == KEEP_REUSE ? B : 2 * B, n.m);
    z = c.z;
  }
  return c.loss == ContrastiveLoss.spectral ? spectralForward(c.sim, z, B, n.m) : ntxentForwardKeeping(c.sim, z, c.scratch, B, n.m, c.tau, c.fixed, keep);
}

// work.dh = scale * dL/dh over the first `rows` of the 2B rows (overwritten there): 2B for a training
// step, B (view 1) for the attack. Needs the state lossForward left.
function lossBackward(n: Net, w: Work, c: Ctr, B: i32, scale: f32, rows: i32): void {
  const bytes = <usize>rows * <usize>n.m << 2;
  const z = c.normalize ? c.z : w.h;
  const dz = c.normalize ? c.dz : w.dh;
  memory.fill(dz, 0, bytes);
  if (c.loss == ContrastiveLoss.spectral) spectralBackwardViews(dz, c.sim, z, B, n.m, scale, rows > B);
  else ntxentBackwardRows(dz, c.sim, z, c.scratch, B, n.m, c.tau, scale, rows);
  if (c.normalize) {
    memory.fill(w.dh, 0, bytes);
    normalizeBackward(w.dh, c.dz, c.z, c.norms, rows, n.m);
  }
}

// x is (2B,d): view 1 in rows 0..B-1, view 2 in rows B..2B-1. Encoder forward and the loss.
export function contrastiveForward(netPtr: usize, workPtr: usize, ctrPtr: usize, x: usize, B: i32): f32 {
  encoderForward(netPtr, workPtr, x, 2 * B);
  return lossForward(changetype<Net>(netPtr), changetype<Work>(workPtr), changetype<Ctr>(ctrPtr), B);
}

// Backward of scale * loss after contrastiveForward at the same x: accumulates into the gradient
// record's W and thr (gradPtr 0: none) and into dx (2B,d) (0: not wanted).
export function contrastiveBackward(netPtr: usize, gradPtr: usize, workPtr: usize, ctrPtr: usize, x: usize, dx: usize, B: i32,
                                    deadSlope: f32, scale: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  lossBackward(n, w, changetype<Ctr>(ctrPtr), B, scale, 2 * B);
  // encoderBackward's work, its two products split across the pool (they are independent).
  activationGradient(netPtr, gradPtr, workPtr, 2 * B, deadSlope);
  const gW: usize = gradPtr ? changetype<Net>(gradPtr).W : 0;
  if (dx) parallelInputGradient(dx, w.dpre, n.W, 2 * B, n.d, n.m);
  if (gW) parallelWeightGradient(gW, w.dpre, x, 2 * B, n.d, n.m);
}

// Instance-wise PGD (RoCL): perturb view 1 to maximise the contrastive loss against view 2, no labels.
// x, xadv are (2B,d), delta is (B,d): the start on entry, the final perturbation on exit; xadv is
// x with delta added to view 1 (clamped to [lo, hi] when lo < hi). FGM is steps = 1, alpha = eps.
export function contrastiveAttack(netPtr: usize, workPtr: usize, ctrPtr: usize, x: usize, delta: usize, xadv: usize, B: i32,
                                  norm: i32, eps: f32, alpha: f32, steps: i32, deadSlope: f32, lo: f32, hi: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  const c = changetype<Ctr>(ctrPtr);
  const len = B * n.d;
  const half = <usize>len << 2;
  memory.copy(xadv + half, x + half, half);
  const keepView2 = c.loss != ContrastiveLoss.spectral && c.fixed != 0 && (B & 3) == 0;
  for (let s = 0; s < steps; s++) {
    perturb(xadv, x, delta, len, lo, hi);
    // Only view 1 moves: view 2's hidden rows, computed once, stay in the work buffers, and the
    // backward needs view 1's rows of dL/dz alone (half the N x N product), and only dx.
    encoderForward(netPtr, workPtr, xadv, s == 0 ? 2 * B : B);
    lossForward(n, w, c, B, keepView2 ? (s == 0 ? KEEP_SAVE : KEEP_REUSE) : KEEP_NONE);
    lossBackward(n, w, c, B, 1, B);
    memory.fill(w.dx, 0, half);
    activationGradient(netPtr, 0, workPtr, B, deadSlope);
    parallelInputGradient(w.dx, w.dpre, n.W, B, n.d, n.m);
    ascend(delta, w.dx, B, n.d, norm, eps, alpha);
  }
  perturb(xadv, x, delta, len, lo, hi);
}
