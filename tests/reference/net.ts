// Reference for assembly/net.ts: f(x) = A · act(W x - thr) + c, composed from the reference layers.
import { matmulBackward, matmulForward, type Vec } from "./linear.js";
import { activationBackward, activationForward } from "./activation.js";

// W (m,d), thr (m), A (C,m), c (C) or null; activation is the kernel's kind (0 symmetric ReLU, 1 ReLU)
export interface RefNet {
  W: Vec;
  thr: Vec;
  A: Vec;
  c: Vec | null;
  d: number;
  m: number;
  C: number;
  activation: number;
}

// Gradients of the parameters; a null entry is not wanted.
export interface RefGrad {
  W: Vec | null;
  thr: Vec | null;
  A: Vec | null;
  c: Vec | null;
}

// pre, h, dh, dpre are (B,m); logits, dlogits are (B,C); dx is (B,d)
export interface RefWork {
  pre: Float64Array;
  h: Float64Array;
  logits: Float64Array;
  dlogits: Float64Array;
  dh: Float64Array;
  dpre: Float64Array;
  dx: Float64Array;
}

export function allocWork(n: RefNet, B: number): RefWork {
  const f = (len: number) => new Float64Array(len);
  return { pre: f(B * n.m), h: f(B * n.m), logits: f(B * n.C), dlogits: f(B * n.C), dh: f(B * n.m), dpre: f(B * n.m), dx: f(B * n.d) };
}

// x is (B,d); fills w.pre, w.h, w.logits
export function netForward(n: RefNet, w: RefWork, x: Vec, B: number): void {
  matmulForward(w.pre, x, n.W, null, B, n.d, n.m);
  activationForward(w.h, w.pre, n.thr, B, n.m, n.activation);
  matmulForward(w.logits, w.h, n.A, n.c, B, n.m, n.C);
}

// Backward from w.dlogits: accumulates into grad (null: none) and dx (null: none); overwrites w.dh, w.dpre.
export function netBackward(n: RefNet, grad: RefGrad | null, w: RefWork, x: Vec, dx: Vec | null, B: number, deadSlope: number): void {
  w.dh.fill(0);
  w.dpre.fill(0);
  matmulBackward(w.dh, grad?.A ?? null, grad?.c ?? null, w.dlogits, w.h, n.A, B, n.m, n.C);
  activationBackward(w.dpre, grad?.thr ?? null, w.dh, w.pre, n.thr, B, n.m, n.activation, deadSlope);
  matmulBackward(dx, grad?.W ?? null, null, w.dpre, x, n.W, B, n.d, n.m);
}
