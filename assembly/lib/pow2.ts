/**
 * x**2 as numpy computes it for a float64 scalar: libm's pow(x, 2.0), which
 * is not always x*x. glibc 2.36's pow (the __pow_fma variant x86-64 CPUs
 * with FMA run; sysdeps/ieee754/dbl-64/e_pow.c) computes exp(2 log x) in
 * extra precision and rounds once, so where the exact square lies close to
 * a rounding midpoint it may round the other way than x*x: on 8.4e-4 of
 * random inputs. Gymnasium's Acrobot squares velocities with `**`, 12
 * times a step (assembly/acrobot.ts calls this).
 *
 * The fast path: the exact error e of p = x*x (a + b exact products) says
 * how far the exact square lies from the midpoint towards p's neighbour.
 * e_pow.c bounds its error before the rounding by 0.009 ulp (exp) plus
 * |2 log x| * 1.3 * 2^-68 relative (log): under 0.0095 ulp for 2^-16 <= |x|
 * <= 2^16, where a square more than 0.02 ulp from the midpoint can only
 * round to p (scripts/measure-pow2-margin.c: on 1e9 inputs there, those
 * that differ lie within 0.0088 ulp). Other |x| keep a margin of 0.05 of
 * the gap (|x| up to 2^480 adds 0.026 ulp). Otherwise (4% of calls on
 * Acrobot's velocities) the exact path reproduces pow's log and exp, their
 * tables (./powtab.ts) and every fused multiply-add of the disassembled
 * __pow_fma, matched against glibc on 2e7 inputs (|x| < 30). Inputs with
 * |x| outside [2^-480, 2^480] (never Acrobot's) take x*x.
 */
import { fma, fma2, productError, productError2 } from "./libm";
import { EXP_TAB, POW_LOG_TAB } from "./powtab";

const LN2HI = reinterpret<f64>(0x3fe62e42fefa3800);
const LN2LO = reinterpret<f64>(0x3d2ef35793c76730);
const A0: f64 = -0.5;
const A1 = reinterpret<f64>(0xbfe5555555555560);
const A2 = reinterpret<f64>(0x3fe0000000000006);
const A3 = reinterpret<f64>(0x3fe999999959554e);
const A4 = reinterpret<f64>(0xbfe555555529a47a);
const A5 = reinterpret<f64>(0xbff2495b9b4845e9);
const A6 = reinterpret<f64>(0x3ff0002b8b263fc3);
const INV_LN2_N = reinterpret<f64>(0x40671547652b82fe);
const NEG_LN2_HI_N = reinterpret<f64>(0xbf762e42fefa0000);
const NEG_LN2_LO_N = reinterpret<f64>(0xbd0cf79abc9e3b3a);
const C2 = reinterpret<f64>(0x3fdffffffffffdbd);
const C3 = reinterpret<f64>(0x3fc555555555543c);
const C4 = reinterpret<f64>(0x3fa55555cf172b91);
const C5 = reinterpret<f64>(0x3f81111167a4d017);
const SHIFT: f64 = 6755399441055744.0; // 1.5 * 2^52
const OFF: u64 = 0x3fe6955500000000;
const TINY: f64 = 3.2927225399135965e-145; // 2^-480
const HUGE: f64 = 3.1217485503159922e144; // 2^480
/** The range of the 0.02-ulp margin, 2^-16 to 2^16, and the margins in and out of it. */
const NEAR_LOW: f64 = 1.52587890625e-5;
const NEAR_HIGH: f64 = 65536.0;
const NEAR_MARGIN_ULPS: f64 = 0.02;
const FAR_GAP_FRACTION: f64 = 0.45;

/** pow(x, 2.0) of glibc's __pow_fma, for 2^-480 <= |x| <= 2^480. */
function powExact(x: f64): f64 {
  // log_inline: |x| = 2^k z, log = k ln2 + log c + log1p(z/c - 1), hi + lo.
  const ix = reinterpret<u64>(x) & 0x7fffffffffffffff;
  const tmp = ix - OFF;
  const t = POW_LOG_TAB + <usize>((tmp >> 45) & 127) * 24;
  const kd = <f64>(<i64>tmp >> 52);
  const z = reinterpret<f64>(ix - (tmp & 0xfff0000000000000));
  const r = fma(z, load<f64>(t), -1.0);
  const t1 = fma(kd, LN2HI, load<f64>(t, 8));
  const lo1 = fma(kd, LN2LO, load<f64>(t, 16));
  const ar = r * A0;
  const t2 = r + t1;
  const ar2 = r * ar;
  const lo2 = t1 - t2 + r;
  const ar3 = r * ar2;
  const lo3 = fma(ar, r, -ar2);
  const hi = t2 + ar2;
  const lo4 = t2 - hi + ar2;
  const q = fma(ar2, fma(fma(r, A6, A5), ar2, fma(r, A4, A3)), fma(r, A2, A1));
  const lo = fma(ar3, q, lo1 + lo2 + lo3 + lo4);
  const lhi = hi + lo;
  const ltail = hi - lhi + lo;
  // y = 2: ehi = 2 lhi exactly, elo = fma(2, ltail, fma(2, lhi, -ehi)) = 2 ltail.
  const ehi = 2 * lhi;
  const elo = 2 * ltail;
  // |ehi| < 2^-54 only for |x| = 1, whose square is exact.
  if (abs(ehi) < 5.551115123125783e-17) return 1.0 + ehi;
  // exp_inline(ehi, elo): 2^(k/128) exp(r).
  let k2 = fma(ehi, INV_LN2_N, SHIFT);
  const ki = reinterpret<u64>(k2);
  k2 -= SHIFT;
  const rr = elo + fma(k2, NEG_LN2_LO_N, fma(k2, NEG_LN2_HI_N, ehi));
  const e = EXP_TAB + <usize>(ki & 127) * 16;
  const scale = reinterpret<f64>(load<u64>(e, 8) + (ki << 45));
  const r2 = rr * rr;
  const p = fma(fma(rr, C5, C4), r2 * r2, fma(fma(rr, C3, C2), r2, rr + load<f64>(e)));
  return fma(scale, p, scale);
}

/** x**2 for a numpy float64 scalar x: glibc's pow(x, 2.0), bit for bit. */
// @ts-ignore: decorator
@inline export function pow2(x: f64): f64 {
  const p = x * x;
  const ax = abs(x);
  if (!(ax >= TINY && ax <= HUGE)) return p;
  const e = productError(x, x, p);
  const pb = reinterpret<u64>(p);
  // The gap to the neighbour on e's side: half an ulp below a power of two.
  const ulp = reinterpret<f64>((pb & 0x7ff0000000000000) - (<u64>52 << 52));
  const gap = e < 0 && (pb & 0xfffffffffffff) == 0 ? 0.5 * ulp : ulp;
  const bound = ax >= NEAR_LOW && ax <= NEAR_HIGH ? 0.5 * gap - NEAR_MARGIN_ULPS * ulp : FAR_GAP_FRACTION * gap;
  return abs(e) < bound ? p : powExact(x);
}

// Gathers and lane lists. pow2Many lists the lanes its fast test leaves
// out, as indices 2p and 2p + 1 of the pairs it takes, then runs the exact
// path on them two at a time; powExact2 gathers its tables' rows.

/** The f64 `offset` bytes past `t0` and past `t1`, as the two lanes. */
// @ts-ignore: decorator
@inline function tableLanes(t0: usize, t1: usize, offset: usize): v128 {
  return v128.load64_lane(t1 + offset, v128.load64_zero(t0 + offset), 1);
}

/**
 * Lists lanes `lane` and `lane` + 1 where bit 0 and bit 1 of `take` are set,
 * after the `n` lanes listed at `list`; returns the new count. Branch-free:
 * both indices are written, and the count moves past those taken.
 */
// @ts-ignore: decorator
@inline function listLanes(list: usize, n: i32, lane: i32, take: i32): i32 {
  store<i32>(list + (<usize>n << 2), lane);
  n += take & 1;
  store<i32>(list + (<usize>n << 2), lane + 1);
  return n + (take >> 1);
}

/** Lists the last of an odd `n` lanes again (the list's spare slot), so that the list reads in pairs. */
// @ts-ignore: decorator
@inline function padLanes(list: usize, n: i32): void {
  if (n & 1) store<i32>(list + (<usize>n << 2), load<i32>(list + (<usize>(n - 1) << 2)));
}

/** The j-th listed lane as the byte offset of its f64. */
// @ts-ignore: decorator
@inline function listedLane(list: usize, j: i32): usize {
  return <usize>load<i32>(list + (<usize>j << 2)) << 3;
}

// pow2Many's constants in static data, both lanes (a load each, where V8 11
// builds a v128.const from general registers).
const V_MANTISSA = memory.data<u64>([0xfffffffffffff, 0xfffffffffffff], 16);
const V_NEAR_LOW = memory.data<f64>([NEAR_LOW, NEAR_LOW], 16);
const V_NEAR_HIGH = memory.data<f64>([NEAR_HIGH, NEAR_HIGH], 16);
/** 1 / (1 - 2 NEAR_MARGIN_ULPS): e times it is half an ulp where |e| is 0.48 ulp. */
const STRETCH: f64 = 1 / (1 - 2 * NEAR_MARGIN_ULPS);
const V_STRETCH = memory.data<f64>([STRETCH, STRETCH], 16);

/** Where |x| (`ax`) is in {@link pow2}'s near range, NEAR_LOW to NEAR_HIGH. */
// @ts-ignore: decorator
@inline function nearRange(ax: v128): v128 {
  return v128.and(f64x2.ge(ax, v128.load(V_NEAR_LOW)), f64x2.le(ax, v128.load(V_NEAR_HIGH)));
}

/**
 * Where x*x (p) is pow(x, 2.0) by {@link pow2}'s near-range test, in fewer
 * operations (all ones on those lanes): p + e·STRETCH rounds back to p
 * exactly when |e·STRETCH| is below half of p's gap on e's side, that is
 * |e| < 0.48 ulp, pow2's bound, where p is not a power of two (excluded
 * here, as are |x| outside NEAR_LOW..NEAR_HIGH, 0, infinities and NaN).
 * The rounding of e·STRETCH moves the edge by about 1e-16 ulp, inside the
 * margin's 0.02 ulp.
 */
// @ts-ignore: decorator
@inline function squareIsPow(x: v128, p: v128): v128 {
  const e = productError2(x, x, p);
  const ax = f64x2.abs(x);
  const near = nearRange(ax);
  const stays = f64x2.eq(f64x2.add(p, f64x2.mul(e, v128.load(V_STRETCH))), p);
  const notPower = i64x2.ne(v128.and(p, v128.load(V_MANTISSA)), f64x2.splat(0));
  return v128.and(v128.and(near, stays), notPower);
}

/** The largest `pairs` {@link pow2Many} takes: Acrobot's three squares of a block of 16 pairs. */
export const POW2_MANY_PAIRS = 48;
/** The lanes pow2Many's test leaves out, as indices (one spare slot). */
const SLOW_LANES = memory.data((POW2_MANY_PAIRS * 2 + 1) * 4, 16);

/**
 * {@link pow2} of each lane of the `pairs` (up to {@link POW2_MANY_PAIRS})
 * f64x2 at `x`, into `out` (not `x`): x*x where {@link squareIsPow} says
 * so, and the lanes it leaves out (one in 25 on Acrobot's velocities)
 * gathered and run through {@link pow2}'s own test and exact path two at a
 * time, instead of one lane at a time as each turns up. Caller: Acrobot's
 * vector step, once an rk4 stage for each block of envs.
 */
export function pow2Many(x: usize, out: usize, pairs: i32): void {
  let n = 0;
  for (let p = 0; p < pairs; p++) {
    const at = <usize>p << 4;
    const v = v128.load(x + at);
    const sq = f64x2.mul(v, v);
    v128.store(out + at, sq);
    n = listLanes(SLOW_LANES, n, p << 1, i64x2.bitmask(squareIsPow(v, sq)) ^ 3);
  }
  padLanes(SLOW_LANES, n);
  for (let j = 0; j < n; j += 2) {
    const i0 = listedLane(SLOW_LANES, j);
    const i1 = listedLane(SLOW_LANES, j + 1);
    const r = pow2Lanes(tableLanes(x + i0, x + i1, 0));
    v128.store64_lane(out + i0, r, 0);
    v128.store64_lane(out + i1, r, 1);
  }
}

/** {@link pow2} on both lanes: its range, its test, and {@link powExact} as {@link powExact2}. */
// @ts-ignore: decorator
@inline function pow2Lanes(x: v128): v128 {
  const p = f64x2.mul(x, x);
  const ax = f64x2.abs(x);
  const inRange = v128.and(f64x2.ge(ax, f64x2.splat(TINY)), f64x2.le(ax, f64x2.splat(HUGE)));
  const e = productError2(x, x, p);
  const ulp = i64x2.sub(v128.and(p, i64x2.splat(0x7ff0000000000000)), i64x2.splat(<i64>52 << 52));
  const halfGap = v128.and(f64x2.lt(e, f64x2.splat(0)), i64x2.eq(v128.and(p, v128.load(V_MANTISSA)), f64x2.splat(0)));
  const gap = v128.bitselect(f64x2.mul(f64x2.splat(0.5), ulp), ulp, halfGap);
  const near = nearRange(ax);
  const bound = v128.bitselect(
    f64x2.sub(f64x2.mul(f64x2.splat(0.5), gap), f64x2.mul(f64x2.splat(NEAR_MARGIN_ULPS), ulp)),
    f64x2.mul(f64x2.splat(FAR_GAP_FRACTION), gap),
    near,
  );
  const square = v128.or(v128.not(inRange), f64x2.lt(f64x2.abs(e), bound));
  return i64x2.all_true(square) ? p : v128.bitselect(p, powExact2(x), square);
}

// @ts-ignore: decorator
@inline function fmaK(a: v128, b: f64, c: v128): v128 {
  return fma2(a, f64x2.splat(b), c);
}

/** {@link powExact} on both lanes, operation for operation (fma as {@link fma2}). */
function powExact2(x: v128): v128 {
  const ix = v128.and(x, i64x2.splat(0x7fffffffffffffff));
  const tmp = i64x2.sub(ix, i64x2.splat(OFF));
  const index = i64x2.mul(v128.and(i64x2.shr_u(tmp, 45), i64x2.splat(127)), i64x2.splat(24));
  const t0 = POW_LOG_TAB + <usize>i64x2.extract_lane(index, 0);
  const t1 = POW_LOG_TAB + <usize>i64x2.extract_lane(index, 1);
  const k = i64x2.shr_s(tmp, 52);
  const kd = f64x2.convert_low_i32x4_s(i32x4.shuffle(k, k, 0, 2, 0, 2));
  const z = i64x2.sub(ix, v128.and(tmp, i64x2.splat(<i64>0xfff0000000000000)));
  const r = fma2(z, tableLanes(t0, t1, 0), f64x2.splat(-1.0));
  const tt1 = fmaK(kd, LN2HI, tableLanes(t0, t1, 8));
  const lo1 = fmaK(kd, LN2LO, tableLanes(t0, t1, 16));
  const ar = f64x2.mul(r, f64x2.splat(A0));
  const t2 = f64x2.add(r, tt1);
  const ar2 = f64x2.mul(r, ar);
  const lo2 = f64x2.add(f64x2.sub(tt1, t2), r);
  const ar3 = f64x2.mul(r, ar2);
  const lo3 = fma2(ar, r, f64x2.neg(ar2));
  const hi = f64x2.add(t2, ar2);
  const lo4 = f64x2.add(f64x2.sub(t2, hi), ar2);
  const q = fma2(ar2, fma2(fmaK(r, A6, f64x2.splat(A5)), ar2, fmaK(r, A4, f64x2.splat(A3))), fmaK(r, A2, f64x2.splat(A1)));
  const lo = fma2(ar3, q, f64x2.add(f64x2.add(f64x2.add(lo1, lo2), lo3), lo4));
  const lhi = f64x2.add(hi, lo);
  const ltail = f64x2.add(f64x2.sub(hi, lhi), lo);
  const ehi = f64x2.mul(f64x2.splat(2), lhi);
  const elo = f64x2.mul(f64x2.splat(2), ltail);
  let k2 = fmaK(ehi, INV_LN2_N, f64x2.splat(SHIFT));
  const ki = k2;
  k2 = f64x2.sub(k2, f64x2.splat(SHIFT));
  const rr = f64x2.add(elo, fmaK(k2, NEG_LN2_LO_N, fmaK(k2, NEG_LN2_HI_N, ehi)));
  const eIndex = i64x2.shl(v128.and(ki, i64x2.splat(127)), 4);
  const e0 = EXP_TAB + <usize>i64x2.extract_lane(eIndex, 0);
  const e1 = EXP_TAB + <usize>i64x2.extract_lane(eIndex, 1);
  const scale = i64x2.add(tableLanes(e0, e1, 8), i64x2.shl(ki, 45));
  const r2 = f64x2.mul(rr, rr);
  const poly = fma2(fmaK(rr, C5, f64x2.splat(C4)), f64x2.mul(r2, r2), fma2(fmaK(rr, C3, f64x2.splat(C2)), r2, f64x2.add(rr, tableLanes(e0, e1, 0))));
  // |ehi| < 2^-54 only for |x| = 1, whose square is exact.
  return v128.bitselect(f64x2.add(f64x2.splat(1.0), ehi), fma2(scale, poly, scale), f64x2.lt(f64x2.abs(ehi), f64x2.splat(5.551115123125783e-17)));
}
