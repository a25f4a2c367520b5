// The multiply-add rate this core gives WASM right now, with no memory traffic at all: what the
// benchmark reads the relaxed build's matrix kernels against, besides 16 flops per cycle at the
// measured clock. On a shared VM the two differ: the clock is measured by a chain of dependent
// integer adds, which a busy sibling hyper-thread does not slow, while the FMA pipes are shared.

// n rounds of 12 independent fused multiply-add chains (two FMA pipes x 4 cycles of latency need 8);
// returns the flops done, 0 on the builds without relaxed SIMD (there a multiply and an add are
// two instructions with twice the latency, and the loop would measure latency, not throughput).
// The chains' sum goes to out (one f32), so that no optimiser can drop the loop.
export function maddPeak(n: i32, out: usize): f64 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    const x = f32x4.splat(0.999), y = f32x4.splat(0.001);
    let a0 = f32x4.splat(0.1), a1 = f32x4.splat(0.2), a2 = f32x4.splat(0.3), a3 = f32x4.splat(0.4);
    let a4 = f32x4.splat(0.5), a5 = f32x4.splat(0.6), a6 = f32x4.splat(0.7), a7 = f32x4.splat(0.8);
    let a8 = f32x4.splat(0.9), a9 = f32x4.splat(1.0), a10 = f32x4.splat(1.1), a11 = f32x4.splat(1.2);
    for (let i = 0; i < n; i++) {
      a0 = f32x4.relaxed_madd(a0, x, y); a1 = f32x4.relaxed_madd(a1, x, y); a2 = f32x4.relaxed_madd(a2, x, y);
      a3 = f32x4.relaxed_madd(a3, x, y); a4 = f32x4.relaxed_madd(a4, x, y); a5 = f32x4.relaxed_madd(a5, x, y);
      a6 = f32x4.relaxed_madd(a6, x, y); a7 = f32x4.relaxed_madd(a7, x, y); a8 = f32x4.relaxed_madd(a8, x, y);
      a9 = f32x4.relaxed_madd(a9, x, y); a10 = f32x4.relaxed_madd(a10, x, y); a11 = f32x4.relaxed_madd(a11, x, y);
    }
    const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
    store<f32>(out, f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0));
    return <f64>n * 96;
  }
  return 0;
}
