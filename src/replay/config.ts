/**
 * Replay buffer options, validated once into a {@link ReplayConfig} that both
 * the WASM-backed buffers (buffer.ts) and the plain-TS reference
 * (reference.ts) are built from, so the two hold the same rows.
 */
import { REPLAY_FLAG_STEPS, REPLAY_ROW_BYTES_PER_OBS_FLOAT, REPLAY_ROW_FIXED_BYTES } from "../../assembly/layout.ts";
import { InvalidArgumentError } from "../errors.ts";
import { packedMaskBytes } from "../masks.ts";
import { MAX_WIDTH } from "../limits.ts";
import { checkInt, checkKnownKeys, checkNumber, checkOneOf, checkOptions } from "../validate.ts";

/** Options of `ReplayBuffer.create`. */
export interface ReplayBufferOptions {
  /**
   * Rows to reserve (rounded up to a multiple of numEnvs). A row holds one
   * transition; each episode end also spends one row on the final
   * observation (see assembly/layout.ts), and the nSteps - 1 newest rows of
   * each env wait for their n-step return before they can be sampled.
   */
  capacity: number;
  /** Length of one observation (numbers). */
  observationSize: number;
  /** Seed of the sampling RNG (an integer in [0, 2^53)); random when absent. */
  seed?: number;
  /** Rewards summed per transition (n-step returns), 1 to 127; default 1. */
  nSteps?: number;
  /** Discount of the n-step return, in [0, 1]; default 0.99. */
  gamma?: number;
  /** Envs of the vector env feeding addBatch (one n-step window each); default 1. */
  numEnvs?: number;
  /** Largest batch `sample` accepts (its output regions are reserved for it); default 1024. */
  maxBatchSize?: number;
  /**
   * How the vector env resets: "same-step" (default; every addBatch entry is a
   * transition, as with Stable-Baselines3's VecEnv or manual resets) or
   * "next-step" (Gymnasium 1.x vector envs and deepq's `makeVec`: the entry of
   * an env right after its episode ended only reset it, and is dropped).
   */
  autoreset?: "same-step" | "next-step";
  /**
   * Actions of the env, for a buffer that keeps the legal actions of each
   * next observation (`add`'s `nextMask`), bit-packed: ceil(nActions / 8)
   * bytes a row more. Absent: no masks.
   */
  nActions?: number;
}

/** Options of `PrioritizedReplayBuffer.create`. */
export interface PrioritizedReplayBufferOptions extends ReplayBufferOptions {
  /** Prioritisation exponent (0 = uniform), >= 0. */
  alpha: number;
  /** Importance-sampling exponent in [0, 1]; settable later (annealing). */
  beta: number;
  /** Added to every priority so no transition becomes unsampleable; > 0, default 1e-6. */
  epsilon?: number;
}

export interface ReplayConfig {
  /** Rows, laneRows * numEnvs. */
  capacity: number;
  laneRows: number;
  numEnvs: number;
  observationSize: number;
  nSteps: number;
  gamma: number;
  maxBatchSize: number;
  seed: number;
  nextStepAutoreset: boolean;
  /** Actions and bytes of one bit-packed mask (both 0: the buffer keeps no masks). */
  nActions: number;
  maskBytes: number;
  /** Present for prioritized replay; treeLeaves = capacity rounded up to a power of two. */
  prioritized?: { alpha: number; beta: number; epsilon: number; treeLeaves: number };
}

const UNIFORM_KEYS = ["capacity", "observationSize", "seed", "nSteps", "gamma", "numEnvs", "maxBatchSize", "autoreset", "nActions"] as const;
const PRIORITIZED_KEYS = [...UNIFORM_KEYS, "alpha", "beta", "epsilon"] as const;
/** Rows of one buffer, kept to 2^30 so kernel row arithmetic stays in i32. */
const MAX_ROWS = 2 ** 30;
/** Bytes of one buffer, kept to 2 GiB so it fits any runtime's WebAssembly memory beside a network. */
const MAX_BYTES = 2 ** 31;

/** Bytes one row costs: obs, action, reward, flags (25 for CartPole). */
export function rowBytes(observationSize: number): number {
  return REPLAY_ROW_BYTES_PER_OBS_FLOAT * observationSize + REPLAY_ROW_FIXED_BYTES;
}

/** Bytes of the storage that scales with capacity (rows and trees). */
export function storageBytes(cfg: ReplayConfig): number {
  return cfg.capacity * (rowBytes(cfg.observationSize) + cfg.maskBytes) + (cfg.prioritized ? 2 * 2 * cfg.prioritized.treeLeaves * 8 : 0);
}

/** Validates options; `prioritized` adds alpha, beta and epsilon. */
export function parseReplayOptions(value: unknown, prioritized: boolean): ReplayConfig {
  const o = checkOptions("options", value);
  checkKnownKeys("options", o, prioritized ? PRIORITIZED_KEYS : UNIFORM_KEYS);
  const observationSize = checkInt("options.observationSize", o.observationSize, { min: 1, max: MAX_WIDTH });
  const nSteps = checkInt("options.nSteps", o.nSteps ?? 1, { min: 1, max: REPLAY_FLAG_STEPS });
  const numEnvs = checkInt("options.numEnvs", o.numEnvs ?? 1, { min: 1, max: 65536 });
  // Each lane needs its n-step window plus the row holding the next observation.
  const capacity = checkInt("options.capacity", o.capacity, { min: numEnvs * (nSteps + 1), max: MAX_ROWS });
  const laneRows = Math.ceil(capacity / numEnvs);
  const cfg: ReplayConfig = {
    capacity: laneRows * numEnvs,
    laneRows,
    numEnvs,
    observationSize,
    nSteps,
    gamma: checkNumber("options.gamma", o.gamma ?? 0.99, { min: 0, max: 1 }),
    maxBatchSize: checkInt("options.maxBatchSize", o.maxBatchSize ?? 1024, { min: 1, max: 65536 }),
    seed: o.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : checkInt("options.seed", o.seed, { min: 0, max: Number.MAX_SAFE_INTEGER }),
    nextStepAutoreset: checkOneOf("options.autoreset", o.autoreset ?? "same-step", ["same-step", "next-step"]) === "next-step",
    nActions: o.nActions === undefined ? 0 : checkInt("options.nActions", o.nActions, { min: 1, max: MAX_WIDTH }),
    maskBytes: 0,
  };
  cfg.maskBytes = packedMaskBytes(cfg.nActions);
  if (prioritized) {
    cfg.prioritized = {
      alpha: checkNumber("options.alpha", o.alpha, { min: 0 }),
      beta: checkNumber("options.beta", o.beta, { min: 0, max: 1 }),
      epsilon: checkNumber("options.epsilon", o.epsilon ?? 1e-6, { min: 0, minExclusive: true }),
      treeLeaves: powerOfTwoAtLeast(cfg.capacity),
    };
  }
  if (storageBytes(cfg) > MAX_BYTES) {
    throw new InvalidArgumentError("options.capacity", capacity, `small enough for ${MAX_BYTES} bytes of storage (${storageBytes(cfg)} needed)`);
  }
  return cfg;
}

function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** gamma^k for k = 0..nSteps as f32, by repeated f64 multiplication (no pow: the AS and V8 ones may differ). */
export function discountTable(gamma: number, nSteps: number): Float32Array {
  const table = new Float32Array(nSteps + 1);
  let g = 1;
  for (let k = 0; k <= nSteps; k++, g *= gamma) table[k] = g;
  return table;
}
