/**
 * A batch of B transitions, the layout replay buffers sample into and every
 * Q-network engine trains from (src/nn/spec.ts says how each field enters
 * the update). Shared by src/replay and src/nn, which do not import each other.
 */
export interface TransitionBatch {
  /** f32[B·observationSize], row-major. */
  observations: Float32Array;
  /** i32[B], each in [0, nActions). */
  actions: Int32Array;
  /** f32[B]: the reward, or the discounted sum of the n rewards of an n-step transition. */
  rewards: Float32Array;
  /** f32[B·observationSize]: the observation n steps later (the episode's last one if it ended sooner). */
  nextObservations: Float32Array;
  /** 1 where the episode terminated within the k steps summed (no bootstrapping), else 0. */
  dones: Float32Array;
  /** gamma^k for the k rewards summed into `rewards` (gamma for 1-step). */
  discounts: Float32Array;
  /** Importance weights (prioritized replay, max-normalised into (0, 1]); all 1 when uniform. */
  weights: Float32Array;
}
