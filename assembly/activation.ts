// Thresholded activations of the hidden layer, applied column-wise with one threshold per neuron.
// Activation.symrelu: h = relu(p - t) - relu(-p - t)   (zero on the dead zone |p| <= t)
// Activation.relu:    h = relu(p - t)
// The symmetric ReLU is max(p - t, 0) + min(p + t, 0), which vectorises without branches (branches
// on the sign of p would mispredict on random data and cost as much as the matrix products around
// them). Thresholds are >= 0 unless config model.thresholdClamp is "none": a negative t makes both
// terms active for |p| < -t, where h = 2p and the backward pass adds both terms' derivatives.
import { Activation } from "./contract";

// out, pre are (B,M), thr is (M)
export function activationForward(out: usize, pre: usize, thr: usize, B: i32, M: i32, kind: i32): void {
  const sym = kind == Activation.symrelu;
  for (let b = 0; b < B; b++) {
    const row = <usize>b * <usize>M << 2;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const zero = f32x4.splat(0);
      for (; j + 4 <= M; j += 4) {
        const off = <usize>j << 2;
        const p = v128.load(pre + row + off);
        const t = v128.load(thr + off);
        // pmax / pmin are one instruction each; max / min take several for NaN and the sign of
        // zero. The h below is max / min's to the bit, NaN included: pmax(x, 0) and max(x, 0) differ
        // only at x = -0 (-0 against +0), which the final add turns into +0, and p - t = -0 needs
        // p = -0, t = +0, where p + t is +0 for both.
        const hi = f32x4.pmax(f32x4.sub(p, t), zero);
        v128.store(out + row + off, f32x4.add(hi, sym ? f32x4.pmin(f32x4.add(p, t), zero) : zero));
      }
    }
    for (; j < M; j++) {
      const off = <usize>j << 2;
      const p = load<f32>(pre + row + off);
      const t = load<f32>(thr + off);
      let h = max<f32>(p - t, 0);
      if (sym) h += min<f32>(p + t, 0);
      store<f32>(out + row + off, h);
    }
  }
}

// dpre, dout, pre are (B,M); thr, dthr are (M). Accumulates dpre and dthr (dthr skipped when 0).
// deadSlope is the gradient used inside the dead zone: 0 is the exact derivative; a positive value is
// a surrogate that lets attacks move out of flat regions where the true gradient vanishes.
export function activationBackward(dpre: usize, dthr: usize, dout: usize, pre: usize, thr: usize, B: i32, M: i32, kind: i32, deadSlope: f32): void {
  activationBackwardColumns(dpre, dthr, dout, pre, thr, B, M, M, M, kind, deadSlope);
}

// The same on M columns of matrices whose rows are `gs` floats apart (dpre, dout) and `ps` floats
// apart (pre): a column range of the hidden layer, for the threaded training backward. Every element
// is computed alike whatever the range, so ranges that start at multiples of 4 reproduce the
// whole-row call bit for bit.
export function activationBackwardColumns(dpre: usize, dthr: usize, dout: usize, pre: usize, thr: usize, B: i32, M: i32, gs: i32, ps: i32,
                                          kind: i32, deadSlope: f32): void {
  const sym = kind == Activation.symrelu;
  for (let b = 0; b < B; b++) {
    const row = <usize>b * <usize>gs << 2;
    const prow = pre + (<usize>b * <usize>ps << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const one = f32x4.splat(1), minusOne = f32x4.splat(-1), slope = f32x4.splat(deadSlope), zero = f32x4.splat(0);
      for (; j + 4 <= M; j += 4) {
        const off = <usize>j << 2;
        const g = v128.load(dout + row + off);
        const p = v128.load(prow + off);
        const t = v128.load(thr + off);
        const hi = f32x4.gt(p, t);
        const lo = sym ? f32x4.lt(p, f32x4.neg(t)) : zero;
        // Adding the overlap's second term (+0 where t >= 0, as the two are then exclusive) keeps those bits.
        const dp = f32x4.add(v128.bitselect(one, slope, v128.or(hi, lo)), v128.and(one, v128.and(hi, lo)));
        v128.store(dpre + row + off, f32x4.add(v128.load(dpre + row + off), f32x4.mul(g, dp)));
        if (dthr) {
          const dt = f32x4.add(v128.and(minusOne, hi), v128.and(one, lo));
          v128.store(dthr + off, f32x4.add(v128.load(dthr + off), f32x4.mul(g, dt)));
        }
      }
    }
    for (; j < M; j++) {
      const off = <usize>j << 2;
      const g = load<f32>(dout + row + off);
      const p = load<f32>(prow + off);
      const t = load<f32>(thr + off);
      let dp: f32 = deadSlope;
      let dt: f32 = 0;
      if (p > t) { dp = 1; dt = -1; }
      if (sym && p < -t) { dp = p > t ? 2 : 1; dt += 1; }
      store<f32>(dpre + row + off, load<f32>(dpre + row + off) + g * dp);
      if (dthr) store<f32>(dthr + off, load<f32>(dthr + off) + g * dt);
    }
  }
}
