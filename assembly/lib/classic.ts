/**
 * What Acrobot and MountainCar share around their physics: the action
 * check and the bookkeeping of a vector step as Gymnasium's SyncVectorEnv
 * of TimeLimit-wrapped envs with next-step autoreset (the header is
 * CartPole's, see the Acrobot/MountainCar section of assembly/layout.ts).
 * Each env's kernel steps the physics of every env (one at a time, or a
 * pair kernel first where the env has one) and writes its terminated
 * flag, then {@link syncVecFinish} turns flags into Gymnasium's
 * results: envs done on the previous step are reset instead (reward 0, not
 * terminated or truncated, action ignored).
 */
import { CP_ACTIONS, CP_ELAPSED, CP_MAX_STEPS, CP_NUM_ENVS, CP_OBS, CP_PREV_DONE, CP_REWARD, CP_STATE, CP_TERMINATED, CP_TRUNCATED, SLOT } from "../layout";
import { slotA, slotF } from "./header";

/**
 * The index of the first of the `n` actions at `a` outside [0, nActions),
 * or -1. Every vector step (CartPole's too) checks its actions with it
 * before changing anything: one branch-free pass for the usual answer
 * (none), and a scan for the index only when there is one.
 */
// @ts-ignore: decorator
@inline export function firstInvalidAction(a: usize, n: i32, nActions: u32): i32 {
  const limit = i32x4.splat(nActions);
  let outside = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) outside = v128.or(outside, i32x4.ge_u(v128.load(a + (<usize>i << 2)), limit));
  let any = v128.any_true(outside);
  for (; i < n; i++) any = any || <u32>load<i32>(a + (<usize>i << 2)) >= nActions;
  if (any) {
    for (i = 0; i < n; i++) {
      if (<u32>load<i32>(a + (<usize>i << 2)) >= nActions) return i;
    }
  }
  return -1;
}

/**
 * After the physics wrote terminated (0/1) for every env: TimeLimit's
 * elapsed steps and truncation, the rewards (`rewardTerminated` on the step
 * that terminates, `rewardAlive` otherwise) and the autoresets, each
 * through `reset(h, i)`, which draws env i's state and observation.
 */
// @ts-ignore: decorator
@inline export function syncVecFinish(h: usize, n: i32, rewardAlive: f32, rewardTerminated: f32, reset: (h: usize, i: i32) => void): void {
  const reward = slotA(h, CP_REWARD);
  const terminated = slotA(h, CP_TERMINATED);
  const truncated = slotA(h, CP_TRUNCATED);
  const elapsed = slotA(h, CP_ELAPSED);
  const prevDone = slotA(h, CP_PREV_DONE);
  const maxSteps = slotF(h, CP_MAX_STEPS);
  for (let i = 0; i < n; i++) {
    const e = <usize>i;
    if (load<i64>(prevDone + (e << 3)) != 0) {
      reset(h, i);
      store<f64>(elapsed + (e << 3), 0);
      store<f32>(reward + (e << 2), 0);
      store<u8>(terminated + e, 0);
      store<u8>(truncated + e, 0);
      store<i64>(prevDone + (e << 3), 0);
      continue;
    }
    const steps = load<f64>(elapsed + (e << 3)) + 1.0;
    const t = load<u8>(terminated + e) != 0;
    const tr = steps >= maxSteps;
    store<f64>(elapsed + (e << 3), steps);
    store<f32>(reward + (e << 2), t ? rewardTerminated : rewardAlive);
    store<u8>(truncated + e, <u8>tr);
    store<i64>(prevDone + (e << 3), t || tr ? -1 : 0);
  }
}

/** Resets every env of the header at `h` through `reset(h, i)` and clears the step counts and autoreset flags. */
// @ts-ignore: decorator
@inline export function resetAll(h: usize, n: i32, reset: (h: usize, i: i32) => void): void {
  for (let i = 0; i < n; i++) reset(h, i);
  memory.fill(slotA(h, CP_ELAPSED), 0, <usize>n << 3);
  memory.fill(slotA(h, CP_PREV_DONE), 0, <usize>n << 3);
}

/**
 * The physics of envs [from, n) through `step(state, obs, action)`, one env
 * at a time, each writing its terminated flag (after a pair kernel has
 * stepped envs [0, from)).
 */
// @ts-ignore: decorator
@inline export function stepEach(h: usize, from: i32, n: i32, stateBytes: usize, obsBytes: usize, step: (s: usize, o: usize, action: i32) => bool): void {
  const actions = slotA(h, CP_ACTIONS);
  const state = slotA(h, CP_STATE);
  const obs = slotA(h, CP_OBS);
  const terminated = slotA(h, CP_TERMINATED);
  for (let i = from; i < n; i++) {
    const e = <usize>i;
    store<u8>(terminated + e, <u8>step(state + e * stateBytes, obs + e * obsBytes, load<i32>(actions + (e << 2))));
  }
}

/**
 * One step of every env (SyncVectorEnv with next-step autoreset): the
 * physics of each env through `step(state, obs, action)`, one env at a
 * time ({@link stepEach}), then {@link syncVecFinish}. Returns -1, or the
 * index of the first action outside [0, nActions), having changed nothing.
 */
// @ts-ignore: decorator
@inline export function syncVecStep(
  h: usize,
  stateBytes: usize,
  obsBytes: usize,
  nActions: u32,
  step: (s: usize, o: usize, action: i32) => bool,
  rewardAlive: f32,
  rewardTerminated: f32,
  reset: (h: usize, i: i32) => void,
): i32 {
  const n = <i32>load<i64>(h, CP_NUM_ENVS * SLOT);
  const bad = firstInvalidAction(slotA(h, CP_ACTIONS), n, nActions);
  if (bad >= 0) return bad;
  stepEach(h, 0, n, stateBytes, obsBytes, step);
  syncVecFinish(h, n, rewardAlive, rewardTerminated, reset);
  return -1;
}
