// Reference for assembly/activation.ts: kind 0 symmetric ReLU, kind 1 ReLU, one threshold per column.
import type { Vec } from "./linear.js";

export const SYMRELU = 0;
export const RELU = 1;

// out, pre are (B,M), thr is (M): h = relu(p - t) - relu(-p - t) (kind 0) or relu(p - t) (kind 1)
export function activationForward(out: Vec, pre: Vec, thr: Vec, B: number, M: number, kind: number): void {
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < M; j++) {
      const p = pre[b * M + j],
        t = thr[j];
      // both terms, which overlap for |p| < -t when t < 0 (config model.thresholdClamp "none")
      out[b * M + j] = (p > t ? p - t : 0) + (kind === SYMRELU && p < -t ? p + t : 0);
    }
  }
}

// dpre, dout, pre are (B,M); thr, dthr are (M). Accumulates dpre and dthr (null: skipped); the dead zone gets deadSlope.
export function activationBackward(
  dpre: Vec,
  dthr: Vec | null,
  dout: Vec,
  pre: Vec,
  thr: Vec,
  B: number,
  M: number,
  kind: number,
  deadSlope: number,
): void {
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < M; j++) {
      const i = b * M + j,
        g = dout[i],
        p = pre[i],
        t = thr[j];
      const hi = p > t,
        lo = kind === SYMRELU && p < -t;
      if (hi) {
        dpre[i] += g;
        if (dthr) dthr[j] -= g;
      }
      if (lo) {
        dpre[i] += g;
        if (dthr) dthr[j] += g;
      }
      if (!hi && !lo) dpre[i] += g * deadSlope;
    }
  }
}
