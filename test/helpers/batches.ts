/** Seeded random update batches for the Q-network tests and benchmarks. */
import { Rng } from "../../src/runtime/rng.ts";
import type { UpdateBatch } from "../../src/nn/engine.ts";
import type { NetSpec } from "../../src/nn/spec.ts";

export interface BatchOptions {
  /** Per-row n-step discounts gamma^k, k in 1..3 (otherwise the engine's gamma). */
  discounts?: boolean;
  /** Prioritized-replay importance weights in (0.1, 1]. */
  weights?: boolean;
  /** Reward magnitude (large rewards drive Huber into its linear part). */
  rewardScale?: number;
}

export function randomBatches(spec: NetSpec, size: number, count: number, seed: number, o: BatchOptions = {}): UpdateBatch[] {
  const rng = new Rng(seed);
  const uniform = (n: number, s: number) => Float32Array.from({ length: n }, () => rng.uniform(-s, s));
  return Array.from({ length: count }, () => ({
    observations: uniform(size * spec.observationSize, 2),
    nextObservations: uniform(size * spec.observationSize, 2),
    actions: Int32Array.from({ length: size }, () => rng.int(spec.nActions)),
    rewards: uniform(size, o.rewardScale ?? 1),
    dones: Float32Array.from({ length: size }, () => (rng.nextDouble() < 0.25 ? 1 : 0)),
    ...(o.discounts && { discounts: Float32Array.from({ length: size }, () => 0.97 ** (1 + rng.int(3))) }),
    ...(o.weights && { weights: Float32Array.from({ length: size }, () => rng.uniform(0.1, 1)) }),
  }));
}
