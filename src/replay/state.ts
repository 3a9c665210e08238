/**
 * A replay buffer's contents as plain data ({@link ReplayState}), for saving
 * an agent with its buffer and continuing bit for bit: the rows in use, the
 * per-env lanes (n-step windows waiting for their return), the sampler's RNG
 * state and, for prioritized replay, the priority leaves (the trees' inner
 * nodes are recomputed from them: sumtree.ts keeps every parent equal to
 * f(children), so the rebuild gives the same bits).
 * {@link checkReplayState} validates a state against a buffer's config
 * before anything is written, so a rejected import leaves the buffer as it was.
 */
import { CHAIN_ENDED, REPLAY_FLAG_STEPS, REPLAY_LANE_INTS } from "../../assembly/layout.ts";
import { InvalidArgumentError } from "../errors.ts";
import type { ReplayConfig } from "./config.ts";

/** The options that give rows their meaning: a state imports only into a buffer with the same. */
export interface ReplayLayout {
  /** Floats per observation. */
  observationSize: number;
  /** Envs that add to the buffer side by side (their n-step windows are kept apart). */
  numEnvs: number;
  /** Steps folded into each stored return. */
  nSteps: number;
  /** Discount of the n-step returns. */
  gamma: number;
  /** Whether adds follow a vector env's next-step autoreset (the reset-only step is dropped). */
  nextStepAutoreset: boolean;
  /** Prioritized replay's alpha (leaves are (priority + epsilon)^alpha); null when uniform. */
  alpha: number | null;
  /** Prioritized replay's epsilon; null when uniform. */
  epsilon: number | null;
  /** Rows (last: it follows from bufferSize, numEnvs and nSteps, so those are named first when they differ). */
  capacity: number;
}

/** JSON-safe scalars of a {@link ReplayState}. */
export interface ReplayStateMeta {
  /** What the buffer was created as; a state loads only into a buffer of the same layout. */
  layout: ReplayLayout;
  /** Sampleable rows. */
  size: number;
  /** Rows in use: [0, span). */
  span: number;
  /** Importance-sampling exponent (prioritized; 0 when uniform). */
  beta: number;
  /** Leaf of new transitions: (largest priority so far + epsilon)^alpha, 1 at first. */
  maxLeaf: number;
  /** The sampler's xoshiro128** state, 4 u32. */
  rng: number[];
}

/** Everything a buffer holds, `span` rows of it (see the module comment). */
export interface ReplayState {
  /** The scalars, JSON-safe. */
  meta: ReplayStateMeta;
  /** The rows and per-env state, as typed arrays. */
  arrays: {
    /** The observation of each row (a row's next observation is a later row of its env's chain). */
    obs: Float32Array;
    /** Action of each row. */
    actions: Int32Array;
    /** (n-step) reward of each row. */
    rewards: Float32Array;
    /** Per row k | done << 7: the steps folded into its return (0: not sampleable) and whether the episode ended there. */
    flags: Uint8Array;
    /** numEnvs x (head, chain, pending, skip): see LANE_* in assembly/layout.ts. */
    lanes: Int32Array;
    /** Sum-tree leaves of rows [0, span) (prioritized only). */
    leaves?: Float64Array;
    /** Bit-packed legal actions of rows [0, span), ceil(nActions / 8) bytes each (a buffer that was given masks only). */
    nextMasks?: Uint8Array;
  };
}

export function layoutOf(cfg: ReplayConfig): ReplayLayout {
  return {
    observationSize: cfg.observationSize,
    numEnvs: cfg.numEnvs,
    nSteps: cfg.nSteps,
    gamma: cfg.gamma,
    nextStepAutoreset: cfg.nextStepAutoreset,
    alpha: cfg.prioritized?.alpha ?? null,
    epsilon: cfg.prioritized?.epsilon ?? null,
    capacity: cfg.capacity,
  };
}

const bad = (what: string, value: unknown, allowed: string) => new InvalidArgumentError(`state.${what}`, value, allowed);

function typed<T extends ArrayBufferView>(name: string, a: unknown, type: { new (n: number): T; name: string }, length: number): T {
  if (!(a instanceof type) || (a as unknown as ArrayLike<number>).length !== length) throw bad(`arrays.${name}`, a, `a ${type.name} of ${length}`);
  return a;
}

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw bad(name, v, `an integer in [${min}, ${max}]`);
  return v;
}

/** Validates `state` for a buffer built from `cfg`; returns it typed. Writes nothing. */
export function checkReplayState(cfg: ReplayConfig, state: unknown): ReplayState {
  const s = state as ReplayState;
  if (typeof s?.meta !== "object" || s.meta === null || typeof s.arrays !== "object" || s.arrays === null) throw new InvalidArgumentError("state", state, "{ meta, arrays } from exportState()");
  const want = layoutOf(cfg);
  const got = (s.meta.layout ?? {}) as Partial<ReplayLayout>;
  for (const k of Object.keys(want) as (keyof ReplayLayout)[]) {
    if (got[k] !== want[k]) throw bad(`meta.layout.${k}`, got[k], `${String(want[k])} (this buffer's ${k}); a state imports only into a buffer with the same options`);
  }
  const { nSteps, numEnvs, laneRows } = cfg;
  const span = int("meta.span", s.meta.span, 0, cfg.capacity);
  if (span % numEnvs !== 0) throw bad("meta.span", span, `a multiple of numEnvs (${numEnvs})`);
  typed("obs", s.arrays.obs, Float32Array, span * cfg.observationSize);
  typed("actions", s.arrays.actions, Int32Array, span);
  typed("rewards", s.arrays.rewards, Float32Array, span);
  const flags = typed("flags", s.arrays.flags, Uint8Array, span);
  const lanes = typed("lanes", s.arrays.lanes, Int32Array, numEnvs * REPLAY_LANE_INTS);
  let sampleable = 0;
  for (let i = 0; i < span; i++) {
    const k = flags[i]! & REPLAY_FLAG_STEPS;
    if (k > nSteps || (k === 0 && flags[i] !== 0)) throw bad(`arrays.flags[${i}]`, flags[i], `0 or k | done << 7 with k in [1, ${nSteps}]`);
    if (k) sampleable++;
  }
  if (s.meta.size !== sampleable) throw bad("meta.size", s.meta.size, `${sampleable} (the sampleable rows in arrays.flags)`);
  for (let e = 0; e < numEnvs; e++) {
    const at = e * REPLAY_LANE_INTS;
    int(`arrays.lanes[${at}]`, lanes[at], 0, laneRows - 1);
    int(`arrays.lanes[${at + 1}]`, lanes[at + 1], 0, CHAIN_ENDED);
    int(`arrays.lanes[${at + 2}]`, lanes[at + 2], 0, nSteps - 1);
    int(`arrays.lanes[${at + 3}]`, lanes[at + 3], 0, 1);
  }
  const rng = s.meta.rng;
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || rng.every((w) => w === 0)) {
    throw bad("meta.rng", rng, "4 unsigned 32-bit integers, not all 0 (a xoshiro128** state)");
  }
  if (!(s.meta.maxLeaf > 0 && s.meta.maxLeaf < Infinity)) throw bad("meta.maxLeaf", s.meta.maxLeaf, "a positive finite number");
  if (!(s.meta.beta >= 0 && s.meta.beta <= 1)) throw bad("meta.beta", s.meta.beta, "a number in [0, 1]");
  if (s.arrays.nextMasks !== undefined) {
    if (!cfg.maskBytes) throw bad("arrays.nextMasks", s.arrays.nextMasks, "absent: this buffer was created without options.nActions");
    typed("nextMasks", s.arrays.nextMasks, Uint8Array, span * cfg.maskBytes);
  }
  if (!cfg.prioritized) {
    if (s.arrays.leaves !== undefined) throw bad("arrays.leaves", s.arrays.leaves, "absent for a uniform buffer");
    return s;
  }
  const leaves = typed("leaves", s.arrays.leaves, Float64Array, span);
  for (let i = 0; i < span; i++) {
    const ok = flags[i] === 0 ? leaves[i] === 0 : leaves[i]! > 0 && leaves[i]! < Infinity;
    if (!ok) throw bad(`arrays.leaves[${i}]`, leaves[i], flags[i] === 0 ? "0 (the row is not sampleable)" : "a positive finite priority leaf");
  }
  return s;
}

/** Fills sum and min trees (2 P nodes) from sum leaves (0: not sampleable, min +Infinity), parents as sumtree.ts computes them. */
export function rebuildTrees(sumTree: Float64Array, minTree: Float64Array, leaves: Float64Array): void {
  const p = sumTree.length / 2;
  sumTree.fill(0);
  minTree.fill(Infinity);
  for (let i = 0; i < leaves.length; i++) {
    sumTree[p + i] = leaves[i]!;
    if (leaves[i]! > 0) minTree[p + i] = leaves[i]!;
  }
  for (let n = p - 1; n >= 1; n--) {
    sumTree[n] = sumTree[2 * n]! + sumTree[2 * n + 1]!;
    minTree[n] = Math.min(minTree[2 * n]!, minTree[2 * n + 1]!);
  }
}
