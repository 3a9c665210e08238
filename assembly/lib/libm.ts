/**
 * sin and cos that return, bit for bit, what glibc 2.36 returns on x86_64
 * CPUs with FMA (the __sin_fma/__cos_fma variants its ifunc picks there),
 * which is what CPython's math.sin/math.cos, and so Gymnasium's CartPole,
 * computed when deepq's golden data was recorded. Every finite double takes
 * glibc's own path, including the huge-argument reduction. Also an f64x2
 * sincos for CartPole's vector env and the exact software fma both build
 * on; ./libm-wide.ts batches any angle, two lanes at a time, for Acrobot.
 *
 * The plain-TypeScript twin is test/oracles/libm.ts: the same algorithm, step for
 * step. Change both or neither.
 *
 * Algorithm
 * ---------
 * glibc's IBM Accurate Mathematical Library code (sysdeps/ieee754/dbl-64/
 * s_sin.c, branred.c): below |x| = 0.126 a Taylor polynomial; below 0.855 a
 * table of sin and cos at k/128 (./sincostab.ts) plus short polynomials in
 * the remainder; above, a reduction by pi/2 to those kernels, double-double
 * for |x| < 105414336 and __branred's base-2^24 digits of 2/pi beyond.
 *
 * Which multiply-adds are fused
 * -----------------------------
 * What separates builds of that code is contraction: the FMA variant is
 * compiled with -mfma and GCC fused each a*b + c it could. Read off the
 * disassembly of __sin_fma/__cos_fma in Debian's libm.so.6 (2.36-9), with
 * xx = x*x and the sites numbered:
 *   Taylor (a, da):  p = fma(fma(fma(fma(s5, xx, s4), xx, s3), xx, s2), xx, s1)   #0-3
 *                    a + fma(xx, fma(p, a, -0.5*da), da)                          #4-5
 *   do_sin (x, dx):  s = x + fma(x*xx, fma(xx, sn5, sn3), dx)                    #6-7
 *                    c = fma(x, dx, xx*fma(xx, fma(xx, cs6, cs4), cs2))           #8-10
 *                    cor = fma(s, cs, fma(-c, sn, fma(s, ccs, ssn)))              #11-13
 *                    result copysign(sn + cor, x)
 *   do_cos (x, dx):  s = fma(x*xx, fma(xx, sn5, sn3), x)                         #14-15
 *                    c = xx*fma(xx, fma(xx, cs6, cs4), cs2)                       #16-17
 *                    cor = fma(-s, sn, fma(-c, cs, fma(-s, ssn, ccs)))            #18-20
 *                    result cs + cor
 *   reduce_sincos:   t = fma(x, hpinv, toint)                                     #21
 *                    y = fma(-xn, mp2, fma(-xn, mp1, x))                          #22-23
 *                    t2 = fma(-xn, pp3, y); db = fma(-xn, pp3, y - t2)            #24-25
 *                    b = fma(-xn, pp4, t2); db += fma(-xn, pp4, t2 - b)           #26-27
 * __branred is not built for FMA and contains none.
 *
 * WebAssembly has no scalar fma and relaxed SIMD's madd may or may not fuse,
 * so a fused site is emulated exactly (fma below, ~30 flops), except where
 * a probe at start-up (assembly/fma.ts) found relaxed_madd fused: then one
 * relaxed_madd, the same bits. Which sites
 * can take a plain multiply and add instead was measured with a C model of
 * the above, each site switchable between fma() and a*b + c, against
 * libm.so.6 (scripts/measure-fma-sites.c; with every site fused the model
 * matched glibc on every input):
 * - One site unfused at a time, 7.2e8 inputs (2e8 |x| < 0.25, 2e8 |x| < 2.5,
 *   1e8 log-uniform 2^-30..2.6, 6e7 in 2..1.3e8, 1e8 in 2^27..2^1017, 6e7
 *   random bit patterns) gave differences at #3 (19 of 2e8 sin, |x| < 0.25),
 *   #4-5 (da != 0 only), #12, #13 (257127 of 2e8), #15 (1 of 2e8, |x| < 2.5),
 *   #19, #20, and none at the other sites.
 * - Zero observed is not zero, so each site's rate was also estimated as
 *   P(unfused intermediate differs) x P(a one-ulp change there flips the
 *   result), which reproduces the measured rates of #3, #12, #13, #19, #20.
 *   Estimates per call, |x| < 0.25: #0 6e-19, #1 3e-15, #2 2e-11, #6 9e-16,
 *   #8 9e-20, #9 3e-13, #11 < 1e-22, #14 5e-17, #16 3e-19, #17 7e-13,
 *   #18 3e-24; #7 with dx != 0 7e-10, #10 4e-21.
 * Rule: unfused where nothing was observed AND the estimate is below 1e-14
 * per call: #0, #1, #6, #8, #10, #11, #14, #16, #18. #22-25 multiply xn
 * (|xn| <= 2^26, so at most 26 bits) by mp1, mp2, pp3 (26, 27, 26 bits):
 * the product is exact and fused equals unfused. Everything else is
 * emulated; #4, #5 and #7 add the reduction tail, which is zero on the
 * direct paths, where the emulation is skipped (see fmaTail). The final
 * choice matched glibc on 1.1e9 further inputs over the six distributions,
 * and this file and its twin on 2.4e7 (the scalar, SIMD and TypeScript
 * functions alike; test/libm.test.ts keeps 20480 of them).
 */
import { SINCOSTAB } from "./sincostab";

// ---------------------------------------------------------------------------
// Exact fused multiply-add (Boldo & Melquiond, "Emulation of FMA and
// correctly rounded sums: proved algorithms using rounding to odd", 2008).

/** Veltkamp's constant 2^27 + 1: splits a double into two 26-bit halves. */
const SPLIT: f64 = 134217729.0;

/** The rounding error of p = a*b: a*b = p + error exactly (Dekker's TwoProduct). */
// @ts-ignore: decorator
@inline export function productError(a: f64, b: f64, p: f64): f64 {
  const ta = SPLIT * a;
  const ah = ta - (ta - a);
  const al = a - ah;
  const tb = SPLIT * b;
  const bh = tb - (tb - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** The rounding error of s = a + b: a + b = s + error exactly (Knuth's TwoSum). */
@inline function sumError(a: f64, b: f64, s: f64): f64 {
  const bv = s - a;
  return a - (s - bv) + (b - bv);
}

/**
 * a + b rounded to odd: the exact sum when representable, else whichever
 * neighbour has an odd last bit. Rounding the inner sum this way is what
 * keeps the final round-to-nearest from rounding twice.
 */
// @ts-ignore: decorator
@inline export function addOdd(a: f64, b: f64): f64 {
  const s = a + b;
  const e = sumError(a, b, s);
  const sb = reinterpret<i64>(s);
  // Truncate toward zero (one step down in magnitude when e points the
  // other way), then set the last bit.
  const odd = reinterpret<f64>((sb + ((sb ^ reinterpret<i64>(e)) >> 63)) | 1);
  return select<f64>(odd, s, e != 0);
}

/**
 * Whether f64x2.relaxed_madd fuses on this host, so that {@link fma} and
 * {@link fma2} take it instead of the emulation. Only the relaxed-SIMD build
 * can set it (see assembly/fma.ts, run once per instance); relaxed SIMD
 * leaves fusing to the engine and the CPU, so it is measured, never assumed.
 */
let hardwareFma = false;

/** Sets {@link hardwareFma}; `fused` must come from a probe on this host. */
export function setHardwareFma(fused: bool): void {
  hardwareFma = ASC_FEATURE_RELAXED_SIMD && fused;
}

/** Whether the fused relaxed_madd path is in use. */
export function usesHardwareFma(): bool {
  return hardwareFma;
}

/**
 * a*b + c rounded once, exactly as a hardware fma: relaxed_madd where it
 * fuses (one instruction), else emulated. The emulation holds for finite operands
 * whose product and sum stay below 2^1023 and whose product's rounding
 * error is normal (|a*b| above about 2^-969) or the product is exact; all
 * of deepq's uses are far inside that.
 */
// @ts-ignore: decorator
@inline export function fma(a: f64, b: f64, c: f64): f64 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (hardwareFma) return f64x2.extract_lane(f64x2.relaxed_madd(f64x2.splat(a), f64x2.splat(b), f64x2.splat(c)), 0);
  }
  return fmaSoftware(a, b, c);
}

/** The exact emulation of {@link fma} (Boldo & Melquiond's rounding to odd). */
// @ts-ignore: decorator
@inline export function fmaSoftware(a: f64, b: f64, c: f64): f64 {
  const p = a * b;
  const s = c + p;
  const v = addOdd(sumError(c, p, s), productError(a, b, p));
  // s + 0 would turn an exact -0 into +0.
  return select<f64>(s, s + v, v == 0);
}

/**
 * {@link productError} on each lane: one fused a*b - p where relaxed_madd
 * fuses (the error of a product is a double, so fma gives it exactly).
 */
// @ts-ignore: decorator
@inline export function productError2(a: v128, b: v128, p: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (hardwareFma) return f64x2.relaxed_madd(a, b, f64x2.neg(p));
  }
  return productErrorEmulated2(a, b, p);
}

// @ts-ignore: decorator
@inline function productErrorEmulated2(a: v128, b: v128, p: v128): v128 {
  const k = f64x2.splat(SPLIT);
  const ta = f64x2.mul(k, a);
  const ah = f64x2.sub(ta, f64x2.sub(ta, a));
  const al = f64x2.sub(a, ah);
  const tb = f64x2.mul(k, b);
  const bh = f64x2.sub(tb, f64x2.sub(tb, b));
  const bl = f64x2.sub(b, bh);
  const hh = f64x2.sub(f64x2.mul(ah, bh), p);
  return f64x2.add(f64x2.add(f64x2.add(hh, f64x2.mul(ah, bl)), f64x2.mul(al, bh)), f64x2.mul(al, bl));
}

@inline function sumError2(a: v128, b: v128, s: v128): v128 {
  const bv = f64x2.sub(s, a);
  return f64x2.add(f64x2.sub(a, f64x2.sub(s, bv)), f64x2.sub(b, bv));
}

@inline function addOdd2(a: v128, b: v128): v128 {
  const s = f64x2.add(a, b);
  const e = sumError2(a, b, s);
  const zero = f64x2.splat(0);
  // All ones (-1) where e and s differ in sign: sign compares on floats,
  // since SIMD has no cheap 64-bit arithmetic shift on x86.
  const down = v128.xor(f64x2.lt(s, zero), f64x2.lt(e, zero));
  const odd = v128.or(i64x2.add(s, down), i64x2.splat(1));
  return v128.bitselect(odd, s, f64x2.ne(e, zero));
}

/** {@link fma} on each lane of two f64x2. */
// @ts-ignore: decorator
@inline export function fma2(a: v128, b: v128, c: v128): v128 {
  return fma2On(a, b, c, hardwareFma);
}

/**
 * {@link fma2} with the path given: relaxed_madd where `fused` (the relaxed
 * SIMD build only), else the emulation.
 */
// @ts-ignore: decorator
@inline export function fma2On(a: v128, b: v128, c: v128, fused: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (fused) return f64x2.relaxed_madd(a, b, c);
  }
  const p = f64x2.mul(a, b);
  const s = f64x2.add(c, p);
  const v = addOdd2(sumError2(c, p, s), productErrorEmulated2(a, b, p));
  return v128.bitselect(s, f64x2.add(s, v), f64x2.eq(v, f64x2.splat(0)));
}

// ---------------------------------------------------------------------------
// glibc's constants (usncs.h, branred.h), as shortest round-trip decimals.

const S1: f64 = -0.16666666666666666;
const S2: f64 = 0.008333333333332329;
const S3: f64 = -0.00019841269834414642;
const S4: f64 = 2.755729806860771e-6;
const S5: f64 = -2.5022014848318398e-8;
const SN3: f64 = -0.16666666666666488;
const SN5: f64 = 0.008333332142857223;
const CS2: f64 = 0.5;
const CS4: f64 = -0.04166666666666644;
const CS6: f64 = 0.001388888740079376;
/** 1.5 * 2^45: adding it rounds |x| to a multiple of 1/128, the table step. */
const BIG: f64 = 52776558133248.0;
export const HP0: f64 = 1.5707963267948966;
export const HP1: f64 = 6.123233995736766e-17;
export const MP1: f64 = 1.5707963407039642;
export const MP2: f64 = -1.3909067564377153e-8;
export const PP3: f64 = -4.97899623147991e-17;
export const PP4: f64 = -1.9034889620193266e-25;
export const HPINV: f64 = 0.6366197723675814;
export const TOINT: f64 = 6755399441055744.0;
const TAYLOR_MAX: f64 = 0.126;
/** Bounds of s_sin.c's paths; its tests on the high word are these comparisons on |x|. */
const SIN_TINY: f64 = 1.4901161193847656e-8; // 2^-26
const COS_TINY: f64 = 7.450580596923828e-9; // 2^-27
const TABLE_MAX: f64 = 0.85546875; // high word 0x3feb6000
const HIGH_SIN_TINY: u32 = 0x3e500000;
const HIGH_COS_TINY: u32 = 0x3e400000;
const HIGH_TABLE_MAX: u32 = 0x3feb6000;
export const HIGH_SHIFT_MAX: u32 = 0x400368fd; // |x| < 2.4262638: one subtraction from pi/2
export const HIGH_REDUCE_MAX: u32 = 0x419921fb; // |x| < 105414336: reduce_sincos, else __branred
const HIGH_INF: u32 = 0x7ff00000;

/** |x|'s high 32 bits, what s_sin.c branches on. */
@inline function highWord(x: f64): u32 {
  return <u32>(reinterpret<u64>(x) >>> 32) & 0x7fffffff;
}

/**
 * fma whose addend is a reduction tail, zero on the direct paths: then
 * a*b + 0 already rounds like the fused operation and the emulation is
 * skipped (exact, signed zeros included).
 */
@inline function fmaTail(a: f64, b: f64, tail: f64): f64 {
  return tail == 0 ? a * b + tail : fma(a, b, tail);
}

/** Address of the table entry for |x| (< 0.855), whose u = BIG + |x| was computed. */
@inline function tableEntry(u: f64): usize {
  return SINCOSTAB + (<usize>(<u32>reinterpret<u64>(u)) << 5);
}

/** TAYLOR_SIN: sin(a + da) for |a| < 0.126. */
@inline function taylorSin(a: f64, da: f64): f64 {
  const xx = a * a;
  const p = fma(fma((S5 * xx + S4) * xx + S3, xx, S2), xx, S1);
  return a + fmaTail(xx, fmaTail(p, a, -0.5 * da), da);
}

/** do_sin: sin(x + dx) for |x| < 0.855. */
function doSin(x: f64, dx: f64): f64 {
  if (abs(x) < TAYLOR_MAX) return taylorSin(x, dx);
  if (x <= 0) dx = -dx;
  const u = BIG + abs(x);
  const r = abs(x) - (u - BIG);
  const t = tableEntry(u);
  const sn = load<f64>(t), ssn = load<f64>(t, 8), cs = load<f64>(t, 16), ccs = load<f64>(t, 24);
  const xx = r * r;
  const s = r + fmaTail(r * xx, xx * SN5 + SN3, dx);
  const c = r * dx + xx * fma(xx, xx * CS6 + CS4, CS2);
  const cor = fma(s, cs, fma(-c, sn, s * ccs + ssn));
  return copysign<f64>(sn + cor, x);
}

/** do_cos: cos(x + dx) for |x| < 0.855. */
function doCos(x: f64, dx: f64): f64 {
  if (x < 0) dx = -dx;
  const u = BIG + abs(x);
  const r = abs(x) - (u - BIG) + dx;
  const t = tableEntry(u);
  const sn = load<f64>(t), ssn = load<f64>(t, 8), cs = load<f64>(t, 16), ccs = load<f64>(t, 24);
  const xx = r * r;
  const s = fma(r * xx, xx * SN5 + SN3, r);
  const c = xx * fma(xx, xx * CS6 + CS4, CS2);
  const cor = fma(-s, sn, fma(-c, cs, -s * ssn + ccs));
  return cs + cor;
}

// A reduction's result x = n*pi/2 + (reducedHi + reducedLo); it returns n.
let reducedHi: f64 = 0;
let reducedLo: f64 = 0;

/** reduce_sincos, for 2.4262638 <= |x| < 105414336. */
function reduce(x: f64): i32 {
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  // Exact products (see the header), so these are the fused results.
  const y = x - xn * MP1 - xn * MP2;
  const t2 = y - xn * PP3;
  const db = y - t2 - xn * PP3;
  const b = fma(-xn, PP4, t2);
  reducedHi = b;
  reducedLo = db + fma(-xn, PP4, t2 - b);
  return <i32>reinterpret<u64>(t) & 3;
}

// __branred's constants: 2/pi in base 2^24 (75 digits) and its scales.
const TOVERP: usize = memory.data<f64>([
  10680707, 7228996, 1387004, 2578385, 16069853, 12639074, 9804092, 4427841,
  16666979, 11263675, 12935607, 2387514, 4345298, 14681673, 3074569, 13734428,
  16653803, 1880361, 10960616, 8533493, 3062596, 8710556, 7349940, 6258241,
  3772886, 3769171, 3798172, 8675211, 12450088, 3874808, 9961438, 366607,
  15675153, 9132554, 7151469, 3571407, 2607881, 12013382, 4155038, 6285869,
  7677882, 13102053, 15825725, 473591, 9065106, 15363067, 6271263, 9264392,
  5636912, 4652155, 7056368, 13614112, 10155062, 1944035, 9527646, 15080200,
  6658437, 6231200, 6832269, 16767104, 5075751, 3212806, 1398474, 7579849,
  6349435, 12618859, 4703257, 12806093, 14477321, 2786137, 12875403, 9837734,
  14528324, 13719321, 343717,
]);
const TM600: f64 = 2.409919865102884e-181; // 2^-600
const TM24: f64 = 5.960464477539063e-8; // 2^-24
const BR_BIG: f64 = 6755399441055744.0; // 1.5 * 2^52
const BR_BIG1: f64 = 27021597764222976.0; // 1.5 * 2^54
const BR_MP2: f64 = -1.3909067675399456e-8;

// One half of __branred: x * 2/pi = partInt + partHi + partLo, partInt an
// integer kept modulo 4 (in a double), the rest the fraction.
let partInt: f64 = 0;
let partHi: f64 = 0;
let partLo: f64 = 0;

@inline function branredPart(x: f64): void {
  let k = ((<i32>(reinterpret<u64>(x) >>> 52) & 2047) - 450) / 24;
  if (k < 0) k = 0;
  // 2^(576 - 24k) scales the digits so that the products stay in range.
  let gor = reinterpret<f64>(<u64>(1599 - 24 * k) << 52);
  const d = TOVERP + (<usize>k << 3);
  let r0 = x * load<f64>(d) * gor;
  gor *= TM24;
  let r1 = x * load<f64>(d, 8) * gor;
  gor *= TM24;
  let r2 = x * load<f64>(d, 16) * gor;
  gor *= TM24;
  const r3 = x * load<f64>(d, 24) * gor;
  gor *= TM24;
  const r4 = x * load<f64>(d, 32) * gor;
  gor *= TM24;
  const r5 = x * load<f64>(d, 40) * gor;
  let s = r0 + BR_BIG - BR_BIG;
  let sum = s;
  r0 -= s;
  s = r1 + BR_BIG - BR_BIG;
  sum += s;
  r1 -= s;
  s = r2 + BR_BIG - BR_BIG;
  sum += s;
  r2 -= s;
  let t = 0 + r5 + r4 + r3 + r2 + r1 + r0;
  let bb = r0 - t + r1 + r2 + r3 + r4 + r5;
  s = t + BR_BIG - BR_BIG;
  sum += s;
  t -= s;
  const b = t + bb;
  bb = t - b + bb;
  s = sum + BR_BIG1 - BR_BIG1;
  partInt = sum - s;
  partHi = b;
  partLo = bb;
}

/** __branred, for |x| >= 105414336. */
function branred(x: f64): i32 {
  x *= TM600;
  const t = x * SPLIT;
  const x1 = t - (t - x);
  const x2 = x - x1;
  branredPart(x1);
  const sum1 = partInt, b1 = partHi, bb1 = partLo;
  branredPart(x2);
  const sum2 = partInt, b2 = partHi, bb2 = partLo;
  let sum = sum1 + sum2;
  let b = b1 + b2;
  let bb = abs(b1) > abs(b2) ? b1 - b + b2 : b2 - b + b1;
  if (b > 0.5) {
    b -= 1.0;
    sum += 1.0;
  } else if (b < -0.5) {
    b += 1.0;
    sum -= 1.0;
  }
  let s = b + (bb + bb1 + bb2);
  let u = b - s + bb + (bb1 + bb2);
  b = s * SPLIT;
  const t1 = b - (b - s);
  const t2 = s - t1;
  b = s * HP0;
  bb = t1 * MP1 - b + t1 * BR_MP2 + t2 * MP1 + (t2 * BR_MP2 + s * HP1 + u * HP0);
  s = b + bb;
  u = b - s + bb;
  reducedHi = s;
  reducedLo = u;
  return <i32>sum & 3;
}

/** sin (cosine = 0) or cos (cosine = 1) of finite |x| >= 2.4262638; hx is its high word. */
function reduced(x: f64, hx: u32, cosine: i32): f64 {
  const n = (hx < HIGH_REDUCE_MAX ? reduce(x) : branred(x)) + cosine;
  const r = n & 1 ? doCos(reducedHi, reducedLo) : doSin(reducedHi, reducedLo);
  return n & 2 ? -r : r;
}

/** sin(x), identical to glibc 2.36's __sin_fma for every double. */
export function sin(x: f64): f64 {
  const hx = highWord(x);
  if (hx < HIGH_SIN_TINY) return x;
  if (hx < HIGH_TABLE_MAX) return doSin(x, 0);
  if (hx < HIGH_SHIFT_MAX) return copysign<f64>(doCos(HP0 - abs(x), HP1), x);
  if (hx < HIGH_INF) return reduced(x, hx, 0);
  return x / x;
}

/** cos(x), identical to glibc 2.36's __cos_fma for every double. */
export function cos(x: f64): f64 {
  const hx = highWord(x);
  if (hx < HIGH_COS_TINY) return 1.0;
  if (hx < HIGH_TABLE_MAX) return doCos(x, 0);
  if (hx < HIGH_SHIFT_MAX) {
    const y = HP0 - abs(x);
    const a = y + HP1;
    return doSin(a, y - a + HP1);
  }
  if (hx < HIGH_INF) return reduced(x, hx, 1);
  return x / x;
}

// ---------------------------------------------------------------------------
// Two lanes at once.

// Each f64x2 constant of the two-lane paths (sincos2 here, and
// ./libm-wide.ts's) sits in static data, both lanes, and is read with a
// load: V8 11 (Node 20) builds every v128.const from general registers,
// three instructions at each use, and these paths have about fifty. The
// bounds are s_sin.c's high words as doubles.
export const V_BIG = memory.data<f64>([BIG, BIG], 16);
export const V_SN3 = memory.data<f64>([SN3, SN3], 16);
export const V_SN5 = memory.data<f64>([SN5, SN5], 16);
export const V_CS2 = memory.data<f64>([CS2, CS2], 16);
export const V_CS4 = memory.data<f64>([CS4, CS4], 16);
export const V_CS6 = memory.data<f64>([CS6, CS6], 16);
export const V_S1 = memory.data<f64>([S1, S1], 16);
export const V_S2 = memory.data<f64>([S2, S2], 16);
export const V_S3 = memory.data<f64>([S3, S3], 16);
export const V_S4 = memory.data<f64>([S4, S4], 16);
export const V_S5 = memory.data<f64>([S5, S5], 16);
export const V_ONE = memory.data<f64>([1.0, 1.0], 16);
export const V_SIGN = memory.data<f64>([-0.0, -0.0], 16);
export const V_COS_TINY = memory.data<f64>([COS_TINY, COS_TINY], 16);
export const V_SIN_TINY = memory.data<f64>([SIN_TINY, SIN_TINY], 16);
export const V_TAYLOR_MAX = memory.data<f64>([TAYLOR_MAX, TAYLOR_MAX], 16);
export const V_TABLE_MAX = memory.data<f64>([TABLE_MAX, TABLE_MAX], 16);

// @ts-ignore: decorator
@inline export function vk(at: usize): v128 {
  return v128.load(at);
}

/** a where `mask` (all ones or all zeros in each 64-bit lane), else b: one blend instruction in the relaxed-SIMD build. */
// @ts-ignore: decorator
@inline export function select2(a: v128, b: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i64x2.relaxed_laneselect(a, b, mask);
  return v128.bitselect(a, b, mask);
}

/** sin of each lane of the last {@link sincos2} argument. */
export let sin2: v128 = f64x2(0, 0);
/** cos of each lane of the last {@link sincos2} argument. */
export let cos2: v128 = f64x2(0, 0);

/** TAYLOR_SIN's polynomial p of xx = x*x on both lanes (sites #0-3), fma fused where `fused`. */
// @ts-ignore: decorator
@inline export function taylorPolynomial2(xx: v128, fused: bool): v128 {
  const p3 = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(vk(V_S5), xx), vk(V_S4)), xx), vk(V_S3));
  return fma2On(fma2On(p3, xx, vk(V_S2), fused), xx, vk(V_S1), fused);
}

/** The Taylor path on both lanes (da = 0, so #4-5 are plain products), fma fused where `fused`. */
// @ts-ignore: decorator
@inline function taylorSin2(x: v128, fused: bool): v128 {
  const xx = f64x2.mul(x, x);
  return f64x2.add(x, f64x2.mul(xx, f64x2.mul(taylorPolynomial2(xx, fused), x)));
}

/**
 * sin(x) and cos(x) of both lanes, each bit-identical to {@link sin} and
 * {@link cos}; read the results from {@link sin2} and {@link cos2}. Lanes
 * below 0.855 in magnitude (every live CartPole angle) share one table
 * lookup and run vectorised with dx = 0, which makes #7 and #10 plain and
 * lets the two functions share their cos polynomial; a pair with a larger,
 * infinite or NaN lane goes lane by lane through the scalar functions.
 * `fused` is {@link usesHardwareFma}, read once by the caller so that its
 * loop holds no branch on it. Inlined: its one caller is a kernel's inner
 * loop (CartPole's vector step, once per pair of envs).
 */
// @ts-ignore: decorator
@inline export function sincos2(x: v128, fused: bool): void {
  const ax = f64x2.abs(x);
  if (!i64x2.all_true(f64x2.lt(ax, vk(V_TABLE_MAX)))) {
    const x0 = f64x2.extract_lane(x, 0);
    const x1 = f64x2.extract_lane(x, 1);
    sin2 = f64x2.replace_lane(f64x2.splat(sin(x0)), 1, sin(x1));
    cos2 = f64x2.replace_lane(f64x2.splat(cos(x0)), 1, cos(x1));
    return;
  }
  const u = f64x2.add(ax, vk(V_BIG));
  const r = f64x2.sub(ax, f64x2.sub(u, vk(V_BIG)));
  const t0 = tableEntry(f64x2.extract_lane(u, 0));
  const t1 = tableEntry(f64x2.extract_lane(u, 1));
  const lo0 = v128.load(t0);
  const lo1 = v128.load(t1);
  const hi0 = v128.load(t0, 16);
  const hi1 = v128.load(t1, 16);
  const sn = v128.shuffle<f64>(lo0, lo1, 0, 2);
  const ssn = v128.shuffle<f64>(lo0, lo1, 1, 3);
  const cs = v128.shuffle<f64>(hi0, hi1, 0, 2);
  const ccs = v128.shuffle<f64>(hi0, hi1, 1, 3);
  const xx = f64x2.mul(r, r);
  const rxx = f64x2.mul(r, xx);
  const ps = f64x2.add(f64x2.mul(xx, vk(V_SN5)), vk(V_SN3));
  const pc = f64x2.add(f64x2.mul(xx, vk(V_CS6)), vk(V_CS4));
  const c = f64x2.mul(xx, fma2On(xx, pc, vk(V_CS2), fused));

  // do_cos(x, 0): r + 0 is r.
  const sc = fma2On(rxx, ps, r, fused);
  const corc = fma2On(f64x2.neg(sc), sn, fma2On(f64x2.neg(c), cs, f64x2.sub(ccs, f64x2.mul(sc, ssn)), fused), fused);
  cos2 = select2(vk(V_ONE), f64x2.add(cs, corc), f64x2.lt(ax, vk(V_COS_TINY)));

  // do_sin(x, 0): the fma with dx = 0 rounds like r*xx*ps alone. Both
  // paths run on both lanes, and the Taylor lanes (|x| < 0.126) are
  // selected: cheaper than a branch on lanes that CartPole's angles cross
  // at random.
  const ss = f64x2.add(r, f64x2.mul(rxx, ps));
  const cors = fma2On(ss, cs, fma2On(f64x2.neg(c), sn, f64x2.add(f64x2.mul(ss, ccs), ssn), fused), fused);
  const table = v128.bitselect(x, f64x2.add(sn, cors), vk(V_SIGN));
  const s = select2(taylorSin2(x, fused), table, f64x2.lt(ax, vk(V_TAYLOR_MAX)));
  sin2 = select2(x, s, f64x2.lt(ax, vk(V_SIN_TINY)));
}
