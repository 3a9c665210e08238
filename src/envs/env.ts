/**
 * The environment interfaces, in Gymnasium's words: `reset` returns
 * `{ observation, info }`, `step` returns `{ observation, reward,
 * terminated, truncated, info }`. A custom environment (a game) is any plain
 * TypeScript class implementing {@link Env}; `checkEnv` validates one.
 */
import type { Box, Discrete } from "./spaces.ts";
import type { Seed } from "./seeding.ts";

/** An observation or action space: a {@link Box} or a {@link Discrete}. */
export type Space = Box | Discrete;
/** Extra diagnostics an env returns with each reset and step (Gymnasium's `info` dict). */
export type Info = Record<string, unknown>;

/** What `make` knows about an env id, as Gymnasium's `env.spec`. */
export interface EnvSpec {
  /** The id `make` was given, e.g. "CartPole-v1". */
  readonly id: string;
  /** The time limit: `truncated` becomes true at this many steps (Infinity: none). */
  readonly maxEpisodeSteps: number;
  /** The mean return at which the task counts as solved. */
  readonly rewardThreshold?: number;
}

/** Arguments of `reset`, as Gymnasium's `reset(seed=, options=)`. */
export interface ResetArgs {
  /** Reseeds the env's generator; without it, resets continue the generator. */
  seed?: Seed | null;
  /** Env-specific options; CartPole takes `{ low?, high? }`, the bounds of the initial state (each in [-100, 100]). */
  options?: Record<string, unknown> | null;
}

/** What `reset` returns: the first observation of an episode. */
export interface ResetResult<Obs = Float32Array> {
  /** The first observation of the episode. */
  observation: Obs;
  /** Env-specific diagnostics ({} for CartPole). */
  info: Info;
}

/** What `step` returns, as Gymnasium's five-tuple. */
export interface StepResult<Obs = Float32Array> {
  /** The observation after the action. */
  observation: Obs;
  /** The reward for the action (CartPole: 1 per step). */
  reward: number;
  /** The episode reached a terminal state of the MDP (the pole fell): do not bootstrap. */
  terminated: boolean;
  /** The episode was cut short (time limit): bootstrap from `observation`. */
  truncated: boolean;
  /** Env-specific diagnostics. */
  info: Info;
}

/**
 * An environment with Gymnasium's interface. deepq's CartPole implements it;
 * a game implements it in plain TypeScript to be trained on (check it with
 * `checkEnv`).
 */
export interface Env<Obs = Float32Array, Act = number> {
  /** The space observations live in (DQN takes a 1-D {@link Box}). */
  readonly observationSpace: Space;
  /** The space of actions (DQN takes a {@link Discrete}). */
  readonly actionSpace: Space;
  /** Starts an episode; with a seed, reseeds the env's randomness first. */
  reset(args?: ResetArgs): ResetResult<Obs>;
  /** Applies one action and advances one step. */
  step(action: Act): StepResult<Obs>;
  /** Frees what the env holds; further calls throw. */
  close?(): void;
  /** What `make` knows about the env (id, time limit). */
  readonly spec?: EnvSpec;
}

/**
 * The result of a vector step: views into the env's memory, overwritten by
 * the next `step` or `reset` (copy what you keep). Env i's observation is
 * `observation[4i .. 4i + 4)`.
 */
export interface VecStepResult {
  /** Every env's observation, env i's at [4i, 4i + 4). */
  readonly observation: Float32Array;
  /** Every env's reward. */
  readonly reward: Float32Array;
  /** 1 where the env terminated on this step, else 0. */
  readonly terminated: Uint8Array;
  /** 1 where the env hit the time limit on this step, else 0. */
  readonly truncated: Uint8Array;
  /** Diagnostics ({} for CartPole). */
  readonly info: Info;
}

/**
 * `numEnvs` copies of an env stepped together, with Gymnasium's next-step
 * autoreset: an env done on one step is reset on the next, which ignores
 * its action and returns its first observation with reward 0.
 */
export interface VecEnv {
  /** How many envs step together. */
  readonly numEnvs: number;
  /** One env's observation space. */
  readonly singleObservationSpace: Box;
  /** One env's action space. */
  readonly singleActionSpace: Discrete;
  /** The batched observation space, shape [numEnvs, ...single shape]. */
  readonly observationSpace: Box;
  /** Resets every env; returns every env's first observation (a view, overwritten by the next call). */
  reset(args?: ResetArgs): {
    /** Env i's first observation at [4i, 4i + 4). */
    readonly observation: Float32Array;
    /** Diagnostics. */
    readonly info: Info;
  };
  /** Steps every env with its action (`actions[i]` for env i), in one WASM call. */
  step(actions: Int32Array): VecStepResult;
  /** Live view of every env's float64 state, env i's at [4i, 4i + 4). */
  readonly state: Float64Array;
  /** Frees the envs' memory; further calls throw. */
  close(): void;
  /** What `makeVec` knows about the env (id, time limit). */
  readonly spec: EnvSpec;
}
