/**
 * sin and cos of both lanes within {@link NEAR_BOUND} of glibc's results
 * (relative), at a fraction of the cost of the bit-exact paths, for callers
 * whose results depend on sin or cos only through a decision that a bound
 * can settle: Acrobot's observation rounds cos and sin of theta1 to
 * float32, and its terminal test compares -cos(theta1) - cos(theta2 +
 * theta1) with 1. Such a caller takes the approximation where every value
 * within the bound gives the same float32 ({@link settled32}) or the same
 * comparison, and the exact path elsewhere, so that its results are
 * glibc's bit for bit either way.
 *
 * The error: reduce_sincos's x = n pi/2 + hi (its lo, at most half an ulp
 * of hi, dropped), then the Taylor series of sin and cos to r^15 and r^16
 * on |hi| <= pi/4 (truncation under 2^-53 relative), evaluated by Horner
 * with fused multiply-adds (a few ulps): under 2^-50 relative to the true
 * value, where glibc's results are within 2^-52; 2^-44 leaves a margin of
 * 32. test/libm.test.ts measures it against the exact path (2^-52 at
 * most on its inputs, nine in ten bit-identical). For |x| below
 * {@link NEAR_MAX} only (the caller checks); fused multiply-adds as
 * ./libm-wide.ts's, so call it where relaxed_madd fuses.
 */
import { fma2On, select2, V_ONE, V_SIGN, vk } from "./libm";
import { quadrant2, reducedHi2, V_I1, V_I2 } from "./libm-wide";

/** The relative bound of {@link sinNear2} and {@link cosNear2} against glibc's sin and cos. */
export const NEAR_BOUND: f64 = 5.684341886080802e-14; // 2^-44
/** The largest |x| they take: far inside reduce_sincos's range, and Acrobot's angles and their sums stay below 2 pi. */
export const NEAR_MAX: f64 = 1048576.0; // 2^20

// 1/n! with alternating signs, the Taylor coefficients.
const V_SIN = memory.data<f64>([
  -1.0 / 6.0, -1.0 / 6.0, 1.0 / 120.0, 1.0 / 120.0, -1.0 / 5040.0, -1.0 / 5040.0, 1.0 / 362880.0, 1.0 / 362880.0,
  -1.0 / 39916800.0, -1.0 / 39916800.0, 1.0 / 6227020800.0, 1.0 / 6227020800.0, -1.0 / 1307674368000.0, -1.0 / 1307674368000.0,
], 16);
const V_COS = memory.data<f64>([
  -0.5, -0.5, 1.0 / 24.0, 1.0 / 24.0, -1.0 / 720.0, -1.0 / 720.0, 1.0 / 40320.0, 1.0 / 40320.0, -1.0 / 3628800.0, -1.0 / 3628800.0,
  1.0 / 479001600.0, 1.0 / 479001600.0, -1.0 / 87178291200.0, -1.0 / 87178291200.0, 1.0 / 20922789888000.0, 1.0 / 20922789888000.0,
], 16);
const V_BOUND = memory.data<f64>([NEAR_BOUND, NEAR_BOUND], 16);

/** The f64x2 coefficient i of the table at `c`. */
// @ts-ignore: decorator
@inline function coefficient(c: usize, i: i32): v128 {
  return vk(c + (<usize>i << 4));
}

/** Horner's step p z + c for the f64x2 coefficient i of the table at `c`. */
// @ts-ignore: decorator
@inline function step(p: v128, z: v128, c: usize, i: i32): v128 {
  return fma2On(p, z, coefficient(c, i), true);
}

/**
 * cos(r) on the lanes of `odd`, sin(r) on the others, for |r| <= pi/4:
 * r + r^3 (s0 + r^2 (s1 + ... s6)) and 1 + r^2 (c0 + r^2 (c1 + ... c7)),
 * evaluated side by side.
 */
// @ts-ignore: decorator
@inline function series(r: v128, odd: v128): v128 {
  const z = f64x2.mul(r, r);
  let ps = step(coefficient(V_SIN, 6), z, V_SIN, 5);
  let pc = step(step(coefficient(V_COS, 7), z, V_COS, 6), z, V_COS, 5);
  ps = step(ps, z, V_SIN, 4);
  pc = step(pc, z, V_COS, 4);
  ps = step(ps, z, V_SIN, 3);
  pc = step(pc, z, V_COS, 3);
  ps = step(ps, z, V_SIN, 2);
  pc = step(pc, z, V_COS, 2);
  ps = step(ps, z, V_SIN, 1);
  pc = step(pc, z, V_COS, 1);
  ps = step(ps, z, V_SIN, 0);
  pc = step(pc, z, V_COS, 0);
  return select2(fma2On(z, pc, vk(V_ONE), true), fma2On(f64x2.mul(r, z), ps, r, true), odd);
}

/** sin (`shift` 0) or cos (`shift` 1) of both lanes: quadrant n + shift takes sin(hi), cos(hi), -sin(hi), -cos(hi). */
// @ts-ignore: decorator
@inline function near2(x: v128, shift: bool): v128 {
  const t = quadrant2(x);
  const hi = reducedHi2(x, t);
  const n = shift ? i64x2.add(t, vk(V_I1)) : t;
  const odd = i64x2.eq(v128.and(n, vk(V_I1)), vk(V_I1));
  const negated = v128.and(i64x2.eq(v128.and(n, vk(V_I2)), vk(V_I2)), vk(V_SIGN));
  return v128.xor(series(hi, odd), negated);
}

/** sin of both lanes within NEAR_BOUND (relative) of glibc's, for |x| < NEAR_MAX. */
// @ts-ignore: decorator
@inline export function sinNear2(x: v128): v128 {
  return near2(x, false);
}

/** cos of both lanes within NEAR_BOUND (relative) of glibc's, for |x| < NEAR_MAX. */
// @ts-ignore: decorator
@inline export function cosNear2(x: v128): v128 {
  return near2(x, true);
}

/**
 * All ones in i32 lanes 0 and 1 where every value within NEAR_BOUND of f64
 * lane 0 and lane 1 of `y` (finite) rounds to the same float32 (then so
 * does glibc's), and in lanes 2 and 3.
 */
// @ts-ignore: decorator
@inline export function settled32(y: v128): v128 {
  const slack = f64x2.mul(f64x2.abs(y), vk(V_BOUND));
  return i32x4.eq(f32x4.demote_f64x2_zero(f64x2.sub(y, slack)), f32x4.demote_f64x2_zero(f64x2.add(y, slack)));
}
