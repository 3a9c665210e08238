/**
 * Checks the training state a DQN save file carries beside its weights
 * (counters, recent returns, exploration RNG). The container's checksum
 * catches damage in transit, not a file written by something else: a value
 * deepq never writes is a FormatError naming it, before anything is restored.
 */
import { FormatError, describe } from "../errors.ts";

const COUNTERS = ["timesteps", "episodes", "stepsSinceTarget", "stepsSinceTrain", "episodesSinceTrain", "collectedSinceTrain"] as const;

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
export function checkSavedState(meta: Record<string, unknown>, lastObservations: Float32Array | undefined, observationSize: number): void {
  const envValues = lastObservations ? lastObservations.length / observationSize : 0;
  if (lastObservations && !(Number.isInteger(envValues) && envValues >= 1 && lastObservations.every(Number.isFinite))) {
    throw bad("lastObservations", lastObservations, `rows of ${observationSize} finite numbers`);
  }
  const c = meta.counters as Record<string, unknown> | null;
  if (c === null || typeof c !== "object") throw bad("counters", c, "an object");
  for (const name of COUNTERS) if (!count(c[name])) throw bad(`counters.${name}`, c[name], "a non-negative integer");
  if (!count(c.scheduleTimesteps, 1)) throw bad("counters.scheduleTimesteps", c.scheduleTimesteps, "a positive integer");
  if (c.lastLoss !== null && !(typeof c.lastLoss === "number" && Number.isFinite(c.lastLoss))) throw bad("counters.lastLoss", c.lastLoss, "null or a finite number");
  if (!finiteList(meta.recentReturns) || (meta.recentReturns as number[]).length > 100) throw bad("recentReturns", meta.recentReturns, "an array of at most 100 finite numbers");
  if (!finiteList(meta.episodeReturns) || (envValues > 0 && (meta.episodeReturns as number[]).length !== envValues)) {
    throw bad("episodeReturns", meta.episodeReturns, `an array of ${envValues || "per-env"} finite numbers`);
  }
  const rng = meta.rng as unknown[];
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => count(w) && (w as number) < 2 ** 32) || rng.every((w) => w === 0)) {
    throw bad("rng", rng, "four 32-bit unsigned integers, not all zero (a xoshiro128** state)");
  }
}
