/**
 * Greedy evaluation, as Stable-Baselines3's `evaluate_policy`: run
 * `nEpisodes` full episodes acting with `predict(obs, { deterministic })` and
 * report the mean and (population) standard deviation of their returns.
 * An env that gives action masks (`info.actionMask`, else `env.actionMask()`)
 * has them passed on as `predict`'s `mask`.
 */
import { InvalidArgumentError } from "../errors.ts";
import { checkBool, checkInt, checkKnownKeys, checkOptions } from "../validate.ts";
import { isEnv, type EnvLike, type MaskInfo } from "./driver.ts";

/** The legal actions an env gives for its current observation, if it gives any. */
function maskOf(env: EnvLike, info: MaskInfo | undefined): ArrayLike<number> | undefined {
  return info?.actionMask ?? (typeof env.actionMask === "function" ? env.actionMask() : undefined);
}

/** What `evaluate` returns, as SB3's `evaluate_policy(..., return_episode_rewards=True)` plus the summary. */
export interface EvaluateResult {
  /** Mean episode return. */
  mean: number;
  /** Population standard deviation of the returns. */
  std: number;
  /** Each episode's return. */
  returns: number[];
  /** Each episode's length in steps. */
  lengths: number[];
}

/** Anything that picks actions: a DQN agent, or any object with `predict`. */
export interface Predictor {
  predict(observation: ArrayLike<number>, options?: { deterministic?: boolean; mask?: ArrayLike<number> }): number;
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Episodes to run (default 10). */
  nEpisodes?: number;
  /** Greedy actions (default true); false explores at the agent's current epsilon. */
  deterministic?: boolean;
  /** Seed of the first reset; later episodes continue the env's generator. */
  seed?: number;
  /** Stops an episode that runs longer than this (for envs without a time limit). */
  maxEpisodeSteps?: number;
}

/**
 * Runs `nEpisodes` full episodes of `env` acting with `agent.predict` and
 * returns the mean and standard deviation of their returns, as SB3's
 * `evaluate_policy`. Does not train or change the agent.
 */
export async function evaluate(agent: Predictor, env: EnvLike, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const o = checkOptions("options", options) as EvaluateOptions;
  checkKnownKeys("options", o, ["nEpisodes", "deterministic", "seed", "maxEpisodeSteps"]);
  if (typeof agent?.predict !== "function") throw new InvalidArgumentError("agent", agent, "an agent or policy with predict(observation)");
  if (!isEnv(env)) throw new InvalidArgumentError("env", env, "an Env");
  const nEpisodes = checkInt("options.nEpisodes", o.nEpisodes ?? 10, { min: 1 });
  const deterministic = checkBool("options.deterministic", o.deterministic ?? true);
  const maxSteps = o.maxEpisodeSteps === undefined ? Infinity : checkInt("options.maxEpisodeSteps", o.maxEpisodeSteps, { min: 1 });
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let ep = 0; ep < nEpisodes; ep++) {
    const start = env.reset(ep === 0 && o.seed !== undefined ? { seed: checkInt("options.seed", o.seed, { min: 0 }) } : {});
    let observation = start.observation;
    let mask = maskOf(env, start.info);
    let total = 0;
    let steps = 0;
    for (;;) {
      const r = env.step(agent.predict(observation, mask === undefined ? { deterministic } : { deterministic, mask }));
      total += r.reward;
      steps++;
      if (r.terminated || r.truncated || steps >= maxSteps) break;
      observation = r.observation;
      mask = maskOf(env, r.info);
    }
    returns.push(total);
    lengths.push(steps);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / nEpisodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / nEpisodes);
  return { mean, std, returns, lengths };
}
