/**
 * `checkEnv(env)`: Gymnasium's env checker (gymnasium.utils.env_checker.
 * check_env) for custom environments. It resets and steps the env a few
 * times and throws a DeepQError naming the first problem: spaces missing
 * or malformed, reset/step results of the wrong shape or type, observations
 * outside the observation space, non-finite rewards, non-boolean flags, or
 * seeding that does not reproduce.
 */
import { DeepQError, InvalidArgumentError, describe } from "../errors.ts";
import type { Env, Space } from "./env.ts";
import { Box, Discrete, isArrayLike } from "./spaces.ts";

const SEED = 123;
/** Steps compared by the determinism check. */
const DETERMINISM_STEPS = 10;

function checkSpace(name: string, space: unknown): asserts space is Space {
  if (space instanceof Box) {
    const { low, high, size, shape } = space;
    const wellFormed = shape.length > 0 && shape.every((d) => Number.isInteger(d) && d > 0) && low.length === size && high.length === size && low.every((l, i) => l <= high[i]!);
    if (!wellFormed) throw new InvalidArgumentError(name, space, "a well-formed Box: positive integer shape, low and high of shape's size, low <= high, no NaN");
  } else if (space instanceof Discrete) {
    if (!(Number.isInteger(space.n) && space.n >= 1 && Number.isInteger(space.start))) throw new InvalidArgumentError(name, space, "a well-formed Discrete: integer n >= 1 and integer start");
  } else {
    throw new InvalidArgumentError(name, space, "a Box or a Discrete space (import { Box, Discrete } from deepq)");
  }
}

function checkObservation(name: string, obs: unknown, space: Space): void {
  if (space instanceof Box) {
    if (!isArrayLike(obs) || obs.length !== space.size) throw new InvalidArgumentError(name, obs, `an array or typed array of ${space.size} numbers (observationSpace ${space})`);
    if (!space.contains(obs)) {
      const i = Array.from(obs as ArrayLike<unknown>).findIndex((v, j) => typeof v !== "number" || !(v >= space.low[j]! && v <= space.high[j]!));
      throw new InvalidArgumentError(`${name}[${i}]`, (obs as ArrayLike<unknown>)[i], `a number in [${space.low[i]}, ${space.high[i]}] (observationSpace ${space})`);
    }
  } else if (!space.contains(obs)) {
    throw new InvalidArgumentError(name, obs, `an element of the observationSpace ${space}`);
  }
}

function checkInfo(name: string, info: unknown): void {
  if (info === null || typeof info !== "object" || Array.isArray(info)) throw new InvalidArgumentError(name, info, "a plain object (use {} for no info)");
}

function checkResult(name: string, result: unknown, keys: readonly string[]): Record<string, unknown> {
  if (result === null || typeof result !== "object" || keys.some((k) => !(k in result))) {
    throw new InvalidArgumentError(name, result, `an object { ${keys.join(", ")} }`);
  }
  return result as Record<string, unknown>;
}

/** Calls into the env; an error it throws becomes a DeepQError that says which call. */
function call<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof DeepQError) throw err;
    throw new DeepQError(`checkEnv: ${name} threw ${err instanceof Error ? `${err.name}: ${err.message}` : describe(err)}`, { cause: err });
  }
}

/** A plain copy of an observation, so later steps cannot change it. */
function snapshot(obs: unknown): unknown {
  return isArrayLike(obs) ? Array.from(obs) : obs;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b) || Object.is(a, b);
}

interface Trace {
  reset: unknown;
  steps: Array<{ observation: unknown; reward: unknown; terminated: unknown; truncated: unknown }>;
}

/** Resets with the seed, then steps the given actions while episodes last. */
function trace(env: Env<unknown, unknown>, actions: readonly unknown[]): Trace {
  const out: Trace = { reset: snapshot(call(`env.reset({ seed: ${SEED} })`, () => env.reset({ seed: SEED })).observation), steps: [] };
  for (const action of actions) {
    const r = call(`env.step(${describe(action)})`, () => env.step(action));
    out.steps.push({ observation: snapshot(r.observation), reward: r.reward, terminated: r.terminated, truncated: r.truncated });
    if (r.terminated || r.truncated) break;
  }
  return out;
}

/**
 * Checks a custom environment the way Gymnasium's `check_env` does; throws a
 * {@link DeepQError} (an {@link InvalidArgumentError} naming the offending
 * member where there is one) on the first problem. Leaves the env reset.
 */
export function checkEnv(env: unknown): void {
  if (env === null || typeof env !== "object") throw new InvalidArgumentError("env", env, "an object implementing Env");
  const e = env as Env<unknown, unknown>;
  checkSpace("env.observationSpace", e.observationSpace);
  checkSpace("env.actionSpace", e.actionSpace);
  for (const method of ["reset", "step"] as const) {
    if (typeof e[method] !== "function") throw new InvalidArgumentError(`env.${method}`, e[method], "a method");
  }
  const obsSpace = e.observationSpace;
  const actSpace = e.actionSpace;

  const resetCall = `env.reset({ seed: ${SEED} })`;
  const reset = checkResult(resetCall, call(resetCall, () => e.reset({ seed: SEED })), ["observation", "info"]);
  checkObservation(`env.reset().observation`, reset.observation, obsSpace);
  checkInfo(`env.reset().info`, reset.info);

  const action = actSpace.sample();
  const stepCall = `env.step(${describe(action)})`;
  const step = checkResult(stepCall, call(stepCall, () => e.step(action)), ["observation", "reward", "terminated", "truncated", "info"]);
  checkObservation("env.step().observation", step.observation, obsSpace);
  if (typeof step.reward !== "number" || !Number.isFinite(step.reward)) throw new InvalidArgumentError("env.step().reward", step.reward, "a finite number");
  for (const flag of ["terminated", "truncated"] as const) {
    if (typeof step[flag] !== "boolean") throw new InvalidArgumentError(`env.step().${flag}`, step[flag], "true or false");
  }
  checkInfo("env.step().info", step.info);
  if (typeof reset.observation === "object" && step.observation === reset.observation) {
    throw new DeepQError("checkEnv: env.step() returned the same observation object as env.reset(); return a fresh observation each call (agents keep them)");
  }

  // Seeding: the same seed must give the same first observation and, with the same actions, the same episode.
  const actions = Array.from({ length: DETERMINISM_STEPS }, () => actSpace.sample());
  const first = trace(e, actions);
  const second = trace(e, actions);
  if (!same(first.reset, second.reset)) {
    throw new DeepQError(`checkEnv: env.reset({ seed: ${SEED} }) twice gave different observations (${JSON.stringify(first.reset)} vs ${JSON.stringify(second.reset)}); seed the env's randomness from reset's seed`);
  }
  const t = first.steps.findIndex((s, i) => !same(s, second.steps[i]));
  if (t >= 0 || first.steps.length !== second.steps.length) {
    throw new DeepQError(`checkEnv: after env.reset({ seed: ${SEED} }), the same actions gave different results at step ${t >= 0 ? t + 1 : Math.min(first.steps.length, second.steps.length) + 1}; step() must depend only on the seed and the actions`);
  }
  call("env.reset()", () => e.reset());
}
