/**
 * What each public call must reject, written down here from the documented
 * contract (README "Environments", Gymnasium's reset bounds, the replay
 * options' doc comments) and sharing no code with src/: the fuzz suites check
 * the WASM implementations and their TypeScript references against these
 * tables, so a check missing from code both share still fails.
 *
 * Each function returns the argument an InvalidArgumentError must name, or
 * undefined when the call must be accepted; the first failing check names it.
 */
import { expect } from "vitest";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { Outcome } from "./arbitraries.ts";

/** The verdict for a call refused for the object's state (an InvalidStateError), not for an argument. */
export const WRONG_STATE = "(InvalidStateError)";

/** The outcome is what the table says: accepted, an InvalidArgumentError naming `argument`, or {@link WRONG_STATE}. */
export function expectVerdict(outcome: Outcome<unknown>, argument: string | undefined, call: string): void {
  const got = outcome.ok ? "accepted" : outcome.error instanceof InvalidArgumentError ? `InvalidArgumentError on ${outcome.error.argument}` : outcome.error.name;
  const expected = argument === undefined ? "accepted" : argument === WRONG_STATE ? "InvalidStateError" : `InvalidArgumentError on ${argument}`;
  expect(got, `${call}${outcome.ok ? "" : `: ${outcome.error.message}`}`).toBe(expected);
}

/** An options object: any non-null, non-array object (its own enumerable keys are its options). */
const isOptions = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isInteger = (v: unknown, min: number, max = Infinity): boolean => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const firstUnknown = (o: object, known: string[]) => Object.keys(o).find((k) => !known.includes(k));

// ------------------------------------------------------------------ CartPole

/** make("CartPole-v1", options), or with `vector` makeVec: numEnvs an integer in [1, 2^20] (required), suttonBartoReward a boolean, maxEpisodeSteps an integer >= 1 or Infinity. */
export function cartpoleOptionsVerdict(options: unknown, vector: boolean): string | undefined {
  if (options !== undefined && !isOptions(options)) return "options";
  const o = options ?? {};
  const unknown = firstUnknown(o, vector ? ["numEnvs", "suttonBartoReward", "maxEpisodeSteps"] : ["suttonBartoReward", "maxEpisodeSteps"]);
  if (unknown !== undefined) return `options.${unknown}`;
  if (vector && !isInteger(o.numEnvs, 1, 2 ** 20)) return "options.numEnvs";
  if (o.suttonBartoReward !== undefined && typeof o.suttonBartoReward !== "boolean") return "options.suttonBartoReward";
  // null or undefined: the registered limit (500).
  const max = o.maxEpisodeSteps ?? 500;
  if (max !== Infinity && !isInteger(max, 1)) return "options.maxEpisodeSteps";
  return undefined;
}

/**
 * reset(args): args an options object (or nothing) of seed and options; the
 * seed a non-negative safe integer or bigint (or nothing); options.low and
 * options.high finite numbers in [-100, 100], low <= high (Gymnasium's
 * maybe_parse_reset_bounds, within deepq's documented bound).
 */
export function cartpoleResetVerdict(args: unknown): string | undefined {
  if (args === undefined || args === null) return undefined;
  if (!isOptions(args)) return "reset(args)";
  const unknown = firstUnknown(args, ["seed", "options"]);
  if (unknown !== undefined) return `reset(args).${unknown}`;
  const seed = args.seed;
  const seedOk = seed === undefined || seed === null || (typeof seed === "bigint" ? seed >= 0n : Number.isSafeInteger(seed) && (seed as number) >= 0);
  if (!seedOk) return "seed";
  const o = args.options ?? undefined;
  if (o === undefined) return undefined;
  if (!isOptions(o)) return "options";
  const unknownBound = firstUnknown(o, ["low", "high"]);
  if (unknownBound !== undefined) return `options.${unknownBound}`;
  const bound = (v: unknown) => typeof v === "number" && v >= -100 && v <= 100;
  if (o.low !== undefined && !bound(o.low)) return "options.low";
  if (o.high !== undefined && !bound(o.high)) return "options.high";
  if (((o.low as number | undefined) ?? -0.05) > ((o.high as number | undefined) ?? 0.05)) return "options.low";
  return undefined;
}

/** step(action) of a single CartPole: 0 or 1. */
export const cartpoleStepVerdict = (action: unknown): string | undefined => (action === 0 || action === 1 ? undefined : "action");

/** step(actions) of n CartPoles: an Int32Array of n actions, each 0 or 1; else the first bad one. */
export function cartpoleVecStepVerdict(actions: unknown, n: number): string | undefined {
  if (!(actions instanceof Int32Array) || actions.length !== n) return "actions";
  const bad = actions.findIndex((a) => a !== 0 && a !== 1);
  return bad < 0 ? undefined : `actions[${bad}]`;
}

// ------------------------------------------------------------- replay buffers

const F32_MAX = 3.4028234663852886e38;
/** A number that stays finite as a float32 (what a buffer stores). */
const isFloat32 = (x: unknown): x is number => typeof x === "number" && Number.isFinite(Math.fround(x));
/** An array or a typed array (not a DataView): what every vector argument may be. */
const isVector = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
const isAction = (x: unknown) => isInteger(x, 0, 2 ** 31 - 1);
const isFlag = (x: unknown) => x === true || x === false || x === 1 || x === 0;

/** What a buffer built from accepted options is, for the verdicts on its calls. */
export interface ReplayShape {
  observationSize: number;
  numEnvs: number;
  nSteps: number;
  maxBatchSize: number;
  /** Rows: the capacity asked for, rounded up to a multiple of numEnvs. */
  capacity: number;
  alpha: number;
  epsilon: number;
}

/**
 * ReplayBuffer.create / PrioritizedReplayBuffer.create options, in the order
 * of their doc comments: observationSize and numEnvs integers in [1, 65536],
 * nSteps in [1, 127], capacity at least numEnvs (nSteps + 1) and at most
 * 2^30 rows, gamma in [0, 1], maxBatchSize in [1, 65536], seed an integer in
 * [0, 2^53), autoreset "same-step" or "next-step"; prioritized: alpha >= 0,
 * beta in [0, 1], epsilon > 0. Storage (rows of 4 bytes per observation
 * float + 9, and two sum trees of 16 bytes per leaf, leaves a power of two)
 * at most 2 GiB. Returns the verdict and, when accepted, the buffer's shape.
 */
export function replayOptionsVerdict(options: unknown, prioritized: boolean): { verdict: string | undefined; shape?: ReplayShape } {
  const no = (verdict: string) => ({ verdict });
  if (options !== undefined && !isOptions(options)) return no("options");
  const o = options ?? {};
  const keys = ["capacity", "observationSize", "seed", "nSteps", "gamma", "numEnvs", "maxBatchSize", "autoreset", ...(prioritized ? ["alpha", "beta", "epsilon"] : [])];
  const unknown = firstUnknown(o, keys);
  if (unknown !== undefined) return no(`options.${unknown}`);
  if (!isInteger(o.observationSize, 1, 65536)) return no("options.observationSize");
  const nSteps = o.nSteps ?? 1;
  if (!isInteger(nSteps, 1, 127)) return no("options.nSteps");
  const numEnvs = o.numEnvs ?? 1;
  if (!isInteger(numEnvs, 1, 65536)) return no("options.numEnvs");
  if (!isInteger(o.capacity, (numEnvs as number) * ((nSteps as number) + 1), 2 ** 30)) return no("options.capacity");
  const gamma = o.gamma ?? 0.99;
  if (!(typeof gamma === "number" && gamma >= 0 && gamma <= 1)) return no("options.gamma");
  const maxBatchSize = o.maxBatchSize ?? 1024;
  if (!isInteger(maxBatchSize, 1, 65536)) return no("options.maxBatchSize");
  if (o.seed !== undefined && !isInteger(o.seed, 0, Number.MAX_SAFE_INTEGER)) return no("options.seed");
  if (!["same-step", "next-step"].includes((o.autoreset ?? "same-step") as string)) return no("options.autoreset");
  const epsilon = o.epsilon ?? 1e-6;
  if (prioritized) {
    if (!(typeof o.alpha === "number" && Number.isFinite(o.alpha) && o.alpha >= 0)) return no("options.alpha");
    if (!(typeof o.beta === "number" && o.beta >= 0 && o.beta <= 1)) return no("options.beta");
    if (!(typeof epsilon === "number" && Number.isFinite(epsilon) && epsilon > 0)) return no("options.epsilon");
  }
  const n = numEnvs as number;
  const capacity = Math.ceil((o.capacity as number) / n) * n;
  const leaves = 2 ** Math.ceil(Math.log2(capacity));
  if (capacity * (4 * (o.observationSize as number) + 9) + (prioritized ? 32 * leaves : 0) > 2 ** 31) return no("options.capacity");
  const shape = { observationSize: o.observationSize as number, numEnvs: n, nSteps: nSteps as number, maxBatchSize: maxBatchSize as number, capacity, alpha: o.alpha as number, epsilon: epsilon as number };
  return { verdict: undefined, shape };
}

/** A vector of `length` float32-finite numbers: undefined, or the argument to name. */
function floatsVerdict(name: string, v: unknown, length: number): string | undefined {
  if (!isVector(v) || v.length !== length) return name;
  for (let i = 0; i < length; i++) if (!isFloat32(v[i])) return `${name}[${i}]`;
  return undefined;
}

/** A reward whose n-step sum stays finite in float32: |float32(reward)| <= float32's largest / nSteps. */
const isReward = (x: unknown, nSteps: number) => isFloat32(x) && Math.abs(Math.fround(x)) <= F32_MAX / nSteps;

/** add(obs, action, reward, nextObs, terminated, truncated?): a single env's buffer only. */
export function replayAddVerdict(b: ReplayShape, obs: unknown, action: unknown, reward: unknown, nextObs: unknown, terminated: unknown, truncated: unknown): string | undefined {
  if (b.numEnvs !== 1) return WRONG_STATE;
  return (
    floatsVerdict("obs", obs, b.observationSize) ??
    floatsVerdict("nextObs", nextObs, b.observationSize) ??
    (isAction(action) ? undefined : "action") ??
    (isReward(reward, b.nSteps) ? undefined : "reward") ??
    (isFlag(terminated) ? undefined : "terminated") ??
    (truncated === undefined || isFlag(truncated) ? undefined : "truncated")
  );
}

/** addBatch(obs, actions, rewards, nextObs, terminated, truncated?): numEnvs of each. */
export function replayAddBatchVerdict(b: ReplayShape, obs: unknown, actions: unknown, rewards: unknown, nextObs: unknown, terminated: unknown, truncated: unknown): string | undefined {
  const n = b.numEnvs;
  const each = (name: string, v: unknown, ok: (x: unknown) => boolean) => {
    if (!isVector(v) || v.length !== n) return name;
    for (let i = 0; i < n; i++) if (!ok(v[i])) return `${name}[${i}]`;
    return undefined;
  };
  const early =
    floatsVerdict("obs", obs, n * b.observationSize) ??
    floatsVerdict("nextObs", nextObs, n * b.observationSize) ??
    each("rewards", rewards, (x) => isReward(x, b.nSteps)) ??
    each("actions", actions, isAction);
  if (early !== undefined) return early;
  if (!isVector(terminated) || terminated.length !== n) return "terminated";
  if (truncated !== undefined && (!isVector(truncated) || truncated.length !== n)) return "truncated";
  for (let i = 0; i < n; i++) {
    if (!isFlag(terminated[i])) return `terminated[${i}]`;
    if (truncated !== undefined && !isFlag((truncated as ArrayLike<unknown>)[i])) return `truncated[${i}]`;
  }
  return undefined;
}

/** sample(batchSize): an integer in [1, maxBatchSize], from a buffer with a sampleable row. */
export function replaySampleVerdict(b: ReplayShape, batchSize: unknown, size: number): string | undefined {
  if (!isInteger(batchSize, 1, b.maxBatchSize)) return "batchSize";
  return size === 0 ? WRONG_STATE : undefined;
}

/** updatePriorities(indices, priorities): at most maxBatchSize rows in [0, capacity), priorities finite >= 0 with (p + epsilon)^alpha positive and finite. */
export function replayPrioritiesVerdict(b: ReplayShape, indices: unknown, priorities: unknown): string | undefined {
  if (!isVector(indices) || indices.length > b.maxBatchSize) return "indices";
  if (!isVector(priorities) || priorities.length !== indices.length) return "priorities";
  for (let j = 0; j < indices.length; j++) {
    if (!isInteger(indices[j], 0, b.capacity - 1)) return `indices[${j}]`;
    const p = priorities[j];
    if (!(typeof p === "number" && Number.isFinite(p) && p >= 0)) return `priorities[${j}]`;
    const leaf = (p + b.epsilon) ** b.alpha;
    if (!(leaf > 0 && Number.isFinite(leaf))) return `priorities[${j}]`;
  }
  return undefined;
}

/** beta = value: a number in [0, 1]. */
export const replayBetaVerdict = (value: unknown): string | undefined => (typeof value === "number" && value >= 0 && value <= 1 ? undefined : "beta");
