/**
 * Validates what add, addBatch and updatePriorities are given while copying
 * it into a buffer's staging arrays (views into WASM memory for the real
 * buffers, plain typed arrays for the reference). Only staging is written
 * before the last check passes, so a rejected call leaves the buffer as it was.
 */
import { InvalidArgumentError } from "../errors.ts";
import { checkInt } from "../validate.ts";
import { REPLAY_END_TERMINATED, REPLAY_END_TRUNCATED } from "../../assembly/layout.ts";
import type { ReplayConfig } from "./config.ts";
import { checkMaskRows, packMasks } from "../masks.ts";

/**
 * Stages the next observations' masks (numEnvs x nActions, 1 legal) bit-packed,
 * if given; returns whether they were. A terminated entry may have no legal
 * action (its target ignores the mask).
 */
function stageNextMasks(cfg: ReplayConfig, s: Staging, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (cfg.maskBytes === 0) throw new InvalidArgumentError(name, value, "absent: this buffer was created without options.nActions, so it keeps no masks");
  const bytes = new Uint8Array(cfg.numEnvs * cfg.nActions);
  checkMaskRows(name, value, cfg.nActions, cfg.numEnvs, bytes, (i) => (s.ends[i]! & REPLAY_END_TERMINATED) !== 0);
  packMasks(bytes, cfg.nActions, cfg.numEnvs, s.nextMasks);
  return true;
}

/** One add's inputs and one priority update's, as the kernels read them. */
export interface Staging {
  obs: Float32Array;
  nextObs: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  /** REPLAY_END_* bits per env. */
  ends: Uint8Array;
  indices: Int32Array;
  /** (priority + epsilon)^alpha per staged index. */
  leaves: Float64Array;
  /** Bit-packed legal actions of each env's next observation (numEnvs x cfg.maskBytes). */
  nextMasks: Uint8Array;
}

/** Staging in plain typed arrays (the reference buffer's). */
export function newStaging(cfg: ReplayConfig): Staging {
  const n = cfg.numEnvs;
  const updates = cfg.prioritized ? cfg.maxBatchSize : 0;
  return {
    obs: new Float32Array(n * cfg.observationSize),
    nextObs: new Float32Array(n * cfg.observationSize),
    actions: new Int32Array(n),
    rewards: new Float32Array(n),
    ends: new Uint8Array(n),
    indices: new Int32Array(updates),
    leaves: new Float64Array(updates),
    nextMasks: new Uint8Array(n * cfg.maskBytes),
  };
}

const MAX_ACTION = 2 ** 31 - 1;

/** An array or typed array, of `length` elements unless that is undefined. */
function arrayLike(name: string, value: unknown, length: number | undefined, what: string): ArrayLike<unknown> {
  const ok = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!ok || (length !== undefined && (value as ArrayLike<unknown>).length !== length)) {
    throw new InvalidArgumentError(name, value, `an array or typed array of ${length ?? ""}${length === undefined ? "" : " "}${what}`);
  }
  return value as ArrayLike<unknown>;
}

// Each check is a cheap test first; the error and its argument name
// (`name`, or `name[index]` for an element) are only built on failure.
const element = (name: string, index: number) => (index < 0 ? name : `${name}[${index}]`);

function float32(name: string, index: number, x: unknown): number {
  const f = typeof x === "number" ? Math.fround(x) : NaN;
  if (!Number.isFinite(f)) throw new InvalidArgumentError(element(name, index), x, "a finite number within float32 range");
  return f;
}

function action(name: string, index: number, x: unknown): number {
  if (typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= MAX_ACTION) return x;
  return checkInt(element(name, index), x, { min: 0, max: MAX_ACTION });
}

function flag(name: string, index: number, x: unknown): number {
  if (x === true || x === 1) return 1;
  if (x === false || x === 0) return 0;
  throw new InvalidArgumentError(element(name, index), x, "true, false, 1 or 0");
}

function stageFloats(name: string, value: unknown, length: number, out: Float32Array): void {
  const v = arrayLike(name, value, length, "finite numbers");
  for (let i = 0; i < length; i++) out[i] = float32(name, i, v[i]);
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * A reward whose n-step return cannot overflow float32: with gamma <= 1 the
 * sum of nSteps rewards is at most nSteps times the largest.
 */
function nStepSafeReward(cfg: ReplayConfig, name: string, index: number, x: unknown): number {
  const f = float32(name, index, x);
  const limit = FLOAT32_MAX / cfg.nSteps;
  if (!(Math.abs(f) <= limit)) throw new InvalidArgumentError(element(name, index), x, `a finite number with |${name}| <= ${limit.toPrecision(4)} (float32's largest / nSteps, so the ${cfg.nSteps}-step return stays finite)`);
  return f;
}

function stageRewards(cfg: ReplayConfig, value: unknown, out: Float32Array): void {
  const v = arrayLike("rewards", value, cfg.numEnvs, "finite numbers");
  for (let i = 0; i < cfg.numEnvs; i++) out[i] = nStepSafeReward(cfg, "rewards", i, v[i]);
}

/** Stages one transition of a single env (`add`); `truncated` may be undefined (false). Returns whether a next mask was staged. */
export function stageStep(
  cfg: ReplayConfig,
  s: Staging,
  obs: unknown,
  act: unknown,
  reward: unknown,
  nextObs: unknown,
  terminated: unknown,
  truncated: unknown,
  nextMask?: unknown,
): boolean {
  stageFloats("obs", obs, cfg.observationSize, s.obs);
  stageFloats("nextObs", nextObs, cfg.observationSize, s.nextObs);
  s.actions[0] = action("action", -1, act);
  s.rewards[0] = nStepSafeReward(cfg, "reward", -1, reward);
  s.ends[0] = flag("terminated", -1, terminated) * REPLAY_END_TERMINATED + (truncated === undefined ? 0 : flag("truncated", -1, truncated) * REPLAY_END_TRUNCATED);
  return stageNextMasks(cfg, s, "nextMask", nextMask);
}

/** Stages one vector-env step (`addBatch`); `truncated` may be undefined (none). Returns whether next masks were staged. */
export function stageBatch(
  cfg: ReplayConfig,
  s: Staging,
  obs: unknown,
  actions: unknown,
  rewards: unknown,
  nextObs: unknown,
  terminated: unknown,
  truncated: unknown,
  nextMasks?: unknown,
): boolean {
  const n = cfg.numEnvs;
  stageFloats("obs", obs, n * cfg.observationSize, s.obs);
  stageFloats("nextObs", nextObs, n * cfg.observationSize, s.nextObs);
  stageRewards(cfg, rewards, s.rewards);
  const a = arrayLike("actions", actions, n, "integer actions");
  for (let i = 0; i < n; i++) s.actions[i] = action("actions", i, a[i]);
  const term = arrayLike("terminated", terminated, n, "flags");
  const trunc = truncated === undefined ? undefined : arrayLike("truncated", truncated, n, "flags");
  for (let i = 0; i < n; i++) {
    s.ends[i] = flag("terminated", i, term[i]) * REPLAY_END_TERMINATED + (trunc ? flag("truncated", i, trunc[i]) * REPLAY_END_TRUNCATED : 0);
  }
  return stageNextMasks(cfg, s, "nextMasks", nextMasks);
}

/**
 * Stages a priority update: row indices in [0, capacity) and priorities
 * (|TD error|, finite, >= 0) as leaves (priority + epsilon)^alpha. Returns the
 * largest staged leaf; the count is `indices.length`.
 */
export function stagePriorities(cfg: ReplayConfig, s: Staging, indices: unknown, priorities: unknown): number {
  const { alpha, epsilon } = cfg.prioritized!;
  const idx = arrayLike("indices", indices, undefined, "row indices");
  if (idx.length > cfg.maxBatchSize) throw new InvalidArgumentError("indices", indices, `at most maxBatchSize = ${cfg.maxBatchSize} row indices`);
  const pri = arrayLike("priorities", priorities, idx.length, "priorities (as many as indices)");
  let maxLeaf = 0;
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j];
    s.indices[j] = typeof i === "number" && Number.isInteger(i) && i >= 0 && i < cfg.capacity ? i : checkInt(element("indices", j), i, { min: 0, max: cfg.capacity - 1 });
    const p = pri[j];
    if (!(typeof p === "number" && p >= 0 && p < Infinity)) throw new InvalidArgumentError(`priorities[${j}]`, p, "a finite number >= 0");
    const leaf = Math.pow(p + epsilon, alpha);
    if (!(leaf > 0 && leaf < Infinity)) throw new InvalidArgumentError(`priorities[${j}]`, p, `a priority whose (priority + ${epsilon})^${alpha} is a positive finite number`);
    s.leaves[j] = leaf;
    if (leaf > maxLeaf) maxLeaf = leaf;
  }
  return maxLeaf;
}
