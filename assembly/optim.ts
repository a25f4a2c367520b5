// Optimiser steps on flat parameter tensors of n floats.

// Adam with decoupled weight decay (AdamW); t is the 1-based step count used for bias correction.
// p, g, m, v are (n)
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, beta1: f32, beta2: f32,
                         eps: f32, weightDecay: f32, t: i32): void {
  const bc1 = <f32>(1 - Math.pow(<f64>beta1, <f64>t));
  const bc2 = <f32>(1 - Math.pow(<f64>beta2, <f64>t));
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Lane for lane the same operations as the scalar loop (no fused multiply-add), so the vector and
    // scalar paths, and any split of the tensor between threads, agree bit for bit.
    const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1), b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
    const vbc1 = f32x4.splat(bc1), vbc2 = f32x4.splat(bc2), veps = f32x4.splat(eps), vlr = f32x4.splat(lr), wd = f32x4.splat(weightDecay);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      const gi = v128.load(g + off);
      const mi = f32x4.add(f32x4.mul(b1, v128.load(m + off)), f32x4.mul(c1, gi));
      const vi = f32x4.add(f32x4.mul(b2, v128.load(v + off)), f32x4.mul(f32x4.mul(c2, gi), gi));
      v128.store(m + off, mi);
      v128.store(v + off, vi);
      const pi = v128.load(p + off);
      const update = f32x4.add(f32x4.div(f32x4.div(mi, vbc1), f32x4.add(f32x4.sqrt(f32x4.div(vi, vbc2)), veps)), f32x4.mul(wd, pi));
      v128.store(p + off, f32x4.sub(pi, f32x4.mul(vlr, update)));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const gi = load<f32>(g + off);
    const mi = beta1 * load<f32>(m + off) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + off) + (1 - beta2) * gi * gi;
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    const pi = load<f32>(p + off);
    store<f32>(p + off, pi - lr * ((mi / bc1) / (Mathf.sqrt(vi / bc2) + eps) + weightDecay * pi));
  }
}

// SGD with heavy-ball momentum and L2 weight decay folded into the gradient. p, g, mom are (n)
export function sgdStep(p: usize, g: usize, mom: usize, n: i32, lr: f32, momentum: f32, weightDecay: f32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    const pi = load<f32>(p + off);
    const u = momentum * load<f32>(mom + off) + load<f32>(g + off) + weightDecay * pi;
    store<f32>(mom + off, u);
    store<f32>(p + off, pi - lr * u);
  }
}

// p = max(p, lo); keeps thresholds non-negative after a step. p is (n)
export function clampMin(p: usize, n: i32, lo: f32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(p + off, max(load<f32>(p + off), lo));
  }
}
