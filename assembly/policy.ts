/**
 * Entry of the inference-only policy module (deepq/policy, src/policy.ts):
 * the fused engine's forward pass and nothing else, so the module stays a
 * few kilobytes. Built on its own by scripts/build-wasm.mjs (plain SIMD
 * only); the math is assembly/lib/mlp.ts, shared with the trainer, and the
 * header is the MLP engine's (layout: assembly/layout.ts, "Policy runtime").
 */
import { greedy, qValues } from "./lib/mlp";

/** Greedy actions (i32[rows]) for `rows` observations at `obs`, into `out`; returns the first. Callers: act (one row), actBatch. */
export function policyGreedy(h: usize, obs: usize, rows: i32, out: usize): i32 {
  return greedy(h, obs, rows, out);
}

/** Q-values (f32[rows·nActions]) for `rows` observations at `obs`, into `out`. Callers: qValues. */
export function policyQValues(h: usize, obs: usize, rows: i32, out: usize): void {
  qValues(h, obs, rows, out);
}
