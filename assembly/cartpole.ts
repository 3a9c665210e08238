/**
 * CartPole physics as gymnasium/envs/classic_control/cartpole.py computes it
 * (float64 Euler, the same operations in the same order, so results match
 * Gymnasium bit for bit), for one env and for a vector of envs with the
 * bookkeeping and autoreset of Gymnasium's CartPoleVectorEnv. A vector step
 * is one call: envs go through the physics in pairs on f64x2 lanes and the
 * odd one out through the scalar twin, which also steps the single env.
 * Memory layout: the CartPole section of assembly/layout.ts.
 */
import {
  CP_ACTIONS, CP_ELAPSED, CP_HIGH, CP_LOW, CP_MAX_STEPS, CP_NUM_ENVS, CP_OBS, CP_PREV_DONE,
  CP_RESET_LIST, CP_REWARD, CP_RNG, CP_STATE, CP_SUTTON_BARTO, CP_TERMINATED, CP_TRUNCATED, SLOT,
} from "./layout";
import {
  FORCE_MAG, GRAVITY, LENGTH, MASSPOLE, POLEMASS_LENGTH, TAU, THETA_THRESHOLD_RADIANS, TOTAL_MASS, X_THRESHOLD,
} from "./lib/cartpole-constants";
import { cos, cos2, sin, sin2, sincos2, usesHardwareFma } from "./lib/libm";
import { pcg64Uniform } from "./lib/pcg64";
import { firstInvalidAction } from "./lib/classic";
import { slotA, slotF } from "./lib/header";
import { add, div, mul, sub } from "./lib/f64x2";

// The f64x2 constants of the pair step, in static data, both lanes: V8 11
// (Node 20) builds each v128.const from general registers at every use,
// where a load is one instruction (as libm's two-lane paths do).
const V_FORCE = memory.data<f64>([FORCE_MAG, FORCE_MAG], 16);
const V_MINUS_FORCE = memory.data<f64>([-FORCE_MAG, -FORCE_MAG], 16);
const V_POLEMASS_LENGTH = memory.data<f64>([POLEMASS_LENGTH, POLEMASS_LENGTH], 16);
const V_TOTAL_MASS = memory.data<f64>([TOTAL_MASS, TOTAL_MASS], 16);
const V_GRAVITY = memory.data<f64>([GRAVITY, GRAVITY], 16);
const V_LENGTH = memory.data<f64>([LENGTH, LENGTH], 16);
const V_FOUR_THIRDS = memory.data<f64>([4.0 / 3.0, 4.0 / 3.0], 16);
const V_MASSPOLE = memory.data<f64>([MASSPOLE, MASSPOLE], 16);
const V_TAU = memory.data<f64>([TAU, TAU], 16);
const V_X_THRESHOLD = memory.data<f64>([X_THRESHOLD, X_THRESHOLD], 16);
const V_MINUS_X_THRESHOLD = memory.data<f64>([-X_THRESHOLD, -X_THRESHOLD], 16);
const V_THETA_THRESHOLD = memory.data<f64>([THETA_THRESHOLD_RADIANS, THETA_THRESHOLD_RADIANS], 16);
const V_MINUS_THETA_THRESHOLD = memory.data<f64>([-THETA_THRESHOLD_RADIANS, -THETA_THRESHOLD_RADIANS], 16);
const V_ONE = memory.data<f64>([1.0, 1.0], 16);
const V_ACTION_ONE = memory.data<i64>([1, 1], 16);

// Constants and lane logic beside ./lib/f64x2's arithmetic, short so the SIMD physics reads like the scalar one.
@inline function k(at: usize): v128 {
  return v128.load(at);
}
@inline function or(a: v128, b: v128): v128 {
  return v128.or(a, b);
}

/**
 * Steps the env whose state is at `s` (and observation at `o`); returns
 * whether it terminated. Line for line cartpole.py's `step`.
 */
@inline function stepOne(s: usize, o: usize, action: i32): bool {
  let x = load<f64>(s, 0);
  let x_dot = load<f64>(s, 8);
  let theta = load<f64>(s, 16);
  let theta_dot = load<f64>(s, 24);
  const force = action == 1 ? FORCE_MAG : -FORCE_MAG;
  const costheta = cos(theta);
  const sintheta = sin(theta);

  const temp = (force + POLEMASS_LENGTH * (theta_dot * theta_dot) * sintheta) / TOTAL_MASS;
  const thetaacc = (GRAVITY * sintheta - costheta * temp) / (LENGTH * (4.0 / 3.0 - (MASSPOLE * (costheta * costheta)) / TOTAL_MASS));
  const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;

  x = x + TAU * x_dot;
  x_dot = x_dot + TAU * xacc;
  theta = theta + TAU * theta_dot;
  theta_dot = theta_dot + TAU * thetaacc;

  store<f64>(s, x, 0);
  store<f64>(s, x_dot, 8);
  store<f64>(s, theta, 16);
  store<f64>(s, theta_dot, 24);
  // np.array(self.state, dtype=np.float32): round to nearest.
  store<f32>(o, <f32>x, 0);
  store<f32>(o, <f32>x_dot, 4);
  store<f32>(o, <f32>theta, 8);
  store<f32>(o, <f32>theta_dot, 12);
  return x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD_RADIANS || theta > THETA_THRESHOLD_RADIANS;
}

/** Envs per block of a vector step: its intermediate values fit {@link SCRATCH}. */
const BLOCK = 64;
// What a block keeps per pair of envs, an f64x2 each, at pair * PAIR_BYTES:
// sin and cos of theta, `temp`, and the denominator of `thetaacc`, which
// becomes `thetaacc`.
const SIN = 0;
const COS = 16;
const TEMP = 32;
const THETAACC = 48;
const PAIR_BYTES = 64;
/**
 * A vector step runs a block's physics in four loops over its pairs: sin
 * and cos, then one loop for each of step()'s chained divisions (`temp`,
 * `thetaacc`, `xacc`), with what they pass on kept here. Each loop's
 * iterations are independent, so the CPU overlaps the libm and divisions
 * of several pairs instead of waiting out one pair's chain of them (one
 * loop doing it all ran 1.12x slower, and a fifth for the bookkeeping 6%).
 */
const SCRATCH: usize = memory.data(BLOCK / 2 * PAIR_BYTES, 16);

/**
 * One variable of two adjacent envs' state, (env 0, env 1), the env-major
 * state transposed in registers: at `s`, x (`high` false) or x_dot; at
 * `s` + 16, theta or theta_dot.
 */
@inline function statePart(s: usize, high: bool): v128 {
  const env0 = v128.load(s);
  const env1 = v128.load(s, 32);
  return high ? f64x2.shuffle(env0, env1, 1, 3) : f64x2.shuffle(env0, env1, 0, 2);
}

/** The first loop's part of {@link stepOne} for the two adjacent envs at `s` (state): sin and cos of theta into their scratch at `sc`. */
@inline function pairSinCos(s: usize, sc: usize, fused: bool): void {
  sincos2(statePart(s + 16, false), fused);
  v128.store(sc, sin2, SIN);
  v128.store(sc, cos2, COS);
}
/** The second loop's, with their actions at `a`: `temp`, and `thetaacc`'s denominator. */
@inline function pairTemp(s: usize, a: usize, sc: usize): void {
  const sintheta = v128.load(sc, SIN);
  const costheta = v128.load(sc, COS);
  const theta_dot = statePart(s + 16, true);
  const action = i64x2.extend_low_i32x4_s(v128.load64_zero(a));
  const force = v128.bitselect(k(V_FORCE), k(V_MINUS_FORCE), i64x2.eq(action, k(V_ACTION_ONE)));
  v128.store(sc, div(add(force, mul(mul(k(V_POLEMASS_LENGTH), mul(theta_dot, theta_dot)), sintheta)), k(V_TOTAL_MASS)), TEMP);
  v128.store(sc, mul(k(V_LENGTH), sub(k(V_FOUR_THIRDS), div(mul(k(V_MASSPOLE), mul(costheta, costheta)), k(V_TOTAL_MASS)))), THETAACC);
}

/** The third loop's: `thetaacc`, over its denominator in the scratch at `sc`. */
@inline function pairThetaacc(sc: usize): void {
  const thetaacc = div(sub(mul(k(V_GRAVITY), v128.load(sc, SIN)), mul(v128.load(sc, COS), v128.load(sc, TEMP))), v128.load(sc, THETAACC));
  v128.store(sc, thetaacc, THETAACC);
}

/**
 * The fourth loop's: the rest of {@link stepOne} for the two adjacent envs
 * at `s` (state) and `o` (observations), from their scratch at `sc`.
 * Returns the terminated mask (all-ones lanes).
 */
@inline function pairFinish(s: usize, o: usize, sc: usize): v128 {
  let x = statePart(s, false);
  let x_dot = statePart(s, true);
  let theta = statePart(s + 16, false);
  let theta_dot = statePart(s + 16, true);
  const costheta = v128.load(sc, COS);
  const temp = v128.load(sc, TEMP);
  const thetaacc = v128.load(sc, THETAACC);
  const xacc = sub(temp, div(mul(mul(k(V_POLEMASS_LENGTH), thetaacc), costheta), k(V_TOTAL_MASS)));

  x = add(x, mul(k(V_TAU), x_dot));
  x_dot = add(x_dot, mul(k(V_TAU), xacc));
  theta = add(theta, mul(k(V_TAU), theta_dot));
  theta_dot = add(theta_dot, mul(k(V_TAU), thetaacc));

  const n0 = f64x2.shuffle(x, x_dot, 0, 2);
  const m0 = f64x2.shuffle(theta, theta_dot, 0, 2);
  const n1 = f64x2.shuffle(x, x_dot, 1, 3);
  const m1 = f64x2.shuffle(theta, theta_dot, 1, 3);
  v128.store(s, n0, 0);
  v128.store(s, m0, 16);
  v128.store(s, n1, 32);
  v128.store(s, m1, 48);
  v128.store(o, i64x2.shuffle(f32x4.demote_f64x2_zero(n0), f32x4.demote_f64x2_zero(m0), 0, 2), 0);
  v128.store(o, i64x2.shuffle(f32x4.demote_f64x2_zero(n1), f32x4.demote_f64x2_zero(m1), 0, 2), 16);
  return or(
    or(f64x2.lt(x, k(V_MINUS_X_THRESHOLD)), f64x2.gt(x, k(V_X_THRESHOLD))),
    or(f64x2.lt(theta, k(V_MINUS_THETA_THRESHOLD)), f64x2.gt(theta, k(V_THETA_THRESHOLD))),
  );
}

/**
 * Draws new states for the `count` envs listed at CP_RESET_LIST, as
 * `np_random.uniform(low, high, size=(4, count))` assigned to
 * `state[:, envs]`: C order, so all x's first, then all x_dot's, ...
 */
function redraw(h: usize, count: i32): void {
  const state = slotA(h, CP_STATE);
  const obs = slotA(h, CP_OBS);
  const list = slotA(h, CP_RESET_LIST);
  const rng = slotA(h, CP_RNG);
  const low = slotF(h, CP_LOW);
  const high = slotF(h, CP_HIGH);
  for (let v = 0; v < 4; v++) {
    for (let j = 0; j < count; j++) {
      const env = <usize>load<i32>(list + (<usize>j << 2));
      store<f64>(state + (env << 5) + (<usize>v << 3), pcg64Uniform(rng, low, high));
    }
  }
  for (let j = 0; j < count; j++) {
    const env = <usize>load<i32>(list + (<usize>j << 2));
    for (let v: usize = 0; v < 4; v++) store<f32>(obs + (env << 4) + (v << 2), <f32>load<f64>(state + (env << 5) + (v << 3)));
  }
}

/** Resets every env of the header at `h` (also a single env: N = 1 draws Gymnasium's size (4,)). */
export function cartpoleReset(h: usize): void {
  const n = <i32>load<i64>(h, CP_NUM_ENVS * SLOT);
  const list = slotA(h, CP_RESET_LIST);
  for (let i = 0; i < n; i++) store<i32>(list + (<usize>i << 2), i);
  redraw(h, n);
  memory.fill(slotA(h, CP_ELAPSED), 0, <usize>n << 3);
  memory.fill(slotA(h, CP_PREV_DONE), 0, <usize>n << 3);
}

/** Steps the single env at `h` (env 0) with `action` (0 or 1, checked by the caller); returns terminated (0/1). */
export function cartpoleStep(h: usize, action: i32): i32 {
  return <i32>stepOne(slotA(h, CP_STATE), slotA(h, CP_OBS), action);
}

/**
 * One step of every env, as CartPoleVectorEnv.step: physics, terminated,
 * steps += 1, truncated = steps >= max_episode_steps, reward; then envs done
 * on the previous step are redrawn, with reward 0 and not terminated or
 * truncated (their action is ignored). Returns -1, or the index of the first
 * action outside {0, 1}, having changed nothing.
 */
@inline function vecStep(h: usize, simd: bool): i32 {
  const n = <i32>load<i64>(h, CP_NUM_ENVS * SLOT);
  const actions = slotA(h, CP_ACTIONS);
  const bad = firstInvalidAction(actions, n, 2);
  if (bad >= 0) return bad;
  const state = slotA(h, CP_STATE);
  const obs = slotA(h, CP_OBS);
  const reward = slotA(h, CP_REWARD);
  const terminated = slotA(h, CP_TERMINATED);
  const truncated = slotA(h, CP_TRUNCATED);
  const elapsed = slotA(h, CP_ELAPSED);
  const prevDone = slotA(h, CP_PREV_DONE);
  const list = slotA(h, CP_RESET_LIST);
  const maxSteps = slotF(h, CP_MAX_STEPS);
  const suttonBarto = load<i64>(h, CP_SUTTON_BARTO * SLOT) != 0;
  // Envs done on the previous step go through the physics too, as in
  // Gymnasium, without a branch; the redraw below overwrites their state.
  let redraws = 0;
  let i = 0;
  if (simd) {
    // Two copies of the loop, one per fma path, so that neither branches on it.
    const pairs = n & ~1;
    redraws =
      ASC_FEATURE_RELAXED_SIMD && usesHardwareFma()
        ? stepPairs(state, obs, actions, reward, terminated, truncated, elapsed, prevDone, list, maxSteps, suttonBarto, pairs, true)
        : stepPairs(state, obs, actions, reward, terminated, truncated, elapsed, prevDone, list, maxSteps, suttonBarto, pairs, false);
    i = pairs;
  }
  for (; i < n; i++) {
    const e = <usize>i;
    const term = stepOne(state + (e << 5), obs + (e << 4), load<i32>(actions + (e << 2)));
    const prev = load<i64>(prevDone + (e << 3)) != 0;
    const steps = prev ? 0.0 : load<f64>(elapsed + (e << 3)) + 1.0;
    const t = term && !prev;
    const tr = steps >= maxSteps && !prev;
    store<f64>(elapsed + (e << 3), steps);
    store<f32>(reward + (e << 2), <f32>(prev ? 0.0 : suttonBarto ? (term ? -1.0 : -0.0) : 1.0));
    store<u8>(terminated + e, <u8>t);
    store<u8>(truncated + e, <u8>tr);
    store<i64>(prevDone + (e << 3), t || tr ? -1 : 0);
    if (prev) store<i32>(list + (<usize>(redraws++) << 2), i);
  }
  if (redraws > 0) redraw(h, redraws);
  return -1;
}

/**
 * The SIMD part of {@link vecStep}, with its regions and settings: envs
 * [0, pairs) in blocks of {@link BLOCK}, each block's physics in loops over
 * its pairs (see {@link SCRATCH}), the last with the bookkeeping. `fused`:
 * libm's fma as relaxed_madd ({@link usesHardwareFma}). Lists the envs to
 * redraw at `list` (CP_RESET_LIST) and returns how many.
 */
@inline function stepPairs(
  state: usize, obs: usize, actions: usize, reward: usize, terminated: usize, truncated: usize, elapsed: usize, prevDone: usize, list: usize,
  maxStep: f64, suttonBarto: bool, pairs: i32, fused: bool,
): i32 {
  const maxSteps = f64x2.splat(maxStep);
  // Rewards as doubles, narrowed on store: -float32(terminated) with suttonBartoReward, else ones.
  const rewardDone = f64x2.splat(suttonBarto ? -1.0 : 1.0);
  const rewardAlive = f64x2.splat(suttonBarto ? -0.0 : 1.0);
  let redraws = 0;
  let i = 0;
  while (i < pairs) {
    const end = min(pairs, i + BLOCK);
    for (let j = i; j < end; j += 2) pairSinCos(state + (<usize>j << 5), SCRATCH + <usize>((j - i) >> 1) * PAIR_BYTES, fused);
    for (let j = i; j < end; j += 2) pairTemp(state + (<usize>j << 5), actions + (<usize>j << 2), SCRATCH + <usize>((j - i) >> 1) * PAIR_BYTES);
    for (let j = i; j < end; j += 2) pairThetaacc(SCRATCH + <usize>((j - i) >> 1) * PAIR_BYTES);
    const start = i;
    for (; i < end; i += 2) {
      const e = <usize>i;
      const term = pairFinish(state + (e << 5), obs + (e << 4), SCRATCH + <usize>((i - start) >> 1) * PAIR_BYTES);
      const prev = v128.load(prevDone + (e << 3));
      const steps = v128.andnot(add(v128.load(elapsed + (e << 3)), k(V_ONE)), prev);
      const t = v128.andnot(term, prev);
      const tr = v128.andnot(f64x2.ge(steps, maxSteps), prev);
      v128.store(elapsed + (e << 3), steps);
      v128.store64_lane(reward + (e << 2), f32x4.demote_f64x2_zero(v128.andnot(v128.bitselect(rewardDone, rewardAlive, term), prev)), 0);
      store<u16>(terminated + e, flagBytes(t));
      store<u16>(truncated + e, flagBytes(tr));
      v128.store(prevDone + (e << 3), or(t, tr));
      if (v128.any_true(prev)) {
        if (i64x2.extract_lane(prev, 0) != 0) store<i32>(list + (<usize>(redraws++) << 2), i);
        if (i64x2.extract_lane(prev, 1) != 0) store<i32>(list + (<usize>(redraws++) << 2), i + 1);
      }
    }
  }
  return redraws;
}

/** Two 0/1 bytes (little-endian u16) from the lanes of a 64-bit mask. */
@inline function flagBytes(mask: v128): u16 {
  const bits = i64x2.bitmask(mask);
  return <u16>((bits & 1) | ((bits & 2) << 7));
}

/**
 * One vector step; see {@link vecStep}. SIMD, except in the test module
 * (SCALAR_TWINS = 1, see scripts/build-wasm.mjs), where its scalar twin runs:
 * the same results, one env at a time.
 */
export function cartpoleVecStep(h: usize): i32 {
  return vecStep(h, SCALAR_TWINS == 0);
}
