/**
 * Acrobot-v1 as gymnasium/envs/classic_control/acrobot.py computes it
 * (Gymnasium 1.4, `book_or_nips = "book"`): `_dsdt` and `rk4` over
 * dt = 0.2 in float64 with numpy's operations in numpy's order, `wrap` and
 * `bound`, so every state and observation matches Gymnasium bit for bit.
 * One env and a vector of envs (SyncVectorEnv semantics, see
 * ./lib/classic.ts). Memory layout: the Acrobot/MountainCar section of
 * assembly/layout.ts.
 */
import { ACROBOT_OBS, ACROBOT_STATE, CP_HIGH, CP_LOW, CP_NUM_ENVS, CP_OBS, CP_REWARD, CP_RNG, CP_STATE, PCG64_BYTES, SLOT } from "./layout";
import { cos, sin } from "./lib/libm";
import { pow2 } from "./lib/pow2";
import { npyCosf, npySinf } from "./lib/npy-sincosf";
import { pcg64Uniform } from "./lib/pcg64";
import { slotA, slotF } from "./lib/header";
import { resetAll, syncVecStep } from "./lib/classic";

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

/** Resets every env of the header at `h` (a single env is N = 1). */
export function acrobotReset(h: usize): void {
  resetAll(h, <i32>load<i64>(h, CP_NUM_ENVS * SLOT), resetEnv);
}

/** Steps the single env at `h` with `action` (0, 1 or 2, checked by the caller); writes its reward, returns terminated (0/1). */
export function acrobotStep(h: usize, action: i32): i32 {
  const terminated = stepOne(slotA(h, CP_STATE), slotA(h, CP_OBS), action);
  store<f32>(slotA(h, CP_REWARD), terminated ? 0 : -1);
  return <i32>terminated;
}

/**
 * One step of every env (SyncVectorEnv with next-step autoreset; see
 * ./lib/classic.ts). Returns -1, or the index of the first action outside
 * {0, 1, 2}, having changed nothing. One env at a time (no f64x2 kernel
 * yet), in the shipped and the test module alike.
 */
export function acrobotVecStep(h: usize): i32 {
  return syncVecStep(h, ACROBOT_STATE * 8, ACROBOT_OBS * 4, 3, stepOne, -1, 0, resetEnv);
}
