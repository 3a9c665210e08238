/**
 * The DQN save file (`agent.save()`, `DQN.load`) on top of the versioned,
 * checksummed container (src/io/container.ts):
 *
 *   meta:   kind "deepq-dqn", spec, options (functions recorded as
 *           "function"), adamStep, counters (src/agent/counters.ts),
 *           recentReturns, episodeReturns, rng (the exploration
 *           xoshiro128** state), and with the replay buffer its meta
 *   arrays: params, targetParams, adamM, adamV, lastObservations (the
 *           observations training resumes from, when the agent has an
 *           env), and with the replay buffer `replay.<name>` arrays
 *
 * The container's checksum catches damage in transit, not a file written by
 * something else: every value deepq never writes is a FormatError naming
 * it, before any agent is built.
 */
import { FormatError, InvalidArgumentError, describe } from "../errors.ts";
import { decodeContainer, encodeContainer, type ContainerArray } from "../io/container.ts";
import type { OptimizerState } from "../nn/engine.ts";
import type { NetSpec } from "../nn/spec.ts";
import type { ReplayState, ReplayStateMeta } from "../replay/buffer.ts";
import { COUNTS, RECENT_RETURNS, type Counters } from "./counters.ts";
import { SCHEDULE_OPTIONS, type DQNOptions, type ScheduleOption } from "./options.ts";

const SAVE_KIND = "deepq-dqn";
const REPLAY_PREFIX = "replay.";

/** Everything a save file holds. */
export interface SavedAgent {
  spec: NetSpec;
  /** `serializableOptions` of the agent's options. */
  options: Record<string, unknown>;
  params: Float32Array;
  targetParams: Float32Array;
  optimizer: OptimizerState;
  counters: Counters;
  /** The last (up to 100) episode returns, oldest first. */
  recentReturns: number[];
  /** The running return of each env's unfinished episode. */
  episodeReturns: number[];
  rng: ArrayLike<number>;
  lastObservations?: Float32Array;
  replay?: ReplayState;
}

/** The bytes of a save file. */
export function encodeSaveFile(s: SavedAgent): Uint8Array {
  const arrays: Record<string, ContainerArray> = { params: s.params, targetParams: s.targetParams, adamM: s.optimizer.m, adamV: s.optimizer.v };
  if (s.lastObservations) arrays.lastObservations = s.lastObservations;
  if (s.replay) for (const [name, a] of Object.entries(s.replay.arrays)) arrays[REPLAY_PREFIX + name] = a;
  const meta = {
    kind: SAVE_KIND,
    spec: s.spec,
    options: s.options,
    adamStep: s.optimizer.step,
    // The record keeps newCounters()'s key order, so the same agent always writes the same bytes.
    counters: { ...s.counters, lastLoss: Number.isFinite(s.counters.lastLoss) ? s.counters.lastLoss : null },
    recentReturns: s.recentReturns,
    episodeReturns: s.episodeReturns,
    rng: Array.from(s.rng),
    ...(s.replay ? { replay: s.replay.meta } : {}),
  };
  return encodeContainer({ meta, arrays });
}

/** Reads and checks a save file; bad bytes throw a FormatError. */
export function decodeSaveFile(bytes: Uint8Array): SavedAgent {
  const { meta, arrays } = decodeContainer(bytes);
  if (meta.kind !== SAVE_KIND) throw new FormatError(`not a DQN save file (kind ${JSON.stringify(meta.kind)})`);
  const need = (name: string) => {
    const a = arrays[name];
    if (!(a instanceof Float32Array)) throw new FormatError(`save file lacks ${name} (float32)`);
    return a;
  };
  const spec = meta.spec as NetSpec;
  const lastObservations = arrays.lastObservations && need("lastObservations");
  checkTrainingState(meta, lastObservations, spec?.observationSize);
  const c = meta.counters as Record<string, number | null>;
  const replay =
    meta.replay === undefined
      ? undefined
      : ({
          meta: meta.replay as ReplayStateMeta,
          arrays: Object.fromEntries(
            Object.entries(arrays)
              .filter(([name]) => name.startsWith(REPLAY_PREFIX))
              .map(([name, a]) => [name.slice(REPLAY_PREFIX.length), a]),
          ),
        } as ReplayState);
  return {
    spec,
    options: meta.options as Record<string, unknown>,
    params: need("params"),
    targetParams: need("targetParams"),
    optimizer: { step: meta.adamStep as number, m: need("adamM"), v: need("adamV") },
    counters: {
      timesteps: c.timesteps!,
      episodes: c.episodes!,
      scheduleTimesteps: c.scheduleTimesteps!,
      stepsSinceTarget: c.stepsSinceTarget!,
      stepsSinceTrain: c.stepsSinceTrain!,
      episodesSinceTrain: c.episodesSinceTrain!,
      collectedSinceTrain: c.collectedSinceTrain!,
      lastLoss: c.lastLoss ?? NaN,
    },
    recentReturns: meta.recentReturns as number[],
    episodeReturns: meta.episodeReturns as number[],
    rng: meta.rng as number[],
    ...(lastObservations ? { lastObservations } : {}),
    ...(replay ? { replay } : {}),
  };
}

/** What `DQN.load` may give in place of what a file cannot hold. */
export interface LoadOverrides {
  /** {@inheritDoc DQNOptions.backend} */
  backend?: DQNOptions["backend"];
  /** The learning-rate schedule a file saved only as "function" (or a new rate). */
  learningRate?: DQNOptions["learningRate"];
  /** The epsilon schedule a file saved only as "function" (or a new one). */
  epsilonSchedule?: DQNOptions["epsilonSchedule"];
  /** {@inheritDoc DQNOptions.tensorboardLog} */
  tensorboardLog?: DQNOptions["tensorboardLog"];
}

/**
 * The options to build a loaded agent with: the file's, with `given`'s
 * overrides, and the schedule functions the file records only as "function"
 * listed in `missing` (any valid value stands in for them: training, the only
 * user of a schedule, refuses until they are given).
 */
export function loadedOptions(saved: Record<string, unknown>, given: LoadOverrides): { options: Record<string, unknown>; missing: ScheduleOption[] } {
  const options = { ...saved };
  if (given.backend !== undefined) options.backend = given.backend;
  if (given.tensorboardLog !== undefined) options.tensorboardLog = given.tensorboardLog;
  const missing: ScheduleOption[] = [];
  for (const k of SCHEDULE_OPTIONS) {
    if (given[k]) options[k] = given[k];
    else if (options[k] === "function") {
      missing.push(k);
      delete options[k];
    }
  }
  return { options, missing };
}

/** Checks `DQN.load`'s schedule overrides before the file is read. */
export function checkLoadOverrides(given: LoadOverrides): void {
  for (const k of SCHEDULE_OPTIONS) {
    if (given[k] !== undefined && typeof given[k] !== "function") throw new InvalidArgumentError(k, given[k], `a function (a schedule replacing the file's)`);
  }
}

function bad(name: string, value: unknown, allowed: string): FormatError {
  return new FormatError(`corrupted DQN save file: ${name} must be ${allowed}; got ${describe(value)}`);
}

const count = (v: unknown, min = 0) => Number.isSafeInteger(v) && (v as number) >= min;
const finiteList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));

/**
 * Throws a FormatError unless `meta` holds well-formed counters, returns
 * and RNG state, and the observations training resumes from (if any) are
 * finite rows of `observationSize`, one per entry of `episodeReturns`.
 */
function checkTrainingState(meta: Record<string, unknown>, lastObservations: Float32Array | undefined, observationSize: unknown): void {
  const envValues = lastObservations ? lastObservations.length / (observationSize as number) : 0;
  if (lastObservations && !(Number.isInteger(envValues) && envValues >= 1 && lastObservations.every(Number.isFinite))) {
    throw bad("lastObservations", lastObservations, `rows of ${observationSize} finite numbers`);
  }
  const c = meta.counters as Record<string, unknown> | null;
  if (c === null || typeof c !== "object") throw bad("counters", c, "an object");
  for (const name of COUNTS) if (!count(c[name])) throw bad(`counters.${name}`, c[name], "a non-negative integer");
  if (!count(c.scheduleTimesteps, 1)) throw bad("counters.scheduleTimesteps", c.scheduleTimesteps, "a positive integer");
  if (c.lastLoss !== null && !(typeof c.lastLoss === "number" && Number.isFinite(c.lastLoss))) throw bad("counters.lastLoss", c.lastLoss, "null or a finite number");
  if (!finiteList(meta.recentReturns) || (meta.recentReturns as number[]).length > RECENT_RETURNS) {
    throw bad("recentReturns", meta.recentReturns, `an array of at most ${RECENT_RETURNS} finite numbers`);
  }
  if (!finiteList(meta.episodeReturns) || (envValues > 0 && (meta.episodeReturns as number[]).length !== envValues)) {
    throw bad("episodeReturns", meta.episodeReturns, `an array of ${envValues || "per-env"} finite numbers`);
  }
  const rng = meta.rng as unknown[];
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => count(w) && (w as number) < 2 ** 32) || rng.every((w) => w === 0)) {
    throw bad("rng", rng, "four 32-bit unsigned integers, not all zero (a xoshiro128** state)");
  }
}
