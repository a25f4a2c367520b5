// The typed surface of the WASM module (assembly/index.ts). Pointers are byte offsets into the
// arena; every float buffer is f32, row-major.
import {
  Activation as ActivationId,
  ApgdLoss as ApgdLossId,
  ApgdRowWord,
  ContrastiveLoss as ContrastiveLossId,
  Norm as NormId,
} from "../../assembly/contract.js";
export interface Kernels {
  matmulForward(out: number, inp: number, weight: number, bias: number, B: number, C: number, OC: number): void;
  matmulBackward(
    dinp: number,
    dweight: number,
    dbias: number,
    dout: number,
    inp: number,
    weight: number,
    B: number,
    C: number,
    OC: number,
  ): void;
  /** N rows (ds bytes apart) at dst += coefficients x src (K rows of C, ss apart), row r's coefficients at coef + r*rowStride + k*kStride: matmulBackward's gradients are calls of it; the contrastive backward splits its weight gradient by rows of it across the pool. */
  accumulateRows(
    dst: number,
    ds: number,
    coef: number,
    rowStride: number,
    kStride: number,
    src: number,
    ss: number,
    N: number,
    K: number,
    C: number,
  ): void;
  activationForward(out: number, pre: number, thr: number, B: number, M: number, kind: number): void;
  activationBackward(
    dpre: number,
    dthr: number,
    dout: number,
    pre: number,
    thr: number,
    B: number,
    M: number,
    kind: number,
    deadSlope: number,
  ): void;
  logisticForward(logits: number, y: number, B: number): number;
  logisticBackward(dlogits: number, logits: number, y: number, B: number, scale: number): void;
  countCorrect(logits: number, y: number, B: number): number;
  netForward(net: number, work: number, x: number, B: number): void;
  netBackward(net: number, grad: number, work: number, x: number, dx: number, B: number, deadSlope: number): void;
  /**
   * netBackward for training (no dx) on hidden units [j0, j1): the split the threads use (assembly/net.ts).
   * Its dh and dpre are one (B, j1 - j0) block at B·j0 floats into work's dh and dpre, not columns of them.
   */
  netBackwardColumns(net: number, grad: number, work: number, x: number, B: number, deadSlope: number, j0: number, j1: number): void;
  /** xprev (B,d) and wt = Wᵀ (d,m): scratch for incremental forward passes (assembly/attack.ts); 0, 0: none. */
  pgdAttack(
    net: number,
    work: number,
    x: number,
    y: number,
    delta: number,
    xadv: number,
    xprev: number,
    wt: number,
    B: number,
    norm: number,
    eps: number,
    alpha: number,
    steps: number,
    deadSlope: number,
    lo: number,
    hi: number,
  ): void;
  pgdEval(
    net: number,
    work: number,
    x: number,
    y: number,
    delta: number,
    xadv: number,
    xprev: number,
    wt: number,
    best: number,
    bestMargin: number,
    B: number,
    norm: number,
    eps: number,
    alpha: number,
    steps: number,
    deadSlope: number,
    lo: number,
    hi: number,
  ): number;
  /**
   * APGD (assembly/apgd.ts) with the pgdEval contract: aux (B,3d) and rows (B,APGD_ROW_WORDS) are its per-row state;
   * loss: APGD_LOSS. Returns the samples whose best margin is still positive.
   */
  apgdEval(
    net: number,
    work: number,
    x: number,
    y: number,
    delta: number,
    xadv: number,
    best: number,
    bestMargin: number,
    aux: number,
    rows: number,
    B: number,
    norm: number,
    loss: number,
    eps: number,
    steps: number,
    deadSlope: number,
    lo: number,
    hi: number,
  ): number;
  /** out (C,R) = inpᵀ for inp (R,C). */
  transpose(out: number, inp: number, R: number, C: number): void;
  /** Hands the main thread's instance the pool's control block, for the products it splits itself (assembly/pool.ts). */
  setPool(ctrl: number, args: number, acks: number, threads: number): void;
  /** out (N,N) = z zᵀ for z (N,m): matmulForward(out, z, z, 0, N, m, N)'s bits from half its products, split across the pool when there is one. */
  gramForward(out: number, z: number, N: number, m: number): void;
  /** Rows [r0, r1) of the half of out (N,N) = z zᵀ that gramForward computes (assembly/linear.ts). */
  gramRows(out: number, z: number, N: number, m: number, r0: number, r1: number): void;
  /** Jobs the main thread's instance has posted to the pool from inside WASM. */
  poolJobs(): number;
  normalizeForward(z: number, norms: number, h: number, N: number, m: number): void;
  normalizeBackward(dh: number, dz: number, z: number, norms: number, N: number, m: number): void;
  /** scratch holds the 2B per-row loss terms (f64). */
  ntxentForward(sim: number, z: number, scratch: number, B: number, m: number, tau: number): number;
  /** Rows [i0, i1) of ntxentForward's softmax, their loss terms (f64) into terms: the share a thread takes. */
  ntxentRows(sim: number, terms: number, B: number, tau: number, i0: number, i1: number): void;
  /** Rows [i0, i1) of NT-Xent's symmetrised gradient sim[i][j] = sim[j][i] = c (sim[i][j] + sim[j][i]), j > i, i < rows: a job of the contrastive backward. */
  symmetrizeRows(sim: number, N: number, rows: number, c: number, i0: number, i1: number): void;
  /** Rows [i0, i1) of the Gram matrix's mirrored half (gramRows fills the other): a job of the contrastive forward. */
  gramMirrorRows(out: number, N: number, i0: number, i1: number): void;
  ntxentBackward(dz: number, sim: number, z: number, scratch: number, B: number, m: number, tau: number, scale: number): void;
  spectralForward(sim: number, z: number, B: number, m: number): number;
  spectralBackward(dz: number, sim: number, z: number, B: number, m: number, scale: number): void;
  contrastiveForward(net: number, work: number, ctr: number, x: number, B: number): number;
  contrastiveBackward(
    net: number,
    grad: number,
    work: number,
    ctr: number,
    x: number,
    dx: number,
    B: number,
    deadSlope: number,
    scale: number,
  ): void;
  contrastiveAttack(
    net: number,
    work: number,
    ctr: number,
    x: number,
    delta: number,
    xadv: number,
    B: number,
    norm: number,
    eps: number,
    alpha: number,
    steps: number,
    deadSlope: number,
    lo: number,
    hi: number,
  ): void;
  /** Random starts (assembly/random.ts); statePtr is an Rng state record (src/engine/stream.ts), which they advance. */
  linfStart(delta: number, n: number, eps: number, statePtr: number): void;
  randomDraws(points: number, radii: number, B: number, d: number, statePtr: number): void;
  l2StartRows(delta: number, points: number, radii: number, b0: number, b1: number, d: number, eps: number): void;
  /**
   * A population batch of the sparse-coding data (assembly/sparseCoding.ts) from the stream record at statePtr:
   * -1, or the sample whose codes tied maxRedraws times.
   */
  sparseCodingBatch(task: number, z: number, x: number, y: number, row: number, B: number, maxRedraws: number, statePtr: number): number;
  /** Upper triangle of H (p,p) = S diag(v) Sᵀ / n in f64, st = Sᵀ; u0, u1 (n) scratch: the downstream head's Hessian (assembly/logistic.ts). */
  hessianUpper(S: number, st: number, v: number, n: number, p: number, H: number, u0: number, u1: number): void;
  adamStep(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    t: number,
  ): void;
  sgdStep(p: number, g: number, mom: number, n: number, lr: number, momentum: number, weightDecay: number): void;
  clampMin(p: number, n: number, lo: number): void;
  heapBase(): number;
  /** n rounds of 12 fused multiply-add chains in registers (the benchmark's practical peak), their sum to out (one f32); returns the flops done, 0 without relaxed SIMD. */
  maddPeak(n: number, out: number): number;
  /** The per-instance scratch (matmulBackward's sparse lists, the forward products' packed operands): where it is, the size of the block setScratch takes, and that block (the engine gives each instance one). */
  scratchPtr(): number;
  scratchBytes(): number;
  setScratch(ptr: number): void;
}

// The enumerations the kernels take, by name (assembly/contract.ts).
export const ACTIVATION = ActivationId;
export const NORM = NormId;
export const APGD_LOSS = ApgdLossId;
export type ApgdLoss = keyof typeof ApgdLossId;
/** f32 words of APGD's per-row state. */
export const APGD_ROW_WORDS = ApgdRowWord.count;
export const CONTRASTIVE_LOSS = ContrastiveLossId;
export type ContrastiveLoss = keyof typeof ContrastiveLossId;
export type Activation = keyof typeof ActivationId;
export type Norm = keyof typeof NormId;
