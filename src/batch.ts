/**
 * A batch of B transitions: the one record replay buffers sample into and
 * every Q-network engine trains from (`UpdateBatch`, its looser form for
 * hand-built batches) (src/nn/spec.ts says how each field
 * enters the update), and its address map, where each array lies in an
 * arena. Shared by src/replay and src/nn, which do not import each other.
 */
import {
  BATCH_ACTIONS, BATCH_DISCOUNTS, BATCH_DONES, BATCH_INDICES, BATCH_NEXT_MASKS, BATCH_NEXT_OBS, BATCH_OBS, BATCH_REWARDS, BATCH_WEIGHTS,
} from "../assembly/layout.ts";
import type { Header } from "./runtime/header.ts";

/** A batch of transitions for one update, as the engines take it (the replay buffer's sample, or one built by hand). */
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
  /** The rows a replay buffer sampled (for updatePriorities); absent in batches built elsewhere. */
  indices?: Int32Array;
  /**
   * u8[B·ceil(nActions/8)]: the legal actions of each next observation, bit a
   * of byte a >> 3 for action a (see masks.ts' packMasks); a row with no bit
   * set leaves every action legal. Absent: no masks.
   */
  nextMasks?: Uint8Array;
}

/**
 * A batch as `QEngine.update` (src/nn/engine.ts) takes it from any caller, not only a
 * replay buffer: the same record, with per-row numbers in any array and
 * `discounts` (default gamma) and `weights` (default 1) optional. Its size is
 * `actions.length`; truncation is not termination (`dones` marks only the
 * latter).
 */
export type UpdateBatch = Pick<TransitionBatch, "observations" | "nextObservations" | "indices" | "nextMasks"> & {
  [K in "actions" | "rewards" | "dones"]: ArrayLike<number>;
} & {
  [K in "discounts" | "weights"]?: ArrayLike<number>;
};

/** Byte address of each array of a batch in an arena (0 or absent: none): the TypeScript side of a batch address map (assembly/layout.ts). */
export type BatchAddresses = { [K in keyof TransitionBatch]: number };

const SLOT_OF: Required<BatchAddresses> = {
  observations: BATCH_OBS,
  actions: BATCH_ACTIONS,
  rewards: BATCH_REWARDS,
  nextObservations: BATCH_NEXT_OBS,
  dones: BATCH_DONES,
  discounts: BATCH_DISCOUNTS,
  weights: BATCH_WEIGHTS,
  indices: BATCH_INDICES,
  nextMasks: BATCH_NEXT_MASKS,
};

/** Writes `addresses` as the batch address map that starts at slot `at` of `header` (0 for a batch without indices). */
export function writeBatchMap(header: Header, at: number, addresses: BatchAddresses): void {
  for (const key of Object.keys(SLOT_OF) as (keyof BatchAddresses)[]) header.setInt(at + SLOT_OF[key], addresses[key] ?? 0);
}
