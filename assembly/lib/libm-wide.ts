/**
 * sin and cos of many angles at once, any finite angle, each lane bit for
 * bit {@link sin} and {@link cos} of ./libm.ts (glibc 2.36's __sin_fma and
 * __cos_fma): Acrobot's vector step takes 5 sincos and 9 cos an env-step,
 * of angles that fall on every one of s_sin.c's paths. CartPole's angles
 * stay in the table range, where ./libm.ts's sincos2 is cheaper.
 *
 * A batch of up to {@link MANY_PAIRS} f64x2 runs in three passes:
 * 1. arguments: per result, the s_sin.c kernel it ends in, do_sin or
 *    do_cos, and that kernel's argument (a, da): the table range's (x, 0),
 *    the shift range's pi/2 - |x| forms, or reduce_sincos's (hi, lo) and
 *    quadrant beyond; then the kernel's first steps, its table rows and r,
 *    and the sign to flip afterwards ({@link putSlot}).
 * 2. kernel: the rest of it, {@link kernelPair}, on every slot, do_sin and
 *    do_cos lanes alike (see there); then TAYLOR_SIN on the slots pass 1
 *    listed as having a do_sin lane below 0.126.
 * 3. finish: the flip, the tiny arguments, and any pair with a lane at or
 *    past 105414336, infinite or NaN through the scalar functions.
 * Passes rather than one function per pair: each pass's iterations are
 * short and independent, so the CPU overlaps several of them instead of
 * waiting out one pair's chain from argument to result. The kernel's chain
 * is the longest (a load of the table, then a dozen dependent operations),
 * which is why pass 1 takes its first steps: 7% on Acrobot's step.
 *
 * Every fma site is one relaxed_madd: Acrobot calls these only where
 * relaxed_madd fuses (assembly/fma.ts); the plain SIMD build emulates them,
 * exact but slower than the scalar functions, for the tests.
 */
import { cos, fma2On, select2, sin, taylorPolynomial2, V_BIG, V_CS2, V_CS4, V_CS6, V_SIGN, V_SIN_TINY, V_SN3, V_SN5, V_TABLE_MAX, V_TAYLOR_MAX, vk } from "./libm";
import { HIGH_REDUCE_MAX, HIGH_SHIFT_MAX, HP0, HP1, HPINV, MP1, MP2, PP3, PP4, TOINT } from "./libm";
import { SINCOSTAB } from "./sincostab";

const V_HP0 = memory.data<f64>([HP0, HP0], 16);
const V_HP1 = memory.data<f64>([HP1, HP1], 16);
const V_HPINV = memory.data<f64>([HPINV, HPINV], 16);
const V_TOINT = memory.data<f64>([TOINT, TOINT], 16);
const V_MP1 = memory.data<f64>([MP1, MP1], 16);
const V_MP2 = memory.data<f64>([MP2, MP2], 16);
const V_PP3 = memory.data<f64>([PP3, PP3], 16);
const V_PP4 = memory.data<f64>([PP4, PP4], 16);
const V_MINUS_HALF = memory.data<f64>([-0.5, -0.5], 16);
const V_SHIFT_MAX = memory.data<u64>([<u64>HIGH_SHIFT_MAX << 32, <u64>HIGH_SHIFT_MAX << 32], 16);
const V_REDUCE_MAX = memory.data<u64>([<u64>HIGH_REDUCE_MAX << 32, <u64>HIGH_REDUCE_MAX << 32], 16);
/** The quadrant's bits in i64 lanes. */
export const V_I1 = memory.data<u64>([1, 1], 16);
export const V_I2 = memory.data<u64>([2, 2], 16);

// reduce_sincos (see ./libm.ts's reduce) on both lanes: x = n pi/2 + (hi + lo).

/** fma(x, 2/pi, 1.5 * 2^52): its low bits are the quadrant n, and minus the constant it is n. */
// @ts-ignore: decorator
@inline export function quadrant2(x: v128): v128 {
  return fma2On(x, vk(V_HPINV), vk(V_TOINT), true);
}

/** n as a double, `t` its {@link quadrant2}. */
// @ts-ignore: decorator
@inline function quadrantValue(t: v128): v128 {
  return f64x2.sub(t, vk(V_TOINT));
}

/** x - n*MP1 - n*MP2: exact products (see ./libm.ts), so these are the fused results. */
// @ts-ignore: decorator
@inline function reducedY2(x: v128, t: v128): v128 {
  const xn = quadrantValue(t);
  return f64x2.sub(f64x2.sub(x, f64x2.mul(xn, vk(V_MP1))), f64x2.mul(xn, vk(V_MP2)));
}

/** y - n*PP3: hi before its last correction. */
// @ts-ignore: decorator
@inline function reducedT2(x: v128, t: v128): v128 {
  return f64x2.sub(reducedY2(x, t), f64x2.mul(quadrantValue(t), vk(V_PP3)));
}

/** The reduction's hi, `t` its {@link quadrant2}. */
// @ts-ignore: decorator
@inline export function reducedHi2(x: v128, t: v128): v128 {
  return fma2On(f64x2.neg(quadrantValue(t)), vk(V_PP4), reducedT2(x, t), true);
}

/** The reduction's lo, `hi` its {@link reducedHi2}. */
// @ts-ignore: decorator
@inline function reducedLo2(x: v128, t: v128, hi: v128): v128 {
  const xn = quadrantValue(t);
  const t2 = reducedT2(x, t);
  const db = f64x2.sub(f64x2.sub(reducedY2(x, t), t2), f64x2.mul(xn, vk(V_PP3)));
  return f64x2.add(db, fma2On(f64x2.neg(xn), vk(V_PP4), f64x2.sub(t2, hi), true));
}

/**
 * SINCOSTAB's rows rearranged for do_cos: (cs, ccs, -sn, -ssn) where
 * SINCOSTAB has (sn, ssn, cs, ccs), so that {@link kernelPair} reads its
 * four values in one order for both kernels (see there). Filled from
 * SINCOSTAB when the module starts, rather than stored a second time.
 */
const COSTAB: usize = memory.data(3520, 16);
for (let row: usize = 0; row < 3520; row += 32) {
  store<f64>(COSTAB + row, load<f64>(SINCOSTAB + row, 16));
  store<f64>(COSTAB + row, load<f64>(SINCOSTAB + row, 24), 8);
  store<f64>(COSTAB + row, -load<f64>(SINCOSTAB + row), 16);
  store<f64>(COSTAB + row, -load<f64>(SINCOSTAB + row, 8), 24);
}
/** COSTAB's offset from SINCOSTAB, in both i64 lanes: added to a do_cos lane's row offset. */
const V_COSTAB = memory.data<u64>([<u64>(COSTAB - SINCOSTAB), <u64>(COSTAB - SINCOSTAB)], 16);

/** Pairs {@link cosWideMany} and {@link sincosWideMany} take at once. */
export const MANY_PAIRS = 32;
// The slots of the passes, two per pair (sincos needs a kernel for each
// result), one f64x2 each: do_sin's or do_cos's (a, da) (for TAYLOR_SIN),
// all ones on the do_cos lanes, the kernel's r, its dx on the do_sin lanes
// (zero on the others), the sign bits to flip in the result, and the
// result; and each lane's table row, as a byte offset (two u32 a slot).
const SLOTS = MANY_PAIRS * 2;
const SLOT_A = memory.data(SLOTS * 16, 16);
const SLOT_DA = memory.data(SLOTS * 16, 16);
const SLOT_COS = memory.data(SLOTS * 16, 16);
const SLOT_R = memory.data(SLOTS * 16, 16);
const SLOT_DXS = memory.data(SLOTS * 16, 16);
const SLOT_FLIP = memory.data(SLOTS * 16, 16);
const SLOT_K = memory.data(SLOTS * 16, 16);
const SLOT_ROWS = memory.data(SLOTS * 8, 16);
/** The byte offsets of the slots that need TAYLOR_SIN (see {@link kernelPass}). */
const TAYLOR_SLOTS = memory.data(SLOTS * 4, 16);

/**
 * do_sin(a, da) on the lanes outside `isCos` and do_cos(a, da) on those in
 * it (|a| < 0.855), as one computation, from pass 1's r, dx (`dxs`, zero on
 * do_cos lanes) and rows: the two differ only in which table values play
 * which part, whether dx joins r or s and c, and do_sin's copysign (in the
 * slot's flip), so each lane selects those, and COSTAB's rows are
 * SINCOSTAB's permuted and negated to make
 *   do_sin: sn + fma(s, cs, fma(-c, sn, s*ccs + ssn))
 *   do_cos: cs + fma(-s, sn, fma(-c, cs, -s*ssn + ccs))
 * one q + fma(s, p, fma(-c, q, s*rr + tt)). The sums with zero that merge
 * them are exact: r and c are never -0 there. do_sin below 0.126 is
 * TAYLOR_SIN instead, which {@link kernelPass} puts in afterwards. Caller:
 * kernelPass, once a slot.
 */
// @ts-ignore: decorator
@inline function kernelPair(r: v128, dxs: v128, row0: usize, row1: usize, isCos: v128): v128 {
  const lo0 = v128.load(row0, SINCOSTAB);
  const lo1 = v128.load(row1, SINCOSTAB);
  const hi0 = v128.load(row0, SINCOSTAB + 16);
  const hi1 = v128.load(row1, SINCOSTAB + 16);
  const xx = f64x2.mul(r, r);
  const ps = f64x2.add(f64x2.mul(xx, vk(V_SN5)), vk(V_SN3));
  const pc = f64x2.add(f64x2.mul(xx, vk(V_CS6)), vk(V_CS4));
  // do_sin: s = r + fma(r xx, ps, dx); do_cos: s = fma(r xx, ps, r).
  const s = f64x2.add(fma2On(f64x2.mul(r, xx), ps, select2(r, dxs, isCos), true), v128.andnot(r, isCos));
  const c = f64x2.add(f64x2.mul(r, dxs), f64x2.mul(xx, fma2On(xx, pc, vk(V_CS2), true)));
  const q = v128.shuffle<f64>(lo0, lo1, 0, 2);
  const tt = v128.shuffle<f64>(lo0, lo1, 1, 3);
  const p = v128.shuffle<f64>(hi0, hi1, 0, 2);
  const rr = v128.shuffle<f64>(hi0, hi1, 1, 3);
  return f64x2.add(q, fma2On(s, p, fma2On(f64x2.neg(c), q, f64x2.add(f64x2.mul(s, rr), tt), true), true));
}

/** The do_sin lanes of slot (a, isCos) below 0.126, where s_sin.c takes TAYLOR_SIN instead of the table. */
// @ts-ignore: decorator
@inline function taylorLanes(a: v128, isCos: v128): v128 {
  return v128.andnot(f64x2.lt(f64x2.abs(a), vk(V_TAYLOR_MAX)), isCos);
}

/** TAYLOR_SIN(a, da) on both lanes. */
// @ts-ignore: decorator
@inline function taylorPair(a: v128, da: v128): v128 {
  const aa = f64x2.mul(a, a);
  return f64x2.add(a, fma2On(aa, fma2On(taylorPolynomial2(aa, true), a, f64x2.mul(vk(V_MINUS_HALF), da), true), da, true));
}

/**
 * Pass 2: {@link kernelPair} on the first `n` slots, then TAYLOR_SIN on the
 * `taylor` slots listed at TAYLOR_SLOTS (a fifth of Acrobot's do_sin lanes
 * at random: a list, where a branch per slot would be mispredicted often).
 */
function kernelPass(n: i32, taylor: i32): void {
  for (let at: usize = 0, end = <usize>n << 4; at < end; at += 16) {
    const rows = at >> 1;
    v128.store(at, kernelPair(v128.load(at, SLOT_R), v128.load(at, SLOT_DXS), <usize>load<u32>(rows, SLOT_ROWS), <usize>load<u32>(rows, SLOT_ROWS + 4), v128.load(at, SLOT_COS)), SLOT_K);
  }
  for (let j: usize = 0, end = <usize>taylor << 2; j < end; j += 4) {
    const at = <usize>load<u32>(j, TAYLOR_SLOTS);
    const a = v128.load(at, SLOT_A);
    // The slot's flip holds do_sin's copysign, which TAYLOR_SIN's result must not get.
    const k = v128.xor(taylorPair(a, v128.load(at, SLOT_DA)), v128.and(a, vk(V_SIGN)));
    v128.store(at, select2(k, v128.load(at, SLOT_K), taylorLanes(a, v128.load(at, SLOT_COS))), SLOT_K);
  }
}

/**
 * Writes slot byte `at`: do_sin(a, da) on the lanes outside `isCos`,
 * do_cos(a, da) on those in it, then the sign bits `flip`, with the
 * kernel's first steps (u, r, dx and the rows, as do_sin and do_cos begin);
 * lists the slot at TAYLOR_SLOTS[taylor] if a lane needs TAYLOR_SIN
 * (branch-free). Returns the new count of listed slots.
 */
// @ts-ignore: decorator
@inline function putSlot(at: usize, a: v128, da: v128, isCos: v128, flip: v128, taylor: i32): i32 {
  const ax = f64x2.abs(a);
  const u = f64x2.add(ax, vk(V_BIG));
  // dx negated where a < 0 (do_sin's a <= 0 differs at a = 0 only, a Taylor lane).
  const dx = v128.xor(da, v128.and(a, vk(V_SIGN)));
  v128.store(at, f64x2.add(f64x2.sub(ax, f64x2.sub(u, vk(V_BIG))), v128.and(dx, isCos)), SLOT_R);
  v128.store(at, v128.andnot(dx, isCos), SLOT_DXS);
  // The rows: u's low bits are |a| * 128, rows are 32 bytes.
  v128.store64_lane(at >> 1, i32x4.shuffle(i64x2.add(i64x2.shl(u, 5), v128.and(isCos, vk(V_COSTAB))), u, 0, 2, 0, 2), 0, SLOT_ROWS);
  v128.store(at, a, SLOT_A);
  v128.store(at, da, SLOT_DA);
  v128.store(at, isCos, SLOT_COS);
  // do_sin's copysign(sn + cor, a): sn + cor > 0 past the Taylor range.
  v128.store(at, v128.xor(flip, v128.andnot(v128.and(a, vk(V_SIGN)), isCos)), SLOT_FLIP);
  store<u32>(<usize>taylor << 2, <u32>at, TAYLOR_SLOTS);
  return taylor + <i32>v128.any_true(taylorLanes(a, isCos));
}

/**
 * Pass 1 for the pair `v` at byte `at` of the slots: cos's kernel argument
 * there, and sin's `sinAt` bytes further where `withSin`. Per lane, s_sin.c
 * runs: below TABLE_MAX, do_sin(x, 0) for sin and do_cos(x, 0) for cos; in
 * the shift range, with y = pi/2 - |x| (exact), copysign(do_cos(y, HP1), x)
 * and do_sin(y + HP1, y - (y + HP1) + HP1); beyond, reduce_sincos's
 * x = n pi/2 + (hi + lo) and quadrant n for sin, n + 1 for cos (odd:
 * do_cos, bit 1: negated). The reduction runs only for pairs that reach
 * past the shift range. Lanes past the reduction's range get a harmless
 * argument; pass 3 replaces their results.
 */
// @ts-ignore: decorator
@inline function argumentsPair(v: v128, at: usize, withSin: bool, sinAt: usize, taylor: i32): i32 {
  const ax = f64x2.abs(v);
  const table = f64x2.lt(ax, vk(V_TABLE_MAX));
  const belowShift = f64x2.lt(ax, vk(V_SHIFT_MAX));
  const sy = f64x2.sub(vk(V_HP0), ax);
  const sa = f64x2.add(sy, vk(V_HP1));
  const sda = f64x2.add(f64x2.sub(sy, sa), vk(V_HP1));
  if (i64x2.all_true(belowShift)) {
    taylor = putSlot(at, select2(v, sa, table), v128.andnot(sda, table), table, f64x2.splat(0), taylor);
    if (withSin) taylor = putSlot(at + sinAt, select2(v, sy, table), v128.andnot(vk(V_HP1), table), v128.not(table), v128.and(v128.andnot(v, table), vk(V_SIGN)), taylor);
    return taylor;
  }
  const t = quadrant2(v);
  const hi = reducedHi2(v, t);
  const lo = reducedLo2(v, t, hi);
  const shift = v128.andnot(belowShift, table);
  const inRange = f64x2.lt(ax, vk(V_REDUCE_MAX));
  if (!i64x2.all_true(inRange)) outOfRange = true;
  const n1 = i64x2.add(t, vk(V_I1));
  const cosA = v128.and(select2(v, select2(sa, hi, shift), table), inRange);
  const cosDa = v128.and(v128.andnot(select2(sda, lo, shift), table), inRange);
  const cosIsCos = v128.or(table, v128.andnot(i64x2.eq(v128.and(n1, vk(V_I1)), vk(V_I1)), belowShift));
  const cosFlip = v128.and(v128.andnot(i64x2.eq(v128.and(n1, vk(V_I2)), vk(V_I2)), belowShift), vk(V_SIGN));
  taylor = putSlot(at, cosA, cosDa, cosIsCos, cosFlip, taylor);
  if (withSin) {
    const sinA = v128.and(select2(v, select2(sy, hi, shift), table), inRange);
    const sinDa = v128.and(v128.andnot(select2(vk(V_HP1), lo, shift), table), inRange);
    const sinIsCos = v128.or(shift, v128.andnot(i64x2.eq(v128.and(t, vk(V_I1)), vk(V_I1)), belowShift));
    // Negated in quadrants 2 and 3; copysign(do_cos(y, HP1), x) in the shift range (do_cos > 0 there).
    const negated = v128.andnot(i64x2.eq(v128.and(t, vk(V_I2)), vk(V_I2)), belowShift);
    taylor = putSlot(at + sinAt, sinA, sinDa, sinIsCos, v128.and(v128.or(negated, v128.and(shift, v)), vk(V_SIGN)), taylor);
  }
  return taylor;
}

/** Whether a pair of the batch has a lane past pass 1's range: set by pass 1, read by pass 3. */
let outOfRange = false;

/** Pass 3's result at slot byte `at`: the kernel's, with the slot's sign bits flipped. */
// @ts-ignore: decorator
@inline function flipped(at: usize): v128 {
  return v128.xor(v128.load(at, SLOT_K), v128.load(at, SLOT_FLIP));
}

/** sin's result at slot byte `at` for the pair `v`: {@link flipped}, and v itself below 2^-26 (its Taylor series would turn -0 into +0). */
// @ts-ignore: decorator
@inline function sinResult(v: v128, at: usize): v128 {
  return select2(v, flipped(at), f64x2.lt(f64x2.abs(v), vk(V_SIN_TINY)));
}

/**
 * cos of the `pairs` (up to {@link MANY_PAIRS}) f64x2 at `x` into `out`
 * (which may be `x`), each lane bit-identical to {@link cos}. s_sin.c's
 * 1.0 below 2^-27 needs no case of its own: do_cos(x, 0) rounds to 1.0
 * there. Callers: Acrobot's vector step, once a stage (both of _dsdt's cos
 * for a block) and once for its terminal test.
 */
export function cosWideMany(x: usize, out: usize, pairs: i32): void {
  const end = <usize>pairs << 4;
  let taylor = 0;
  outOfRange = false;
  for (let at: usize = 0; at < end; at += 16) taylor = argumentsPair(v128.load(x + at), at, false, 0, taylor);
  kernelPass(pairs, taylor);
  for (let at: usize = 0; at < end; at += 16) {
    const v = v128.load(x + at);
    if (!outOfRange || inRange(v)) {
      v128.store(out + at, flipped(at));
    } else {
      v128.store(out + at, f64x2.replace_lane(f64x2.splat(cos(f64x2.extract_lane(v, 0))), 1, cos(f64x2.extract_lane(v, 1))));
    }
  }
}

/**
 * sin and cos of the `pairs` (up to {@link MANY_PAIRS}) f64x2 at `x` into
 * `sinOut` and `cosOut` (either may be `x`), each lane bit-identical to
 * {@link sin} and {@link cos}. Callers: Acrobot's vector step, once a
 * stage (theta2) and once for the observation (both angles), for a block.
 */
export function sincosWideMany(x: usize, sinOut: usize, cosOut: usize, pairs: i32): void {
  const end = <usize>pairs << 4;
  let taylor = 0;
  outOfRange = false;
  for (let at: usize = 0; at < end; at += 16) taylor = argumentsPair(v128.load(x + at), at, true, end, taylor);
  kernelPass(pairs << 1, taylor);
  for (let at: usize = 0; at < end; at += 16) {
    const v = v128.load(x + at);
    if (!outOfRange || inRange(v)) {
      v128.store(cosOut + at, flipped(at));
      v128.store(sinOut + at, sinResult(v, at + end));
    } else {
      const x0 = f64x2.extract_lane(v, 0);
      const x1 = f64x2.extract_lane(v, 1);
      v128.store(sinOut + at, f64x2.replace_lane(f64x2.splat(sin(x0)), 1, sin(x1)));
      v128.store(cosOut + at, f64x2.replace_lane(f64x2.splat(cos(x0)), 1, cos(x1)));
    }
  }
}

/** Whether both lanes of `v` are finite and below 105414336 in magnitude, the range of pass 1. */
// @ts-ignore: decorator
@inline function inRange(v: v128): bool {
  return i64x2.all_true(f64x2.lt(f64x2.abs(v), vk(V_REDUCE_MAX)));
}
