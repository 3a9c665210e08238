/**
 * Exported entry points of the fused MLP engine (src/nn/fused.ts calls them;
 * math in assembly/lib/mlp.ts, layout in assembly/layout.ts). `h` is the
 * address of a network header; other arguments are byte addresses, counts
 * and f64 values.
 */
import { applyGradients, gradients, greedy, qValues, syncTarget } from "./lib/mlp";

/**
 * One complete DQN update from a batch of `n` transitions (n <= the header's
 * rows): forward passes, loss, backward pass, clipping and Adam. The batch is
 * observations f32[n·obsSize], actions i32[n], rewards f32[n],
 * nextObservations f32[n·obsSize], dones f32[n] (0 | 1), discounts f32[n]
 * (gamma^k), weights f32[n] (importance weights, 1 when uniform), at any
 * addresses in the arena (a replay buffer's sample region feeds it directly).
 * Writes TD errors q - y (f32[n]) to `tdOut`; returns the loss. A non-finite
 * loss, or a gradient too large for Adam's f32 moments (then the result is
 * NaN), is divergence: weights, target and Adam state stay untouched, so the
 * agent stops with its last finite weights.
 * Callers: every gradient step of an agent on the fused engine.
 */
export function mlpUpdate(h: usize, obs: usize, actions: usize, rewards: usize, nextObs: usize, dones: usize, discounts: usize, weights: usize, n: i32, tdOut: usize): f64 {
  const loss = gradients(h, obs, actions, rewards, nextObs, dones, discounts, weights, n, tdOut);
  if (!isFinite<f64>(loss)) return loss;
  return applyGradients(h) ? loss : NaN;
}

/** As mlpUpdate without clipping and Adam: leaves the gradient in the GRAD set. Callers: gradient checks. */
export function mlpGradients(h: usize, obs: usize, actions: usize, rewards: usize, nextObs: usize, dones: usize, discounts: usize, weights: usize, n: i32, tdOut: usize): f64 {
  return gradients(h, obs, actions, rewards, nextObs, dones, discounts, weights, n, tdOut);
}

/** Greedy actions (i32[rows]) of the online network for `rows` observations; returns the first. Callers: act, actBatch. */
export function mlpGreedy(h: usize, obs: usize, rows: i32, out: usize): i32 {
  return greedy(h, obs, rows, out);
}

/** Q-values (f32[rows·nActions]) of the online network for `rows` observations. Callers: qValues. */
export function mlpQValues(h: usize, obs: usize, rows: i32, out: usize): void {
  qValues(h, obs, rows, out);
}

/** Target update: copy when tau >= 1, else target = tau·online + (1 - tau)·target. Callers: syncTarget. */
export function mlpSyncTarget(h: usize, tau: f64): void {
  syncTarget(h, tau);
}
