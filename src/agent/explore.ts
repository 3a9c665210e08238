/**
 * Epsilon-greedy action choice, the one rule `learn`, `act` and
 * `predict({ deterministic: false })` share. The RNG draws are part of
 * deepq's determinism: one draw decides whether to explore (none while
 * warming up, before `learningStarts`, where every action is random), and
 * an exploring step draws its action uniformly, among the legal ones when
 * masked.
 */
import type { Rng } from "../runtime/rng.ts";
import { randomLegal } from "../masks.ts";

/**
 * The action for row `row`: uniformly random (among the legal actions of
 * `masks`, rows of `nActions`) while `warmup` or with probability
 * `epsilon`; otherwise `greedy`, a precomputed action or a function that
 * computes it only when needed.
 */
export function epsilonGreedy(
  rng: Rng,
  epsilon: number,
  warmup: boolean,
  nActions: number,
  greedy: number | (() => number),
  masks?: Uint8Array,
  row = 0,
): number {
  if (warmup || rng.nextDouble() < epsilon) return masks ? randomLegal(rng, masks, row * nActions, nActions) : rng.int(nActions);
  return typeof greedy === "number" ? greedy : greedy();
}
