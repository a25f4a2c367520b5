// Reference for assembly/loss.ts: binary logistic loss on margins y*f, labels y in {-1,+1}.
import type { Vec } from "./linear.js";

// logits, y are (B); mean of log(1 + exp(-y f))
export function logisticForward(logits: Vec, y: Vec, B: number): number {
  let s = 0;
  for (let b = 0; b < B; b++) {
    const t = y[b] * logits[b];
    s += Math.max(-t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
  }
  return s / B;
}

// dlogits, logits, y are (B); accumulates -scale * y * sigmoid(-y f)
export function logisticBackward(dlogits: Vec, logits: Vec, y: Vec, B: number, scale: number): void {
  for (let b = 0; b < B; b++) dlogits[b] -= (scale * y[b]) / (1 + Math.exp(y[b] * logits[b]));
}

// number of samples with y * logit > 0
export function countCorrect(logits: Vec, y: Vec, B: number): number {
  let n = 0;
  for (let b = 0; b < B; b++) if (y[b] * logits[b] > 0) n++;
  return n;
}
