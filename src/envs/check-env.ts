/**
 * `checkEnv(env)`: Gymnasium's env checker (gymnasium.utils.env_checker.
 * check_env) for custom environments. It resets and steps the env a few
 * times and throws a DeepQError naming the first problem: spaces missing
 * or malformed, a close that is not a method, reset/step results of the
 * wrong shape or type (on every step of a short seeded episode), observations
 * outside the observation space or not finite, an observation object reused
 * across calls, non-finite rewards, non-boolean flags, a reset refusing
 * `{ options: {} }`, or seeding that does not reproduce (the same seed and
 * actions, and an unseeded reset continuing the seeded generator). An env
 * that gives action masks (`info.actionMask`, else `env.actionMask()`) has
 * them checked and is stepped only with legal actions, as an agent would.
 */
import { DeepQError, InvalidArgumentError, describe } from "../errors.ts";
import type { Env, Space } from "./env.ts";
import { Box, Discrete, isArrayLike } from "./spaces.ts";
import { checkMask } from "../masks.ts";

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
    // An unbounded Box contains infinities (and doubles beyond float32, which become them), but no agent can learn from them (Gymnasium's checker warns).
    const i = Array.from(obs as ArrayLike<number>).findIndex((v) => !Number.isFinite(Math.fround(v)));
    if (i >= 0) throw new InvalidArgumentError(`${name}[${i}]`, (obs as ArrayLike<number>)[i], "a finite number within float32 range");
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

/**
 * Checks one step's result (`label` names the call in messages): the five
 * members, an observation in the space and not the object `previous` was
 * (agents keep observations), a finite reward, boolean flags, an info object.
 */
function checkStep(label: string, result: unknown, space: Space, previous: unknown): Record<string, unknown> {
  const step = checkResult(label, result, ["observation", "reward", "terminated", "truncated", "info"]);
  checkObservation(`${label}.observation`, step.observation, space);
  if (typeof step.reward !== "number" || !Number.isFinite(step.reward)) throw new InvalidArgumentError(`${label}.reward`, step.reward, "a finite number");
  for (const flag of ["terminated", "truncated"] as const) {
    if (typeof step[flag] !== "boolean") throw new InvalidArgumentError(`${label}.${flag}`, step[flag], "true or false");
  }
  checkInfo(`${label}.info`, step.info);
  if (typeof previous === "object" && previous !== null && step.observation === previous) {
    throw new DeepQError(`checkEnv: ${label} returned the same observation object as the call before it; return a fresh observation each call (agents keep them)`);
  }
  return step;
}

interface Trace {
  reset: unknown;
  steps: Array<{ observation: unknown; reward: unknown; terminated: unknown; truncated: unknown }>;
}

/**
 * The legal actions of the state `info` came with (reset's or step's, named
 * `label`), or undefined for an env without masks. A terminated state may
 * have none.
 */
function maskOf(env: Env<unknown, unknown>, label: string, info: unknown, terminated = false): Uint8Array | undefined {
  const fromInfo = (info as { actionMask?: unknown } | undefined)?.actionMask;
  const method = (env as { actionMask?: () => unknown }).actionMask;
  const value = fromInfo ?? (typeof method === "function" ? call("env.actionMask()", () => method.call(env)) : undefined);
  if (value === undefined) return undefined;
  const name = fromInfo !== undefined ? `${label}.info.actionMask` : "env.actionMask()";
  const space = env.actionSpace;
  if (!(space instanceof Discrete) || space.start !== 0) throw new InvalidArgumentError(name, value, "absent: action masks need a Discrete actionSpace starting at 0");
  return checkMask(name, value, space.n, terminated);
}

/** `planned` where it is legal, else the legal action it maps to (the same one in the same state). */
function legal(planned: unknown, mask: Uint8Array | undefined): unknown {
  if (!mask || mask[planned as number]) return planned;
  const actions = [...mask.keys()].filter((a) => mask[a]);
  return actions[(planned as number) % actions.length];
}

/**
 * Resets with the seed, then steps the given actions (legal ones, for an env
 * with masks) while episodes last;
 * with `space`, checks every step's result against it.
 */
function trace(env: Env<unknown, unknown>, actions: readonly unknown[], space?: Space): Trace {
  const reset = call(`env.reset({ seed: ${SEED} })`, () => env.reset({ seed: SEED }));
  let previous: unknown = reset.observation;
  let mask = maskOf(env, "env.reset()", reset.info);
  const out: Trace = { reset: snapshot(previous), steps: [] };
  for (const [t, planned] of actions.entries()) {
    const action = legal(planned, mask);
    const r = call(`env.step(${describe(action)})`, () => env.step(action));
    const label = `env.step() #${t + 1} after reset`;
    if (space) checkStep(label, r, space, previous);
    mask = maskOf(env, label, r.info, r.terminated === true);
    previous = r.observation;
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
  if (e.close !== undefined && typeof e.close !== "function") throw new InvalidArgumentError("env.close", e.close, "a method, or absent");
  const obsSpace = e.observationSpace;
  const actSpace = e.actionSpace;

  const resetCall = `env.reset({ seed: ${SEED} })`;
  const reset = checkResult(resetCall, call(resetCall, () => e.reset({ seed: SEED })), ["observation", "info"]);
  checkObservation(`env.reset().observation`, reset.observation, obsSpace);
  checkInfo(`env.reset().info`, reset.info);

  const action = legal(actSpace.sample(), maskOf(e, "env.reset()", reset.info));
  const stepCall = `env.step(${describe(action)})`;
  checkStep("env.step()", call(stepCall, () => e.step(action)), obsSpace, reset.observation);

  // Gymnasium's check_reset_options: reset must take an options object.
  call("env.reset({ options: {} })", () => e.reset({ options: {} }));

  // Seeding: the same seed must give the same first observation and, with the same actions, the same episode.
  const actions = Array.from({ length: DETERMINISM_STEPS }, () => actSpace.sample());
  const first = trace(e, actions, obsSpace);
  const second = trace(e, actions);
  if (!same(first.reset, second.reset)) {
    throw new DeepQError(`checkEnv: env.reset({ seed: ${SEED} }) twice gave different observations (${JSON.stringify(first.reset)} vs ${JSON.stringify(second.reset)}); seed the env's randomness from reset's seed`);
  }
  const t = first.steps.findIndex((s, i) => !same(s, second.steps[i]));
  if (t >= 0 || first.steps.length !== second.steps.length) {
    throw new DeepQError(`checkEnv: after env.reset({ seed: ${SEED} }), the same actions gave different results at step ${t >= 0 ? t + 1 : Math.min(first.steps.length, second.steps.length) + 1}; step() must depend only on the seed and the actions`);
  }
  // An unseeded reset continues the generator the last seed set (Gymnasium's check_reset_seed_determinism).
  const unseeded = () => {
    call(`env.reset({ seed: ${SEED} })`, () => e.reset({ seed: SEED }));
    return snapshot(call("env.reset()", () => e.reset()).observation);
  };
  const a = unseeded();
  const b = unseeded();
  if (!same(a, b)) {
    throw new DeepQError(`checkEnv: env.reset() right after env.reset({ seed: ${SEED} }) gave different observations in two runs (${JSON.stringify(a)} vs ${JSON.stringify(b)}); a reset without a seed must continue the generator the last seed set, not draw fresh entropy`);
  }
}
