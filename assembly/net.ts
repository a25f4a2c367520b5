// The two-layer network f(x) = A · act(W x - thr) + c, composed from the layer kernels.
// Descriptors are i32 records written by src/engine/layout.ts in the layouts of assembly/contract.ts.
import { matmulForward, matmulBackward, accumulateRows } from "./linear";
import { parallelMatmulForward } from "./pool";
import { activationForward, activationBackward, activationBackwardColumns } from "./activation";
import { NetWord, WorkWord } from "./contract";

// Parameters (or their gradients): W (m,d), thr (m), A (C,m), c (C). A zero pointer means absent
// (no output bias) or, in a gradient record, not wanted.
@unmanaged export class Net {
  W: usize; thr: usize; A: usize; c: usize;
  d: i32; m: i32; C: i32; act: i32;
}
// The layout TypeScript writes (NetWord, assembly/contract.ts), checked when this file compiles.
// @ts-ignore: ERROR is a compile-time diagnostic
if (offsetof<Net>("W") != <usize>NetWord.W * 4 ||
    offsetof<Net>("thr") != <usize>NetWord.thr * 4 ||
    offsetof<Net>("A") != <usize>NetWord.A * 4 ||
    offsetof<Net>("c") != <usize>NetWord.c * 4 ||
    offsetof<Net>("d") != <usize>NetWord.d * 4 ||
    offsetof<Net>("m") != <usize>NetWord.m * 4 ||
    offsetof<Net>("C") != <usize>NetWord.C * 4 ||
    offsetof<Net>("act") != <usize>NetWord.act * 4 ||
    offsetof<Net>() != <usize>NetWord.count * 4) ERROR("class Net does not match NetWord of assembly/contract.ts");

// Activations and their gradients for a batch: pre, h, dh, dpre are (B,m); logits, dlogits are (B,C); dx is (B,d).
@unmanaged export class Work {
  pre: usize; h: usize; logits: usize; dlogits: usize;
  dh: usize; dpre: usize; dx: usize;
}
// The layout TypeScript writes (WorkWord, assembly/contract.ts), checked when this file compiles.
// @ts-ignore: ERROR is a compile-time diagnostic
if (offsetof<Work>("pre") != <usize>WorkWord.pre * 4 ||
    offsetof<Work>("h") != <usize>WorkWord.h * 4 ||
    offsetof<Work>("logits") != <usize>WorkWord.logits * 4 ||
    offsetof<Work>("dlogits") != <usize>WorkWord.dlogits * 4 ||
    offsetof<Work>("dh") != <usize>WorkWord.dh * 4 ||
    offsetof<Work>("dpre") != <usize>WorkWord.dpre * 4 ||
    offsetof<Work>("dx") != <usize>WorkWord.dx * 4 ||
    offsetof<Work>() != <usize>WorkWord.count * 4) ERROR("class Work does not match WorkWord of assembly/contract.ts");

// The hidden layer alone: work.pre and work.h. Contrastive objectives read h and never the head.
// Never called inside a job of the TypeScript pool, so its product may use the pool itself.
export function encoderForward(netPtr: usize, workPtr: usize, x: usize, B: i32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  parallelMatmulForward(w.pre, x, n.W, 0, B, n.d, n.m);
  activationForward(w.h, w.pre, n.thr, B, n.m, n.act);
}

// Backward from work.dh through the hidden layer (the head untouched). Accumulates into the
// gradient record's thr and W (gradPtr 0: none) and into dx (0: not wanted); dpre is overwritten.
export function encoderBackward(netPtr: usize, gradPtr: usize, workPtr: usize, x: usize, dx: usize, B: i32, deadSlope: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  activationGradient(netPtr, gradPtr, workPtr, B, deadSlope);
  const gW: usize = gradPtr ? changetype<Net>(gradPtr).W : 0;
  if (dx || gW) matmulBackward(dx, gW, 0, w.dpre, x, n.W, B, n.d, n.m);
}

// work.dpre from work.dh through the activation (overwritten), accumulating the thresholds'
// gradient into the gradient record (gradPtr 0: none): the first half of encoderBackward.
export function activationGradient(netPtr: usize, gradPtr: usize, workPtr: usize, B: i32, deadSlope: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  memory.fill(w.dpre, 0, <usize>B * <usize>n.m << 2);
  const gthr: usize = gradPtr ? changetype<Net>(gradPtr).thr : 0;
  activationBackward(w.dpre, gthr, w.dh, w.pre, n.thr, B, n.m, n.act, deadSlope);
}

// The forward pass of the network at netPtr on x (B,d): work.pre, work.h and work.logits.
export function netForward(netPtr: usize, workPtr: usize, x: usize, B: i32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  matmulForward(w.pre, x, n.W, 0, B, n.d, n.m);
  netForwardFromPre(netPtr, workPtr, B);
}

// The rest of the forward pass once work.pre holds the pre-activations: work.h and work.logits.
export function netForwardFromPre(netPtr: usize, workPtr: usize, B: i32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  activationForward(w.h, w.pre, n.thr, B, n.m, n.act);
  matmulForward(w.logits, w.h, n.A, n.c, B, n.m, n.C);
}

// Backward from work.dlogits. Accumulates into the gradient record (gradPtr 0: none) and into dx
// (0: not wanted); dh and dpre are overwritten.
export function netBackward(netPtr: usize, gradPtr: usize, workPtr: usize, x: usize, dx: usize, B: i32, deadSlope: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  memory.fill(w.dh, 0, <usize>B * <usize>n.m << 2);
  const gA: usize = gradPtr ? changetype<Net>(gradPtr).A : 0;
  const gc: usize = gradPtr ? changetype<Net>(gradPtr).c : 0;
  matmulBackward(w.dh, gA, gc, w.dlogits, w.h, n.A, B, n.m, n.C);
  encoderBackward(netPtr, gradPtr, workPtr, x, dx, B, deadSlope);
}

// Training backward from work.dlogits restricted to the hidden units [j0, j1): dh and dpre of those
// units (one (B, j1 - j0) block at B·j0 floats into work.dh and work.dpre, not columns of them), and
// their share of the gradient record (W rows, thresholds and head columns j0..j1; the output bias
// with the range that starts at 0). No dx. Disjoint ranges write disjoint memory, so threads split a
// training step's backward pass by hidden units with no reduction; every sum runs over the batch in
// the same order as in netBackward, so with j0 and j1 multiples of 4 (or j1 = m) the result is
// bit-identical to it.
export function netBackwardColumns(netPtr: usize, gradPtr: usize, workPtr: usize, x: usize, B: i32, deadSlope: f32, j0: i32, j1: i32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  const g = changetype<Net>(gradPtr);
  const m = n.m, C = n.C, width = j1 - j0;
  const hs = <usize>m << 2, cs = <usize>C << 2, col = <usize>j0 << 2, ws = <usize>width << 2;
  // This range's dh and dpre as one compact (B, width) block, B·j0 floats into each buffer: ranges
  // then write disjoint stretches of memory instead of a slice of every row, whose cache lines at the
  // cut the threads would pass back and forth.
  const dh = w.dh + <usize>B * col, dpre = w.dpre + <usize>B * col;
  memory.fill(dh, 0, <usize>B * ws);
  memory.fill(dpre, 0, <usize>B * ws);
  // The same calls as netBackward's matmulBackward makes, on columns j0..j1: dh = dlogits · A, gA.
  accumulateRows(dh, ws, w.dlogits, cs, 4, n.A + col, hs, B, C, width);
  if (g.A) accumulateRows(g.A + col, hs, w.dlogits, 4, cs, w.h + col, hs, C, B, width);
  if (g.c && j0 == 0) {
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        const p = g.c + (<usize>c << 2);
        store<f32>(p, load<f32>(p) + load<f32>(w.dlogits + <usize>b * cs + (<usize>c << 2)));
      }
    }
  }
  activationBackwardColumns(dpre, g.thr ? g.thr + col : 0, dh, w.pre + col, n.thr + col, B, width, width, m, n.act, deadSlope);
  const rs = <usize>n.d << 2;
  if (g.W) accumulateRows(g.W + <usize>j0 * rs, rs, dpre, 4, ws, x, rs, width, B, n.d);
}
