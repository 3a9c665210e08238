/** Seeded random transition batches and error measures for engine parity tests. */
import { Rng } from "../../src/runtime/rng.ts";
import type { NetSpec } from "../../src/nn/spec.ts";
import type { TransitionBatch } from "../oracles/nn-reference.ts";

export interface BatchShape {
  /** k of the k-step returns mixed into `discounts` (gamma^1..gamma^k); default 1. */
  nSteps?: number;
  /** Importance weights in (0, 1] instead of all 1. */
  prioritized?: boolean;
  gamma?: number;
}

/** CartPole-scale observations, rewards of 1, ~10% episode ends. */
export function randomBatch(rng: Rng, spec: NetSpec, rows: number, shape: BatchShape = {}): TransitionBatch {
  const { nSteps = 1, prioritized = false, gamma = 0.99 } = shape;
  const D = spec.observationSize;
  const f32 = (n: number, draw: () => number) => Float32Array.from({ length: n }, draw);
  return {
    observations: f32(rows * D, () => rng.uniform(-2, 2)),
    actions: Int32Array.from({ length: rows }, () => rng.int(spec.nActions)),
    rewards: f32(rows, () => 1 + rng.uniform(-0.5, 0.5)),
    nextObservations: f32(rows * D, () => rng.uniform(-2, 2)),
    dones: f32(rows, () => (rng.nextDouble() < 0.1 ? 1 : 0)),
    discounts: f32(rows, () => gamma ** (1 + rng.int(nSteps))),
    weights: f32(rows, () => (prioritized ? rng.uniform(0.2, 1) : 1)),
  };
}

/** max_i |a_i - b_i| / max_i |b_i|: the error relative to the scale of the reference vector. */
export function relError(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (a.length !== ref.length) throw new Error(`length ${a.length} != ${ref.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * The greedy action of each row of float64 reference Q-values [rows, nActions],
 * or -1 where the best two are within `margin` of the row's largest |Q|: there
 * float32 rounding may pick either one, so an engine's choice is not checked.
 */
export function referenceArgmax(q: ArrayLike<number>, nActions: number, margin = 1e-5): Int32Array {
  const out = new Int32Array(q.length / nActions);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    let scale = 0;
    for (let a = 0; a < nActions; a++) {
      if (q[r * nActions + a]! > q[r * nActions + best]!) best = a;
      scale = Math.max(scale, Math.abs(q[r * nActions + a]!));
    }
    let gap = Infinity;
    for (let a = 0; a < nActions; a++) if (a !== best) gap = Math.min(gap, q[r * nActions + best]! - q[r * nActions + a]!);
    out[r] = gap > margin * scale ? best : -1;
  }
  return out;
}
