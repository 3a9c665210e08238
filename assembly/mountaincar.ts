/**
 * MountainCar-v0 as gymnasium/envs/classic_control/mountain_car.py
 * computes it (Gymnasium 1.4): the velocity update with libm's cos(3x),
 * np.clip of velocity and position, the velocity zeroed against the left
 * wall, in float64, bit for bit. One env and a vector of envs
 * (SyncVectorEnv semantics, see ./lib/classic.ts). Memory layout: the
 * Acrobot/MountainCar section of assembly/layout.ts.
 */
import { CP_HIGH, CP_LOW, CP_NUM_ENVS, CP_OBS, CP_REWARD, CP_RNG, CP_STATE, MOUNTAINCAR_OBS, MOUNTAINCAR_STATE, PCG64_BYTES, SLOT } from "./layout";
import { cos } from "./lib/libm";
import { pcg64Uniform } from "./lib/pcg64";
import { slotA, slotF } from "./lib/header";
import { resetAll, syncVecStep } from "./lib/classic";

const MIN_POSITION: f64 = -1.2;
const MAX_POSITION: f64 = 0.6;
const MAX_SPEED: f64 = 0.07;
const GOAL_POSITION: f64 = 0.5;
const GOAL_VELOCITY: f64 = 0;
const FORCE: f64 = 0.001;
const GRAVITY: f64 = 0.0025;

/** np.clip(x, lo, hi) for a float64 scalar: min(max(x, lo), hi), numpy's max taking x unless lo is larger. */
@inline function clip(x: f64, lo: f64, hi: f64): f64 {
  const v = x > lo ? x : lo;
  return v < hi ? v : hi;
}

/** MountainCarEnv.step for the env whose state is at `s` and observation at `o`; returns terminated. */
function stepOne(s: usize, o: usize, action: i32): bool {
  let position = load<f64>(s);
  let velocity = load<f64>(s, 8);
  velocity += <f64>(action - 1) * FORCE + cos(3 * position) * -GRAVITY;
  velocity = clip(velocity, -MAX_SPEED, MAX_SPEED);
  position += velocity;
  position = clip(position, MIN_POSITION, MAX_POSITION);
  if (position == MIN_POSITION && velocity < 0) velocity = 0;
  store<f64>(s, position);
  store<f64>(s, velocity, 8);
  store<f32>(o, <f32>position);
  store<f32>(o, <f32>velocity, 4);
  return position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
}

/** MountainCarEnv.reset for env i: position uniform(low, high) from its generator, velocity 0. */
function resetEnv(h: usize, i: i32): void {
  const s = slotA(h, CP_STATE) + <usize>i * MOUNTAINCAR_STATE * 8;
  const o = slotA(h, CP_OBS) + <usize>i * MOUNTAINCAR_OBS * 4;
  const position = pcg64Uniform(slotA(h, CP_RNG) + <usize>i * PCG64_BYTES, slotF(h, CP_LOW), slotF(h, CP_HIGH));
  store<f64>(s, position);
  store<f64>(s, 0, 8);
  store<f32>(o, <f32>position);
  store<f32>(o, 0, 4);
}

/** Resets every env of the header at `h` (a single env is N = 1). */
export function mountaincarReset(h: usize): void {
  resetAll(h, <i32>load<i64>(h, CP_NUM_ENVS * SLOT), resetEnv);
}

/** Steps the single env at `h` with `action` (0, 1 or 2, checked by the caller); writes its reward, returns terminated (0/1). */
export function mountaincarStep(h: usize, action: i32): i32 {
  store<f32>(slotA(h, CP_REWARD), -1);
  return <i32>stepOne(slotA(h, CP_STATE), slotA(h, CP_OBS), action);
}

/**
 * One step of every env (SyncVectorEnv with next-step autoreset; see
 * ./lib/classic.ts). Returns -1, or the index of the first action outside
 * {0, 1, 2}, having changed nothing. One env at a time (no f64x2 kernel
 * yet), in the shipped and the test module alike.
 */
export function mountaincarVecStep(h: usize): i32 {
  return syncVecStep(h, MOUNTAINCAR_STATE * 8, MOUNTAINCAR_OBS * 4, 3, stepOne, -1, -1, resetEnv);
}
