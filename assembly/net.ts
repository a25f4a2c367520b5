// The two-layer network f(x) = A · act(W x - thr) + c, composed from the layer kernels.
// Descriptors are i32 records written by src/engine/layout.ts; field order must match it.
import { matmulForward, matmulBackward } from "./linear";
import { activationForward, activationBackward } from "./activation";

// Parameters (or their gradients): W (m,d), thr (m), A (C,m), c (C). A zero pointer means absent
// (no output bias) or, in a gradient record, not wanted.
@unmanaged export class Net {
  W: usize; thr: usize; A: usize; c: usize;
  d: i32; m: i32; C: i32; act: i32;
}

// Activations and their gradients for a batch: pre, h, dh, dpre are (B,m); logits, dlogits are (B,C); dx is (B,d).
@unmanaged export class Work {
  pre: usize; h: usize; logits: usize; dlogits: usize;
  dh: usize; dpre: usize; dx: usize;
}

// The hidden layer alone: work.pre and work.h. Contrastive objectives read h and never the head.
export function encoderForward(netPtr: usize, workPtr: usize, x: usize, B: i32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  matmulForward(w.pre, x, n.W, 0, B, n.d, n.m);
  activationForward(w.h, w.pre, n.thr, B, n.m, n.act);
}

export function netForward(netPtr: usize, workPtr: usize, x: usize, B: i32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  encoderForward(netPtr, workPtr, x, B);
  matmulForward(w.logits, w.h, n.A, n.c, B, n.m, n.C);
}

// Backward from work.dh through the hidden layer (the head untouched). Accumulates into the
// gradient record's thr and W (gradPtr 0: none) and into dx (0: not wanted); dpre is overwritten.
export function encoderBackward(netPtr: usize, gradPtr: usize, workPtr: usize, x: usize, dx: usize, B: i32, deadSlope: f32): void {
  const n = changetype<Net>(netPtr);
  const w = changetype<Work>(workPtr);
  memory.fill(w.dpre, 0, <usize>B * <usize>n.m << 2);
  const gthr: usize = gradPtr ? changetype<Net>(gradPtr).thr : 0;
  const gW: usize = gradPtr ? changetype<Net>(gradPtr).W : 0;
  activationBackward(w.dpre, gthr, w.dh, w.pre, n.thr, B, n.m, n.act, deadSlope);
  if (dx || gW) matmulBackward(dx, gW, 0, w.dpre, x, n.W, B, n.d, n.m);
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
