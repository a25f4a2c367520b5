// Reference for assembly/optim.ts: optimiser steps on flat tensors of n numbers.
import type { Vec } from "./linear.js";

// AdamW, t is the 1-based step. p, g, m, v are (n)
export function adamStep(
  p: Vec,
  g: Vec,
  m: Vec,
  v: Vec,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  t: number,
): void {
  const bc1 = 1 - beta1 ** t,
    bc2 = 1 - beta2 ** t;
  for (let i = 0; i < n; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    p[i] -= lr * (m[i] / bc1 / (Math.sqrt(v[i] / bc2) + eps) + weightDecay * p[i]);
  }
}

// SGD with heavy-ball momentum, L2 weight decay folded into the gradient. p, g, mom are (n)
export function sgdStep(p: Vec, g: Vec, mom: Vec, n: number, lr: number, momentum: number, weightDecay: number): void {
  for (let i = 0; i < n; i++) {
    mom[i] = momentum * mom[i] + g[i] + weightDecay * p[i];
    p[i] -= lr * mom[i];
  }
}

// p = max(p, lo). p is (n)
export function clampMin(p: Vec, n: number, lo: number): void {
  for (let i = 0; i < n; i++) p[i] = Math.max(p[i], lo);
}
