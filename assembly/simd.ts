// Vector helpers shared by the kernels, resolved at compile time for each of the three builds.

// a * b + c. The relaxed build emits one f32x4.relaxed_madd, which the runtime may fuse (one
// rounding) or not (two): results differ from the SIMD build in the last bits, never more.
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// sum of the four lanes
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// [hsum(a), hsum(b), hsum(c), hsum(d)]: a 4x4 transpose, then the lanes added in hsum's order
// (((x0 + x1) + x2) + x3), so each sum is bit-identical to hsum's, in 11 operations instead of 24.
// @ts-ignore: decorator
@inline export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab01 = v128.shuffle<f32>(a, b, 0, 4, 1, 5); // a0 b0 a1 b1
  const ab23 = v128.shuffle<f32>(a, b, 2, 6, 3, 7); // a2 b2 a3 b3
  const cd01 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  const cd23 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  const l0 = v128.shuffle<f32>(ab01, cd01, 0, 1, 4, 5); // a0 b0 c0 d0
  const l1 = v128.shuffle<f32>(ab01, cd01, 2, 3, 6, 7);
  const l2 = v128.shuffle<f32>(ab23, cd23, 0, 1, 4, 5);
  const l3 = v128.shuffle<f32>(ab23, cd23, 2, 3, 6, 7);
  return f32x4.add(f32x4.add(f32x4.add(l0, l1), l2), l3);
}
