/**
 * Exploration schedules. DQN calls `epsilon(timestep, episode)` once per
 * action; `timestep` counts env steps since training began (all envs of a
 * vector env), `episode` counts finished episodes.
 */
import { checkNumber } from "../validate.ts";

/** Exploration rate as a function of the timestep and the number of finished episodes. */
export type EpsilonSchedule = (timestep: number, episode: number) => number;

/**
 * Stable-Baselines3's linear schedule: from `initial` to `final` over the
 * first `fraction * totalTimesteps` steps, then constant.
 */
export function linearSchedule(initial: number, final: number, fraction: number, totalTimesteps: number): EpsilonSchedule {
  const span = fraction * totalTimesteps;
  return (t) => (span <= 0 || t >= span ? final : initial + (final - initial) * (t / span));
}

/**
 * The classic tutorial schedule `end + (start - end) * exp(-t / decay)`,
 * e.g. `exponentialSchedule(1, 0.01, 500)` for the PyTorch DQN tutorial's
 * `0.01 + 0.99 * exp(-t / 500)`.
 */
export function exponentialSchedule(start: number, end: number, decay: number): EpsilonSchedule {
  checkNumber("start", start, { min: 0, max: 1 });
  checkNumber("end", end, { min: 0, max: 1 });
  checkNumber("decay", decay, { min: 0, minExclusive: true });
  return (t) => end + (start - end) * Math.exp(-t / decay);
}
