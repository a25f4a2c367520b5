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
