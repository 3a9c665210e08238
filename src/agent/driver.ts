/**
 * Drives a single `Env` or a `VecEnv` through one interface for the training
 * loop: act on `observations` (numEnvs x D), step, get the transitions.
 *
 * Single envs are reset by the driver as soon as an episode ends (the
 * transition keeps the episode's final observation). Vector envs reset
 * themselves one step later (Gymnasium's next-step autoreset): that reset
 * step is not a transition, so it comes back with `valid[i] = 0`.
 */
import { InvalidArgumentError } from "../errors.ts";

/** The structural shape of deepq's (and any Gymnasium-like) single env. */
export interface EnvLike {
  reset(options?: { seed?: number }): { observation: ArrayLike<number> };
  step(action: number): { observation: ArrayLike<number>; reward: number; terminated: boolean; truncated: boolean };
  /** A Box with a 1-D `shape` (checked by {@link envSpaces}). */
  observationSpace: object;
  /** A Discrete space with `n` actions (checked by {@link envSpaces}). */
  actionSpace: object;
}

/** The structural shape of deepq's VecEnv. */
export interface VecEnvLike {
  numEnvs: number;
  reset(options?: { seed?: number }): { observation: ArrayLike<number> };
  step(actions: Int32Array): { observation: ArrayLike<number>; reward: ArrayLike<number>; terminated: ArrayLike<number>; truncated: ArrayLike<number> };
  /** Gymnasium's spaces of one sub-env. */
  singleObservationSpace: object;
  singleActionSpace: object;
}

export function isVecEnv(env: unknown): env is VecEnvLike {
  return typeof env === "object" && env !== null && typeof (env as VecEnvLike).numEnvs === "number" && typeof (env as VecEnvLike).step === "function";
}

export function isEnv(env: unknown): env is EnvLike {
  return typeof env === "object" && env !== null && typeof (env as EnvLike).step === "function" && typeof (env as EnvLike).reset === "function";
}

/** Observation size (and shape, where not flat) and action count of an env, or an error naming what is unsupported. */
export function envSpaces(env: EnvLike | VecEnvLike, name = "env"): EnvSpaces {
  // Vector envs describe one env in singleObservationSpace / singleActionSpace, as Gymnasium's do.
  const observationSpace = isVecEnv(env) ? env.singleObservationSpace : env.observationSpace;
  const actionSpace = isVecEnv(env) ? env.singleActionSpace : env.actionSpace;
  const shape = (observationSpace as { shape?: unknown } | undefined)?.shape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new InvalidArgumentError(`${name}.observationSpace`, observationSpace, "a Box with a shape of positive integers ([n], or [H, W, C] for conv layers)");
  }
  const n = (actionSpace as { n?: number } | undefined)?.n;
  if (!Number.isInteger(n) || n! < 1) throw new InvalidArgumentError(`${name}.actionSpace`, actionSpace, "a Discrete space with n >= 1 actions");
  const observationSize = (shape as number[]).reduce((a, b) => a * b, 1);
  return shape.length === 1 ? { observationSize, nActions: n! } : { observationSize, nActions: n!, observationShape: [...(shape as number[])] };
}

/** What an agent reads from an env: observations are flat `observationSize` floats; `observationShape` is their shape where it has more than one axis. */
export interface EnvSpaces {
  observationSize: number;
  nActions: number;
  observationShape?: number[];
}

export class EnvDriver {
  readonly numEnvs: number;
  readonly size: number;
  /** Observations to act on next (numEnvs x D). */
  readonly observations: Float32Array;
  /** Per step: the transitions' next observations, rewards, flags and validity. */
  readonly nextObservations: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly valid: Uint8Array;
  private readonly done: Uint8Array;

  constructor(
    private readonly env: EnvLike | VecEnvLike,
    observationSize: number,
  ) {
    this.numEnvs = isVecEnv(env) ? env.numEnvs : 1;
    this.size = observationSize;
    const n = this.numEnvs;
    this.observations = new Float32Array(n * observationSize);
    this.nextObservations = new Float32Array(n * observationSize);
    this.rewards = new Float32Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.valid = new Uint8Array(n);
    this.done = new Uint8Array(n);
  }

  reset(seed?: number): void {
    const { observation } = this.env.reset(seed === undefined ? {} : { seed });
    this.observations.set(observation);
    this.done.fill(0);
  }

  step(actions: Int32Array): void {
    if (isVecEnv(this.env)) {
      const r = this.env.step(actions);
      this.nextObservations.set(r.observation);
      this.rewards.set(r.reward);
      this.terminated.set(r.terminated);
      this.truncated.set(r.truncated);
      for (let i = 0; i < this.numEnvs; i++) {
        this.valid[i] = this.done[i] ? 0 : 1;
        this.done[i] = r.terminated[i] || r.truncated[i] ? 1 : 0;
      }
      this.observations.set(r.observation);
      return;
    }
    const r = this.env.step(actions[0]!);
    this.nextObservations.set(r.observation);
    this.rewards[0] = r.reward;
    this.terminated[0] = r.terminated ? 1 : 0;
    this.truncated[0] = r.truncated ? 1 : 0;
    this.valid[0] = 1;
    if (r.terminated || r.truncated) this.observations.set(this.env.reset().observation);
    else this.observations.set(r.observation);
  }
}
