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
import { checkMaskRows } from "../masks.ts";

/** What an env may put in `info` for the agent: the legal actions of the observation it returns. */
export interface MaskInfo {
  /** 1 for each legal action (a single env: nActions entries; a vector env: numEnvs x nActions). */
  actionMask?: ArrayLike<number>;
}

/** The structural shape of deepq's (and any Gymnasium-like) single env. */
export interface EnvLike {
  /** Starts an episode (seeding the env's generator when given a seed). */
  reset(options?: { /** Seeds the env's generator. */ seed?: number }): {
    /** The first observation. */
    observation: ArrayLike<number>;
    /** May carry the legal actions, `info.actionMask`. */
    info?: MaskInfo;
  };
  /** Takes `action`; Gymnasium's step result. */
  step(action: number): {
    /** The next observation. */
    observation: ArrayLike<number>;
    /** The step's reward. */
    reward: number;
    /** The episode ended in a terminal state. */
    terminated: boolean;
    /** The episode was cut short (a time limit). */
    truncated: boolean;
    /** May carry the legal actions, `info.actionMask`. */
    info?: MaskInfo;
  };
  /** The legal actions of the current observation (read when `info.actionMask` is absent). */
  actionMask?(): ArrayLike<number> | undefined;
  /** A Box with a 1-D `shape` (or [H, W, C] for conv layers). */
  observationSpace: object;
  /** A Discrete space with `n` actions. */
  actionSpace: object;
}

/** The structural shape of deepq's VecEnv. */
export interface VecEnvLike {
  /** How many envs step together. */
  numEnvs: number;
  /** Starts every env's episode (env i seeded with seed + i when given a seed). */
  reset(options?: { /** Seeds env i's generator with seed + i. */ seed?: number }): {
    /** Every env's first observation, env-major. */
    observation: ArrayLike<number>;
    /** May carry the legal actions, `info.actionMask`. */
    info?: MaskInfo;
  };
  /** Takes one action per env; every env's step result, with next-step autoreset. */
  step(actions: Int32Array): {
    /** Every env's next observation, env-major. */
    observation: ArrayLike<number>;
    /** Every env's reward. */
    reward: ArrayLike<number>;
    /** Per env, 1 where its episode ended in a terminal state. */
    terminated: ArrayLike<number>;
    /** Per env, 1 where its episode was cut short (a time limit). */
    truncated: ArrayLike<number>;
    /** May carry the legal actions, `info.actionMask`. */
    info?: MaskInfo;
  };
  /** The legal actions of the current observations, numEnvs x nActions (read when `info.actionMask` is absent). */
  actionMask?(): ArrayLike<number> | undefined;
  /** Gymnasium's observation space of one sub-env: a Box. */
  singleObservationSpace: object;
  /** Gymnasium's action space of one sub-env: a Discrete. */
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
  observationShape?: readonly number[];
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
  /**
   * Legal actions (numEnvs x nActions, 1 legal) of `observations` and of the
   * last step's `nextObservations`, once the env has given a mask (in
   * `info.actionMask`, else through `env.actionMask()`); undefined for an
   * env without masks.
   */
  masks: Uint8Array | undefined;
  nextMasks: Uint8Array | undefined;
  private readonly done: Uint8Array;

  constructor(
    private readonly env: EnvLike | VecEnvLike,
    observationSize: number,
    private readonly nActions: number,
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
    const r = this.env.reset(seed === undefined ? {} : { seed });
    this.observations.set(r.observation);
    this.done.fill(0);
    this.readMasks(r.info, "reset", undefined);
  }

  /**
   * Reads the mask of the observations the env just returned into `masks`
   * (after a reset) or `nextMasks` (after a step: an episode that terminated
   * there may leave no legal action, as a full board does).
   */
  private readMasks(info: MaskInfo | undefined, call: "reset" | "step", terminated: ArrayLike<number> | undefined): void {
    const fromInfo = info?.actionMask;
    const value = fromInfo ?? (typeof this.env.actionMask === "function" ? this.env.actionMask() : undefined);
    if (value === undefined) {
      if (this.masks) throw new InvalidArgumentError(`env.${call}().info.actionMask`, value, "a mask on every reset and step, once the env has given one");
      return;
    }
    const n = this.numEnvs * this.nActions;
    this.masks ??= new Uint8Array(n).fill(1);
    this.nextMasks ??= new Uint8Array(n).fill(1);
    const name = fromInfo !== undefined ? `env.${call}().info.actionMask` : "env.actionMask()";
    checkMaskRows(name, value, this.nActions, this.numEnvs, call === "reset" ? this.masks : this.nextMasks, (i) => terminated?.[i] === 1);
  }

  step(actions: Int32Array): void {
    if (isVecEnv(this.env)) {
      const r = this.env.step(actions);
      this.nextObservations.set(r.observation);
      this.rewards.set(r.reward);
      this.terminated.set(r.terminated);
      this.truncated.set(r.truncated);
      this.readMasks(r.info, "step", this.terminated);
      for (let i = 0; i < this.numEnvs; i++) {
        this.valid[i] = this.done[i] ? 0 : 1;
        this.done[i] = r.terminated[i] || r.truncated[i] ? 1 : 0;
      }
      this.observations.set(r.observation);
      // Next-step autoreset: an env that just ended acts next on its reset, whose mask this is.
      if (this.masks) this.masks.set(this.nextMasks!);
      return;
    }
    const r = this.env.step(actions[0]!);
    this.nextObservations.set(r.observation);
    this.rewards[0] = r.reward;
    this.terminated[0] = r.terminated ? 1 : 0;
    this.truncated[0] = r.truncated ? 1 : 0;
    this.valid[0] = 1;
    this.readMasks(r.info, "step", this.terminated);
    if (r.terminated || r.truncated) {
      const reset = this.env.reset();
      this.observations.set(reset.observation);
      this.readMasks(reset.info, "reset", undefined);
    } else {
      this.observations.set(r.observation);
      if (this.masks) this.masks.set(this.nextMasks!);
    }
  }
}
