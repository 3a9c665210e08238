/**
 * The environment interfaces, in Gymnasium's words: `reset` returns
 * `{ observation, info }`, `step` returns `{ observation, reward,
 * terminated, truncated, info }`. A custom environment (a game) is any plain
 * TypeScript class implementing {@link Env}; `checkEnv` validates one.
 */
import type { Box, Discrete } from "./spaces.ts";
import type { Seed } from "./seeding.ts";

export type Space = Box | Discrete;
export type Info = Record<string, unknown>;

/** What `make` knows about an env id, as Gymnasium's `env.spec`. */
export interface EnvSpec {
  readonly id: string;
  /** The time limit: `truncated` becomes true at this many steps (Infinity: none). */
  readonly maxEpisodeSteps: number;
  /** The mean return at which the task counts as solved. */
  readonly rewardThreshold?: number;
}

export interface ResetArgs {
  /** Reseeds the env's generator; without it, resets continue the generator. */
  seed?: Seed | null;
  /** Env-specific options; CartPole takes `{ low?, high? }`, the bounds of the initial state (each in [-100, 100]). */
  options?: Record<string, unknown> | null;
}

export interface ResetResult<Obs = Float32Array> {
  observation: Obs;
  info: Info;
}

export interface StepResult<Obs = Float32Array> {
  observation: Obs;
  reward: number;
  /** The episode reached a terminal state of the MDP (the pole fell): do not bootstrap. */
  terminated: boolean;
  /** The episode was cut short (time limit): bootstrap from `observation`. */
  truncated: boolean;
  info: Info;
}

export interface Env<Obs = Float32Array, Act = number> {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  reset(args?: ResetArgs): ResetResult<Obs>;
  step(action: Act): StepResult<Obs>;
  close?(): void;
  readonly spec?: EnvSpec;
}

/**
 * The result of a vector step: views into the env's memory, overwritten by
 * the next `step` or `reset` (copy what you keep). Env i's observation is
 * `observation[4i .. 4i + 4)`.
 */
export interface VecStepResult {
  readonly observation: Float32Array;
  readonly reward: Float32Array;
  /** 1 where the env terminated on this step, else 0. */
  readonly terminated: Uint8Array;
  /** 1 where the env hit the time limit on this step, else 0. */
  readonly truncated: Uint8Array;
  readonly info: Info;
}

/**
 * `numEnvs` copies of an env stepped together, with Gymnasium's next-step
 * autoreset: an env done on one step is reset on the next, which ignores
 * its action and returns its first observation with reward 0.
 */
export interface VecEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Discrete;
  /** The batched observation space, shape [numEnvs, ...single shape]. */
  readonly observationSpace: Box;
  reset(args?: ResetArgs): { readonly observation: Float32Array; readonly info: Info };
  step(actions: Int32Array): VecStepResult;
  /** Live view of every env's float64 state, env i's at [4i, 4i + 4). */
  readonly state: Float64Array;
  close(): void;
  readonly spec: EnvSpec;
}
