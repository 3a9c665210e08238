/**
 * Exported entry points of the fused MLP engine (src/nn/fused.ts calls them;
 * math in assembly/lib/mlp.ts, layout in assembly/layout.ts). `h` is the
 * address of a network header; other arguments are byte addresses, counts
 * and f64 values.
 */
import { applyGradients, gradients, greedy, qValues, syncTarget } from "./lib/mlp";
import { slotA } from "./lib/header";
import { rngNextDouble } from "./lib/rng";
import { BATCH_ACTIONS, BATCH_DISCOUNTS, BATCH_DONES, BATCH_NEXT_MASKS, BATCH_NEXT_OBS, BATCH_OBS, BATCH_REWARDS, BATCH_WEIGHTS } from "./layout";

/** The loss and gradient of the batch whose address map (layout.ts, "Batch address map") is at `batch`. */
@inline function batchGradients(h: usize, batch: usize, n: i32, tdOut: usize): f64 {
  return gradients(
    h, slotA(batch, BATCH_OBS), slotA(batch, BATCH_ACTIONS), slotA(batch, BATCH_REWARDS), slotA(batch, BATCH_NEXT_OBS),
    slotA(batch, BATCH_DONES), slotA(batch, BATCH_DISCOUNTS), slotA(batch, BATCH_WEIGHTS), slotA(batch, BATCH_NEXT_MASKS), n, tdOut,
  );
}

/**
 * One complete DQN update from a batch of `n` transitions (n <= the header's
 * rows): forward passes, loss, backward pass, clipping and Adam. `batch` is
 * the address of a batch address map (layout.ts): its arrays may lie anywhere
 * in the arena (a replay buffer's sample region feeds it directly).
 * Writes TD errors q - y (f32[n]) to `tdOut`; returns the loss. A non-finite
 * loss, or a gradient too large for Adam's f32 moments (then the result is
 * NaN), is divergence: weights, target and Adam state stay untouched, so the
 * agent stops with its last finite weights.
 * Callers: every gradient step of an agent on the fused engine.
 */
export function mlpUpdate(h: usize, batch: usize, n: i32, tdOut: usize): f64 {
  const loss = batchGradients(h, batch, n, tdOut);
  if (!isFinite<f64>(loss)) return loss;
  return applyGradients(h) ? loss : NaN;
}

/** As mlpUpdate without clipping and Adam: leaves the gradient in the GRAD set. Callers: gradient checks. */
export function mlpGradients(h: usize, batch: usize, n: i32, tdOut: usize): f64 {
  return batchGradients(h, batch, n, tdOut);
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

/**
 * One layer of a fresh network's weights: `n` draws uniform in [-bound,
 * bound) from the xoshiro128** state at `state` (Rng.uniform's values in
 * src/runtime/rng.ts, which the tfjs engines draw), the i-th stored as f32 at
 * float index map[i] (i32) of `dst`. Callers: FusedQNet's constructor, once
 * per layer: in TypeScript, a cold start's interpreter spends ~5 ms on a
 * 4-64-64-2 net's draws and scatter.
 */
export function mlpInitLayer(dst: usize, map: usize, n: i32, state: usize, bound: f64): void {
  for (let i = 0; i < n; i++) {
    const at = dst + (<usize>load<i32>(map + (<usize>i << 2)) << 2);
    store<f32>(at, <f32>(-bound + (bound + bound) * rngNextDouble(state)));
  }
}
