// Thresholded activations of the hidden layer, applied column-wise with one threshold per neuron.
// kind 0: symmetric ReLU  h = relu(p - t) - relu(-p - t)   (zero on the dead zone |p| <= t)
// kind 1: plain ReLU      h = relu(p - t)

export const SYMRELU = 0;
export const RELU = 1;

// out, pre are (B,M), thr is (M)
export function activationForward(out: usize, pre: usize, thr: usize, B: i32, M: i32, kind: i32): void {
  for (let b = 0; b < B; b++) {
    const row = <usize>b * <usize>M << 2;
    for (let j = 0; j < M; j++) {
      const off = <usize>j << 2;
      const p = load<f32>(pre + row + off);
      const t = load<f32>(thr + off);
      let h: f32 = 0;
      if (p > t) h = p - t;
      else if (kind == SYMRELU && p < -t) h = p + t;
      store<f32>(out + row + off, h);
    }
  }
}

// dpre, dout, pre are (B,M); thr, dthr are (M). Accumulates dpre and dthr (dthr skipped when 0).
// deadSlope is the gradient used inside the dead zone: 0 is the exact derivative; a positive value is
// a surrogate that lets attacks move out of flat regions where the true gradient vanishes.
export function activationBackward(dpre: usize, dthr: usize, dout: usize, pre: usize, thr: usize, B: i32, M: i32, kind: i32, deadSlope: f32): void {
  for (let b = 0; b < B; b++) {
    const row = <usize>b * <usize>M << 2;
    for (let j = 0; j < M; j++) {
      const off = <usize>j << 2;
      const g = load<f32>(dout + row + off);
      if (g == 0) continue;
      const p = load<f32>(pre + row + off);
      const t = load<f32>(thr + off);
      let dp: f32 = deadSlope;
      let dt: f32 = 0;
      if (p > t) { dp = 1; dt = -1; }
      else if (kind == SYMRELU && p < -t) { dp = 1; dt = 1; }
      store<f32>(dpre + row + off, load<f32>(dpre + row + off) + g * dp);
      if (dthr && dt != 0) store<f32>(dthr + off, load<f32>(dthr + off) + g * dt);
    }
  }
}
