/**
 * `learn`'s options and the events its callback receives (SB3's
 * `learn(total_timesteps, callback, ...)` and EvalCallback), and their
 * check at the public edge: `checkLearnOptions` gives the loop one checked
 * record with every default filled in.
 */
import { InvalidArgumentError } from "../errors.ts";
import { checkBool, checkInt, checkKnownKeys, checkNumber, checkOptions } from "../validate.ts";
import { isEnv, isVecEnv, type EnvLike, type VecEnvLike } from "./driver.ts";
import type { TrainLog } from "./train-logger.ts";

/** What `learn`'s callback receives, at each episode end and after each evaluation. */
export interface LearnEvent {
  /** Env steps taken so far. */
  timesteps: number;
  /** Episodes finished so far. */
  episodes: number;
  /** Set when the event marks the end of an episode. */
  episodeReturn?: number;
  /** The episode's length in env steps, set with `episodeReturn`. */
  episodeLength?: number;
  /** Mean return of the last 100 episodes (NaN before the first). */
  meanReturn100: number;
  /** Loss of the last update (NaN before training starts). */
  loss: number;
  /** Exploration rate now. */
  epsilon: number;
  /** Env steps per second since this `learn` call began. */
  stepsPerSecond: number;
  /** Set after each periodic greedy evaluation. */
  eval?: {
    /** Mean greedy return. */
    mean: number;
    /** Standard deviation of the greedy returns. */
    std: number;
  };
  /**
   * Adds scalars to the TensorBoard log (with `tensorboardLog`; otherwise a
   * no-op), as SB3's `self.logger.record`: `e.logger.record("custom/x", v)`.
   */
  logger: TrainLog;
}

/** Options of `agent.learn`, as SB3's `learn(total_timesteps, callback, ...)`. */
export interface LearnOptions {
  /** Env steps to train for (required). */
  totalTimesteps: number;
  /** Called at each episode end and after each evaluation; returning `false` stops training. Default: none. */
  callback?: (event: LearnEvent) => boolean | void;
  /**
   * Periodic greedy evaluation, like SB3's EvalCallback: results go to the
   * callback and `bestEval`. Default: none.
   */
  eval?: {
    /** A separate env to evaluate on (not the training env). */
    env: EnvLike;
    /** Env steps between evaluations (required). */
    freq: number;
    /** Greedy episodes per evaluation (default 10). */
    nEpisodes?: number;
    /**
     * End `learn` with the weights of the best evaluation when the last one
     * scored lower, as loading EvalCallback's best_model would (default false:
     * the agent ends with its final weights).
     */
    keepBest?: boolean;
    /**
     * Stops training once an evaluation's mean return reaches it, as SB3's
     * `StopTrainingOnRewardThreshold` on an EvalCallback: the agent ends with
     * the weights that reached it (default: no early stop).
     */
    rewardThreshold?: number;
    /**
     * Seed of the eval env's reset at this call's first evaluation (default:
     * the agent's `seed`), so that evaluations repeat run to run; later
     * evaluations continue the env's generator.
     */
    seed?: number;
  };
  /**
   * Stops training cleanly between env steps (checked before each step; `learn`
   * yields to the event loop about every 50 ms, so a timer or UI can abort).
   * `learn` then resolves, with `timesteps` counting the steps taken; the agent
   * can be saved or trained on (`resetNumTimesteps: false` continues).
   * Default: none.
   */
  signal?: AbortSignal;
  /** As SB3: true (default) restarts the timestep count and schedules; false continues them. */
  resetNumTimesteps?: boolean;
  /**
   * With `tensorboardLog` a folder: this run's folder is `<tbLogName>_<n>`
   * (SB3's `tb_log_name`; default "DQN"), n one more than the largest there,
   * or the largest itself when `resetNumTimesteps` is false.
   */
  tbLogName?: string;
  /** Episodes between TensorBoard dumps of the rollout/, train/ and time/ scalars (SB3's `log_interval`; default 4). */
  logInterval?: number;
  /**
   * The env to train on from this call on (default: the env given to
   * `DQN.create`, `DQN.load` or the last `learn`); needed when the agent was
   * created from `{ observationSize, nActions }` or loaded without one.
   */
  env?: EnvLike | VecEnvLike;
}

/** `learn`'s options, checked, with their defaults. */
export interface CheckedLearnOptions {
  totalTimesteps: number;
  callback: LearnOptions["callback"];
  eval: (Required<Pick<NonNullable<LearnOptions["eval"]>, "env" | "freq" | "nEpisodes" | "keepBest">> & { rewardThreshold: number; seed: number | undefined }) | undefined;
  signal: AbortSignal | undefined;
  resetNumTimesteps: boolean;
  tbLogName: string;
  logInterval: number;
  /** The env given here, if any (the agent falls back to its own). */
  env: EnvLike | VecEnvLike | undefined;
}

/** Checks `learn`'s options, naming the first bad one. */
export function checkLearnOptions(options: unknown): CheckedLearnOptions {
  const o = checkOptions("learn options", options);
  checkKnownKeys("learn options", o, ["totalTimesteps", "callback", "eval", "signal", "resetNumTimesteps", "env", "tbLogName", "logInterval"]);
  const totalTimesteps = checkInt("totalTimesteps", o.totalTimesteps, { min: 1 });
  const callback = o.callback as LearnOptions["callback"];
  if (callback !== undefined && typeof callback !== "function") throw new InvalidArgumentError("callback", callback, "a function");
  const e = o.eval as LearnOptions["eval"];
  if (e !== undefined) {
    if (!isEnv(e.env)) throw new InvalidArgumentError("eval.env", e.env, "an Env");
    checkInt("eval.freq", e.freq, { min: 1 });
    if (e.nEpisodes !== undefined) checkInt("eval.nEpisodes", e.nEpisodes, { min: 1 });
    if (e.keepBest !== undefined) checkBool("eval.keepBest", e.keepBest);
    if (e.seed !== undefined) checkInt("eval.seed", e.seed, { min: 0 });
    if (e.rewardThreshold !== undefined) checkNumber("eval.rewardThreshold", e.rewardThreshold);
  }
  const env = o.env as EnvLike | VecEnvLike | undefined;
  if (env !== undefined && !(isEnv(env) || isVecEnv(env))) throw new InvalidArgumentError("env", env, "an Env or VecEnv (pass it to DQN.create or learn({ env }))");
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined && typeof signal?.aborted !== "boolean") throw new InvalidArgumentError("signal", signal, "an AbortSignal");
  const tbLogName = o.tbLogName ?? "DQN";
  if (typeof tbLogName !== "string" || !/^[\w.-]+$/.test(tbLogName)) throw new InvalidArgumentError("tbLogName", tbLogName, "a folder name (letters, digits, '.', '_', '-')");
  return {
    totalTimesteps,
    callback,
    eval: e && { env: e.env, freq: e.freq, nEpisodes: e.nEpisodes ?? 10, keepBest: e.keepBest === true, rewardThreshold: e.rewardThreshold ?? Infinity, seed: e.seed },
    signal,
    resetNumTimesteps: o.resetNumTimesteps !== false,
    tbLogName,
    logInterval: checkInt("logInterval", o.logInterval ?? 4, { min: 1 }),
    env,
  };
}
