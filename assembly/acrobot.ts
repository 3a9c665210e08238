/**
 * Acrobot-v1 as gymnasium/envs/classic_control/acrobot.py computes it
 * (Gymnasium 1.4, `book_or_nips = "book"`): `_dsdt` and `rk4` over
 * dt = 0.2 in float64 with numpy's operations in numpy's order, `wrap` and
 * `bound`, so every state and observation matches Gymnasium bit for bit.
 * One env and a vector of envs (SyncVectorEnv semantics, see
 * ./lib/classic.ts), whose envs step in pairs on f64x2 lanes where
 * relaxed_madd fuses, the odd one out (and every env elsewhere) through
 * the scalar twin that also steps the single env. Memory
 * layout: the Acrobot/MountainCar section of assembly/layout.ts.
 */
import { ACROBOT_CACHE, ACROBOT_OBS, ACROBOT_STATE, CP_ACTIONS, CP_KERNEL_CACHE, CP_HIGH, CP_LOW, CP_NUM_ENVS, CP_OBS, CP_REWARD, CP_RNG, CP_STATE, CP_TERMINATED, PCG64_BYTES, SLOT } from "./layout";
import { cos, sin, usesHardwareFma } from "./lib/libm";
import { cosWideMany, MANY_PAIRS, sincosWideMany } from "./lib/libm-wide";
import { cosNear2, NEAR_MAX, settled32, sinNear2 } from "./lib/libm-near";
import { pow2, pow2Many, POW2_MANY_PAIRS } from "./lib/pow2";
import { npyCosf, npySinf } from "./lib/npy-sincosf";
import { pcg64Uniform } from "./lib/pcg64";
import { slotA, slotF } from "./lib/header";
import { firstInvalidAction, resetAll, stepEach, syncVecFinish } from "./lib/classic";
import { add, div, mul, sub } from "./lib/f64x2";

// AcrobotEnv's class attributes. Products of them are written as Python
// evaluates them (left to right), and fold to the same doubles.
const M1: f64 = 1.0;
const M2: f64 = 1.0;
const L1: f64 = 1.0;
const LC1: f64 = 0.5;
const LC2: f64 = 0.5;
const I1: f64 = 1.0;
const I2: f64 = 1.0;
const G: f64 = 9.8;
const PI: f64 = 3.141592653589793;
const PI_2: f64 = PI / 2.0;
const MAX_VEL_1: f64 = 4.0 * PI;
const MAX_VEL_2: f64 = 9.0 * PI;
const DT: f64 = 0.2;
/** rk4's dt / 2.0 and dt / 6.0. */
const DT2: f64 = DT / 2.0;
const DT6: f64 = DT / 6.0;
/** AVAIL_TORQUE = [-1.0, 0.0, +1]. */
@inline function torque(action: i32): f64 {
  return <f64>(action - 1);
}

// One _dsdt result (the derivative of theta1, theta2, dtheta1, dtheta2).
let dTheta1: f64 = 0;
let dTheta2: f64 = 0;
let ddTheta1: f64 = 0;
let ddTheta2: f64 = 0;

/**
 * _dsdt at (theta1, theta2, dtheta1, dtheta2) with torque a, into the
 * globals above. `x**2` is numpy's float64 power: glibc's pow(x, 2.0).
 */
@inline function dsdt(theta1: f64, theta2: f64, dtheta1: f64, dtheta2: f64, a: f64): void {
  const c2 = cos(theta2);
  const s2 = sin(theta2);
  const d1 = M1 * (LC1 * LC1) + M2 * (L1 * L1 + LC2 * LC2 + 2 * L1 * LC2 * c2) + I1 + I2;
  const d2 = M2 * (LC2 * LC2 + L1 * LC2 * c2) + I2;
  const phi2 = M2 * LC2 * G * cos(theta1 + theta2 - PI_2);
  const phi1 = -M2 * L1 * LC2 * pow2(dtheta2) * s2 - 2 * M2 * L1 * LC2 * dtheta2 * dtheta1 * s2 + (M1 * LC1 + M2 * L1) * G * cos(theta1 - PI_2) + phi2;
  const dd2 = (a + (d2 / d1) * phi1 - M2 * L1 * LC2 * pow2(dtheta1) * s2 - phi2) / (M2 * (LC2 * LC2) + I2 - pow2(d2) / d1);
  ddTheta1 = -(d2 * dd2 + phi1) / d1;
  ddTheta2 = dd2;
  dTheta1 = dtheta1;
  dTheta2 = dtheta2;
}

/** wrap(x, -pi, pi). */
@inline function wrap(x: f64): f64 {
  const diff = PI - -PI;
  while (x > PI) x = x - diff;
  while (x < -PI) x = x + diff;
  return x;
}

/** bound(x, -m, m) = min(max(x, -m), m) with Python's builtins (the first argument wins ties). */
@inline function bound(x: f64, m: f64): f64 {
  const v = -m > x ? -m : x;
  return m < v ? m : v;
}

/** Writes the observation of the float64 state at `s` to `o`; returns _terminal(). */
@inline function observe(s: usize, o: usize): bool {
  const t1 = load<f64>(s);
  const t2 = load<f64>(s, 8);
  const c1 = cos(t1);
  store<f32>(o, <f32>c1, 0);
  store<f32>(o, <f32>sin(t1), 4);
  store<f32>(o, <f32>cos(t2), 8);
  store<f32>(o, <f32>sin(t2), 12);
  store<f32>(o, <f32>load<f64>(s, 16), 16);
  store<f32>(o, <f32>load<f64>(s, 24), 20);
  return -c1 - cos(t2 + t1) > 1.0;
}

/** AcrobotEnv.step for the env whose state is at `s` and observation at `o`; returns terminated. */
function stepOne(s: usize, o: usize, action: i32): bool {
  const a = torque(action);
  const y0 = load<f64>(s);
  const y1 = load<f64>(s, 8);
  const y2 = load<f64>(s, 16);
  const y3 = load<f64>(s, 24);
  dsdt(y0, y1, y2, y3, a);
  const k10 = dTheta1, k11 = dTheta2, k12 = ddTheta1, k13 = ddTheta2;
  dsdt(y0 + DT2 * k10, y1 + DT2 * k11, y2 + DT2 * k12, y3 + DT2 * k13, a);
  const k20 = dTheta1, k21 = dTheta2, k22 = ddTheta1, k23 = ddTheta2;
  dsdt(y0 + DT2 * k20, y1 + DT2 * k21, y2 + DT2 * k22, y3 + DT2 * k23, a);
  const k30 = dTheta1, k31 = dTheta2, k32 = ddTheta1, k33 = ddTheta2;
  dsdt(y0 + DT * k30, y1 + DT * k31, y2 + DT * k32, y3 + DT * k33, a);
  // yout = y0 + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4), elementwise
  store<f64>(s, wrap(y0 + DT6 * (k10 + 2 * k20 + 2 * k30 + dTheta1)));
  store<f64>(s, wrap(y1 + DT6 * (k11 + 2 * k21 + 2 * k31 + dTheta2)), 8);
  store<f64>(s, bound(y2 + DT6 * (k12 + 2 * k22 + 2 * k32 + ddTheta1), MAX_VEL_1), 16);
  store<f64>(s, bound(y3 + DT6 * (k13 + 2 * k23 + 2 * k33 + ddTheta2), MAX_VEL_2), 24);
  return observe(s, o);
}

/**
 * AcrobotEnv.reset for env i: four draws of uniform(low, high) from its
 * generator, cast to float32 (the state starts float32, widened exactly
 * here), and the observation from numpy's float32 cos and sin.
 */
function resetEnv(h: usize, i: i32): void {
  const s = slotA(h, CP_STATE) + <usize>i * ACROBOT_STATE * 8;
  const o = slotA(h, CP_OBS) + <usize>i * ACROBOT_OBS * 4;
  const rng = slotA(h, CP_RNG) + <usize>i * PCG64_BYTES;
  const low = slotF(h, CP_LOW);
  const high = slotF(h, CP_HIGH);
  const t1 = <f32>pcg64Uniform(rng, low, high);
  const t2 = <f32>pcg64Uniform(rng, low, high);
  const dt1 = <f32>pcg64Uniform(rng, low, high);
  const dt2 = <f32>pcg64Uniform(rng, low, high);
  store<f64>(s, t1);
  store<f64>(s, t2, 8);
  store<f64>(s, dt1, 16);
  store<f64>(s, dt2, 24);
  store<f32>(o, npyCosf(t1));
  store<f32>(o, npySinf(t1), 4);
  store<f32>(o, npyCosf(t2), 8);
  store<f32>(o, npySinf(t2), 12);
  store<f32>(o, dt1, 16);
  store<f32>(o, dt2, 20);
}

/** Resets every env of the header at `h` (a single env is N = 1), and fills the vector step's cache with theta2 = 0, cos 1, sin 0. */
export function acrobotReset(h: usize): void {
  const n = <i32>load<i64>(h, CP_NUM_ENVS * SLOT);
  resetAll(h, n, resetEnv);
  const cache = slotA(h, CP_KERNEL_CACHE);
  for (let p = 0; p < n >> 1; p++) {
    const entry = cache + <usize>p * CACHE_PAIR;
    v128.store(entry, f64x2.splat(0));
    v128.store(entry, f64x2.splat(1), 16);
    v128.store(entry, f64x2.splat(0), 32);
  }
}

/** Steps the single env at `h` with `action` (0, 1 or 2, checked by the caller); writes its reward, returns terminated (0/1). */
export function acrobotStep(h: usize, action: i32): i32 {
  const terminated = stepOne(slotA(h, CP_STATE), slotA(h, CP_OBS), action);
  store<f32>(slotA(h, CP_REWARD), terminated ? 0 : -1);
  return <i32>terminated;
}

// ---------------------------------------------------------------------------
// Pairs of envs on f64x2 lanes: the scalar step above with each double an
// f64x2 of (env 2p, env 2p + 1), the same operations in the same order,
// and sin, cos and x**2 from their lane-wise exact twins (the observation
// and terminal test from approximations where those settle them, see
// stepBlock: the same results). A vector step runs a block of pairs one
// rk4 stage at a time, each stage in three steps (sin and cos of every
// pair, the squares, then the derivatives), each a few loops whose
// iterations are independent: the CPU overlaps pairs instead of waiting
// out one pair's chain of libm, divisions and the next stage's libm.

/** A pair's entry of the cache (ACROBOT_CACHE in assembly/layout.ts): theta2, cos, sin, one f64x2 each. */
const CACHE_PAIR: usize = 2 * ACROBOT_CACHE;
/** Pairs per block (see {@link SCRATCH}); twice this fits one cosWideMany or sincosWideMany call (MANY_PAIRS), three times one pow2Many call (POW2_MANY_PAIRS). */
const BLOCK_PAIRS = 16;
// What a block keeps per pair, one f64x2 each: the state (Y), the current
// stage's argument of _dsdt (X), its d2 (D2, so that dtheta1, dtheta2 and
// d2, the three arguments of `**2`, are adjacent rows), rk4's running sum
// k1 + 2 k2 + 2 k3 + k4 (SUM), the torque, the stage's cos and sin of
// theta2, cos(theta1 + theta2 - pi/2) and cos(theta1 - pi/2), its
// squares dtheta1**2, dtheta2**2 and d2**2 (adjacent too), and d1, dd2 and
// -(d2 dd2 + phi1), which the derivatives' second loop divides by d1.
const Y = 0;
const X = 4;
const D2 = 8;
const SUM = 9;
const TORQUE = 13;
const COS_T2 = 14;
const SIN_T2 = 15;
const COS_A = 16;
const COS_B = 17;
const SQ_DT1 = 18;
const SQ_DT2 = 19;
const SQ_D2 = 20;
const D1 = 21;
const DD1_NUMERATOR = 22;
const DD2 = 23;
const QUANTITIES = 24;
/** A block's {@link Y}, {@link X}, ...: quantity q of pair p at (q * BLOCK_PAIRS + p) * 16. */
const SCRATCH: usize = memory.data(QUANTITIES * BLOCK_PAIRS * 16, 16);

@inline function at(q: i32, p: i32): usize {
  return SCRATCH + ((<usize>(q * BLOCK_PAIRS + p)) << 4);
}
@inline function get(q: i32, p: i32): v128 {
  return v128.load(at(q, p));
}
@inline function put(q: i32, p: i32, v: v128): void {
  v128.store(at(q, p), v);
}

// The f64x2 constants, in static data: V8 11 (Node 20) builds each
// v128.const from general registers at every use, where a load is one
// instruction (as the wide libm path does).
const V_DT2 = memory.data<f64>([DT2, DT2], 16);
const V_DT = memory.data<f64>([DT, DT], 16);
const V_DT6 = memory.data<f64>([DT6, DT6], 16);
const V_TWO = memory.data<f64>([2, 2], 16);
const V_ONE = memory.data<f64>([1.0, 1.0], 16);
const V_MINUS_ZERO = memory.data<f64>([-0.0, -0.0], 16);
const V_PI = memory.data<f64>([PI, PI], 16);
const V_MINUS_PI = memory.data<f64>([-PI, -PI], 16);
const V_TWO_PI = memory.data<f64>([PI - -PI, PI - -PI], 16);
const V_PI_2 = memory.data<f64>([PI_2, PI_2], 16);
const V_MAX_VEL_1 = memory.data<f64>([MAX_VEL_1, MAX_VEL_1], 16);
const V_MIN_VEL_1 = memory.data<f64>([-MAX_VEL_1, -MAX_VEL_1], 16);
const V_MAX_VEL_2 = memory.data<f64>([MAX_VEL_2, MAX_VEL_2], 16);
const V_MIN_VEL_2 = memory.data<f64>([-MAX_VEL_2, -MAX_VEL_2], 16);
const V_M2 = memory.data<f64>([M2, M2], 16);
const V_I1 = memory.data<f64>([I1, I1], 16);
const V_I2 = memory.data<f64>([I2, I2], 16);
const V_D1_0 = memory.data<f64>([M1 * (LC1 * LC1), M1 * (LC1 * LC1)], 16);
const V_D1_1 = memory.data<f64>([L1 * L1 + LC2 * LC2, L1 * L1 + LC2 * LC2], 16);
const V_D1_2 = memory.data<f64>([2 * L1 * LC2, 2 * L1 * LC2], 16);
const V_D2_0 = memory.data<f64>([LC2 * LC2, LC2 * LC2], 16);
const V_D2_1 = memory.data<f64>([L1 * LC2, L1 * LC2], 16);
const V_PHI2 = memory.data<f64>([M2 * LC2 * G, M2 * LC2 * G], 16);
const V_PHI1_0 = memory.data<f64>([-M2 * L1 * LC2, -M2 * L1 * LC2], 16);
const V_PHI1_1 = memory.data<f64>([2 * M2 * L1 * LC2, 2 * M2 * L1 * LC2], 16);
const V_PHI1_2 = memory.data<f64>([(M1 * LC1 + M2 * L1) * G, (M1 * LC1 + M2 * L1) * G], 16);
const V_DD2_0 = memory.data<f64>([M2 * L1 * LC2, M2 * L1 * LC2], 16);
const V_DD2_1 = memory.data<f64>([M2 * (LC2 * LC2) + I2, M2 * (LC2 * LC2) + I2], 16);
const V_NEAR_MAX = memory.data<f64>([NEAR_MAX, NEAR_MAX], 16);
/** 2^-40, see {@link settled}. */
const V_TERM_SLACK = memory.data<f64>([9.094947017729282e-13, 9.094947017729282e-13], 16);

@inline function k(at: usize): v128 {
  return v128.load(at);
}

/** {@link wrap} on both lanes (each lane stops where it is in range). */
@inline function wrap2(x: v128): v128 {
  for (let m = f64x2.gt(x, k(V_PI)); v128.any_true(m); m = f64x2.gt(x, k(V_PI))) x = v128.bitselect(sub(x, k(V_TWO_PI)), x, m);
  for (let m = f64x2.lt(x, k(V_MINUS_PI)); v128.any_true(m); m = f64x2.lt(x, k(V_MINUS_PI))) x = v128.bitselect(add(x, k(V_TWO_PI)), x, m);
  return x;
}

/** {@link bound} on both lanes, between the constants at `low` (-m) and `high` (m). */
@inline function bound2(x: v128, low: usize, high: usize): v128 {
  const v = v128.bitselect(k(low), x, f64x2.gt(k(low), x));
  return v128.bitselect(k(high), v, f64x2.lt(k(high), v));
}

/** Lane `lane` of a and of b, as one f64x2. */
@inline function pairOf(a: v128, b: v128, lane: i32): v128 {
  return lane == 0 ? f64x2.shuffle(a, b, 0, 2) : f64x2.shuffle(a, b, 1, 3);
}

/** observe() of env `lane` of a pair: the cos and sin of its angles, its velocities, narrowed to float32. */
@inline function storeObservation(o: usize, c1: v128, s1: v128, c2: v128, s2: v128, dt1: v128, dt2: v128, lane: i32): void {
  const first = f32x4.demote_f64x2_zero(pairOf(c1, s1, lane));
  const second = f32x4.demote_f64x2_zero(pairOf(c2, s2, lane));
  v128.store(o, i64x2.shuffle(first, second, 0, 2));
  v128.store64_lane(o, f32x4.demote_f64x2_zero(pairOf(dt1, dt2, lane)), 0, 16);
}

/**
 * The libm calls of {@link dsdt} for every pair of the block, at its
 * {@link X}, as batches of ./lib/libm-wide.ts; the first stage (`cache`,
 * the block's entries of ACROBOT_CACHE) takes cos and sin of theta2 from
 * the cache where the pair's theta2 is the one the last step ended with,
 * and computes the others (pairs reset since) one pair at a time.
 */
function stageLibm(pairs: i32, cache: usize): void {
  for (let p = 0; p < pairs; p++) {
    const theta1 = get(X, p);
    const theta2 = get(X + 1, p);
    put(COS_A, p, sub(add(theta1, theta2), k(V_PI_2)));
    put(COS_B, p, sub(theta1, k(V_PI_2)));
    if (cache != 0) {
      const entry = cache + <usize>p * CACHE_PAIR;
      if (i64x2.all_true(i64x2.eq(theta2, v128.load(entry)))) {
        put(COS_T2, p, v128.load(entry, 16));
        put(SIN_T2, p, v128.load(entry, 32));
      } else {
        sincosWideMany(at(X + 1, p), at(SIN_T2, p), at(COS_T2, p), 1);
      }
    }
  }
  if (cache == 0) sincosWideMany(at(X + 1, 0), at(SIN_T2, 0), at(COS_T2, 0), pairs);
  // A full block's COS_A and COS_B rows are adjacent: one call takes all their lanes together.
  if (pairs == BLOCK_PAIRS) {
    cosWideMany(at(COS_A, 0), at(COS_A, 0), pairs * 2);
  } else {
    cosWideMany(at(COS_A, 0), at(COS_A, 0), pairs);
    cosWideMany(at(COS_B, 0), at(COS_B, 0), pairs);
  }
}

/** _dsdt's d2 from cos(theta2). */
@inline function massTerm(c2: v128): v128 {
  return add(mul(k(V_M2), add(k(V_D2_0), mul(k(V_D2_1), c2))), k(V_I2));
}

/**
 * The three squares (`**2`) of {@link dsdt} for every pair, dtheta1**2,
 * dtheta2**2 and d2**2, before {@link stageDerivatives}: one pow2Many call
 * for a full block (its rows X + 2, X + 3 and D2 are adjacent, as are the
 * squares'), which runs the rare exact lanes of all three together.
 */
function stageSquares(pairs: i32): void {
  for (let p = 0; p < pairs; p++) put(D2, p, massTerm(get(COS_T2, p)));
  if (pairs == BLOCK_PAIRS) {
    pow2Many(at(X + 2, 0), at(SQ_DT1, 0), pairs * 3);
  } else {
    pow2Many(at(X + 2, 0), at(SQ_DT1, 0), pairs);
    pow2Many(at(X + 3, 0), at(SQ_DT2, 0), pairs);
    pow2Many(at(D2, 0), at(SQ_D2, 0), pairs);
  }
}

/**
 * The rest of {@link dsdt} for every pair: its result k is added to
 * {@link SUM} with `weight` (rk4's 1, 2, 2, 1), and but for the `last`
 * stage the next stage's argument y + h k is written to {@link X}.
 */
function stageDerivatives(pairs: i32, weight: v128, h: v128, last: bool): void {
  for (let p = 0; p < pairs; p++) {
    const dtheta1 = get(X + 2, p);
    const dtheta2 = get(X + 3, p);
    const c2 = get(COS_T2, p);
    const s2 = get(SIN_T2, p);
    const d1 = add(add(add(k(V_D1_0), mul(k(V_M2), add(k(V_D1_1), mul(k(V_D1_2), c2)))), k(V_I1)), k(V_I2));
    const d2 = get(D2, p);
    const phi2 = mul(k(V_PHI2), get(COS_A, p));
    const phi1 = add(
      add(sub(mul(mul(k(V_PHI1_0), get(SQ_DT2, p)), s2), mul(mul(mul(k(V_PHI1_1), dtheta2), dtheta1), s2)), mul(k(V_PHI1_2), get(COS_B, p))),
      phi2,
    );
    const dd2 = div(
      sub(sub(add(get(TORQUE, p), mul(div(d2, d1), phi1)), mul(mul(k(V_DD2_0), get(SQ_DT1, p)), s2)), phi2),
      sub(k(V_DD2_1), div(get(SQ_D2, p), d1)),
    );
    // dd1's division in a second loop: one loop would chain three divisions.
    put(DD1_NUMERATOR, p, f64x2.neg(add(mul(d2, dd2), phi1)));
    put(D1, p, d1);
    put(DD2, p, dd2);
  }
  for (let p = 0; p < pairs; p++) {
    const dtheta1 = get(X + 2, p);
    const dtheta2 = get(X + 3, p);
    const dd1 = div(get(DD1_NUMERATOR, p), get(D1, p));
    const dd2 = get(DD2, p);
    // k = (dtheta1, dtheta2, dd1, dd2).
    put(SUM, p, add(get(SUM, p), mul(weight, dtheta1)));
    put(SUM + 1, p, add(get(SUM + 1, p), mul(weight, dtheta2)));
    put(SUM + 2, p, add(get(SUM + 2, p), mul(weight, dd1)));
    put(SUM + 3, p, add(get(SUM + 3, p), mul(weight, dd2)));
    if (!last) {
      put(X, p, add(get(Y, p), mul(h, dtheta1)));
      put(X + 1, p, add(get(Y + 1, p), mul(h, dtheta2)));
      put(X + 2, p, add(get(Y + 2, p), mul(h, dd1)));
      put(X + 3, p, add(get(Y + 3, p), mul(h, dd2)));
    }
  }
}

/**
 * One rk4 stage of every pair: _dsdt at {@link X} in its three steps, with
 * the stage's weight and step read from the constants at `weight` and `h`;
 * see {@link stageDerivatives} (and {@link stageLibm} for `cache`).
 */
@inline function stage(pairs: i32, weight: usize, h: usize, last: bool, cache: usize = 0): void {
  stageLibm(pairs, cache);
  stageSquares(pairs);
  stageDerivatives(pairs, k(weight), k(h), last);
}

/** Component i of pair p's state: y, the first stage's argument, and an empty sum (-0 + v is v for every v, -0 included). */
@inline function startAt(i: i32, p: i32, y: v128): void {
  put(Y + i, p, y);
  put(X + i, p, y);
  put(SUM + i, p, k(V_MINUS_ZERO));
}

/**
 * {@link stepOne} for `pairs` (up to {@link BLOCK_PAIRS}) pairs of
 * adjacent envs whose states start at `s`, observations at `o` and actions
 * at `act`; writes their terminated flags (bytes) at `terminated`.
 */
function stepBlock(s: usize, o: usize, act: usize, terminated: usize, cache: usize, pairs: i32): void {
  if (BLOCK_PAIRS * 2 > MANY_PAIRS || BLOCK_PAIRS * 3 > POW2_MANY_PAIRS) ERROR("a block outgrows the scratch of the wide libm or pow2Many");
  for (let p = 0; p < pairs; p++) {
    const e = s + (<usize>p << 6);
    const e0 = v128.load(e); // env 2p: theta1, theta2
    const v0 = v128.load(e, 16); // env 2p: dtheta1, dtheta2
    const e1 = v128.load(e, 32);
    const v1 = v128.load(e, 48);
    startAt(0, p, f64x2.shuffle(e0, e1, 0, 2));
    startAt(1, p, f64x2.shuffle(e0, e1, 1, 3));
    startAt(2, p, f64x2.shuffle(v0, v1, 0, 2));
    startAt(3, p, f64x2.shuffle(v0, v1, 1, 3));
    put(TORQUE, p, f64x2.convert_low_i32x4_s(i32x4.sub(v128.load64_zero(act + (<usize>p << 3)), i32x4.splat(1))));
  }
  // rk4: k1 at y, k2 at y + dt/2 k1, k3 at y + dt/2 k2, k4 at y + dt k3.
  stage(pairs, V_ONE, V_DT2, false, cache);
  stage(pairs, V_TWO, V_DT2, false);
  stage(pairs, V_TWO, V_DT, false);
  stage(pairs, V_ONE, V_DT, true);
  // The new angles go to rows X and X + 1, the velocities to Y + 2 and
  // Y + 3, all free after the last stage.
  for (let p = 0; p < pairs; p++) {
    const e = s + (<usize>p << 6);
    const t1 = wrap2(add(get(Y, p), mul(k(V_DT6), get(SUM, p))));
    const t2 = wrap2(add(get(Y + 1, p), mul(k(V_DT6), get(SUM + 1, p))));
    const dt1 = bound2(add(get(Y + 2, p), mul(k(V_DT6), get(SUM + 2, p))), V_MIN_VEL_1, V_MAX_VEL_1);
    const dt2 = bound2(add(get(Y + 3, p), mul(k(V_DT6), get(SUM + 3, p))), V_MIN_VEL_2, V_MAX_VEL_2);
    v128.store(e, pairOf(t1, t2, 0));
    v128.store(e, pairOf(dt1, dt2, 0), 16);
    v128.store(e, pairOf(t1, t2, 1), 32);
    v128.store(e, pairOf(dt1, dt2, 1), 48);
    put(X, p, t1);
    put(X + 1, p, t2);
    put(Y + 2, p, dt1);
    put(Y + 3, p, dt2);
  }
  // observe() and _terminal(). theta2's cos and sin, which the cache keeps
  // for the next step, exactly (into COS_B and SQ_DT2); theta1's enter only
  // float32 observations and the terminal test, as does cos(theta2 +
  // theta1), so their approximations serve wherever they settle both (see
  // ./lib/libm-near.ts), and the exact path takes the other pairs.
  sincosWideMany(at(X + 1, 0), at(SQ_DT2, 0), at(COS_B, 0), pairs);
  for (let p = 0; p < pairs; p++) {
    const t1 = get(X, p);
    const t2 = get(X + 1, p);
    const sum = add(t2, t1);
    let c1 = cosNear2(t1);
    let s1 = sinNear2(t1);
    let term = sub(f64x2.neg(c1), cosNear2(sum));
    if (!settled(t1, sum, c1, s1, term)) {
      sincosWideMany(at(X, p), at(SQ_DT1, p), at(COS_A, p), 1);
      put(X + 2, p, sum);
      cosWideMany(at(X + 2, p), at(X + 2, p), 1);
      c1 = get(COS_A, p);
      s1 = get(SQ_DT1, p);
      term = sub(f64x2.neg(c1), get(X + 2, p));
    }
    const c2 = get(COS_B, p);
    const s2 = get(SQ_DT2, p);
    const dt1 = get(Y + 2, p);
    const dt2 = get(Y + 3, p);
    const entry = cache + <usize>p * CACHE_PAIR;
    v128.store(entry, t2);
    v128.store(entry, c2, 16);
    v128.store(entry, s2, 32);
    const eo = o + <usize>p * (2 * ACROBOT_OBS * 4);
    storeObservation(eo, c1, s1, c2, s2, dt1, dt2, 0);
    storeObservation(eo + ACROBOT_OBS * 4, c1, s1, c2, s2, dt1, dt2, 1);
    const bits = i64x2.bitmask(f64x2.gt(term, k(V_ONE)));
    store<u16>(terminated + (<usize>p << 1), <u16>((bits & 1) | ((bits & 2) << 7)));
  }
}

/**
 * Whether the approximations of ./lib/libm-near.ts settle both envs of a
 * pair: theta1 and theta2 + theta1 in their range (NaN: not), the float32
 * observations of `c1` and `s1`, and _terminal's comparison of `term` =
 * -cos(theta1) - cos(theta2 + theta1) with 1, which comes out the same for
 * every cos within NEAR_BOUND of the approximations where |term - 1| >
 * 2^-40: the two bounds move the difference by at most 2^-43, its
 * roundings by 2^-52 each. One mask and one branch: five short-circuit
 * branches cost the step 5%.
 */
@inline function settled(t1: v128, sum: v128, c1: v128, s1: v128, term: v128): bool {
  const inRange = v128.and(f64x2.lt(f64x2.abs(t1), k(V_NEAR_MAX)), f64x2.lt(f64x2.abs(sum), k(V_NEAR_MAX)));
  const decided = f64x2.gt(f64x2.abs(sub(term, k(V_ONE))), k(V_TERM_SLACK));
  const f64Lanes = v128.and(inRange, decided);
  // Each all-ones or all-zeros f64 lane as i32 lanes 0 and 1 (and again 2 and 3).
  const asI32 = i32x4.shuffle(f64Lanes, f64Lanes, 0, 2, 0, 2);
  return i32x4.all_true(v128.and(asI32, v128.and(settled32(c1), settled32(s1))));
}

/**
 * One step of every env (SyncVectorEnv with next-step autoreset; see
 * ./lib/classic.ts). Returns -1, or the index of the first action outside
 * {0, 1, 2}, having changed nothing. Blocks of pairs of envs on f64x2
 * lanes where relaxed_madd fuses, else (and in the test module,
 * SCALAR_TWINS = 1, see scripts/build-wasm.mjs) every env through the
 * scalar twin: the same results, one at a time.
 */
export function acrobotVecStep(h: usize): i32 {
  const n = <i32>load<i64>(h, CP_NUM_ENVS * SLOT);
  const actions = slotA(h, CP_ACTIONS);
  const bad = firstInvalidAction(actions, n, 3);
  if (bad >= 0) return bad;
  let paired = 0;
  // The blocks need relaxed_madd fused: with fma emulated they are slower
  // than the scalar step (a vector lane runs both libm kernels and every
  // path's fma sites, where the scalar step branches to one).
  if (SCALAR_TWINS == 0 && ASC_FEATURE_RELAXED_SIMD && usesHardwareFma()) {
    const state = slotA(h, CP_STATE);
    const obs = slotA(h, CP_OBS);
    const terminated = slotA(h, CP_TERMINATED);
    const cache = slotA(h, CP_KERNEL_CACHE);
    const pairs = n >> 1;
    for (let p = 0; p < pairs; p += BLOCK_PAIRS) {
      const e = <usize>(p << 1);
      stepBlock(state + e * ACROBOT_STATE * 8, obs + e * ACROBOT_OBS * 4, actions + (e << 2), terminated + e, cache + e * ACROBOT_CACHE, min(BLOCK_PAIRS, pairs - p));
    }
    paired = pairs << 1;
  }
  stepEach(h, paired, n, ACROBOT_STATE * 8, ACROBOT_OBS * 4, stepOne);
  syncVecFinish(h, n, -1, 0, resetEnv);
  return -1;
}
