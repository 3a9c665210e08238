/**
 * The agent's training counters: one record, reset by `learn` (unless
 * `resetNumTimesteps` is false), saved and restored whole.
 */

/** Where training stands. */
export interface Counters {
  /** Env steps taken (all envs of a vector env; autoreset steps excluded). */
  timesteps: number;
  /** Episodes finished. */
  episodes: number;
  /** Total timesteps the exploration and learning-rate schedules span (set by `learn`). */
  scheduleTimesteps: number;
  /** Vector steps since the last target-network update. */
  stepsSinceTarget: number;
  /** Vector steps since the last training round (trainFreq in steps). */
  stepsSinceTrain: number;
  /** Episodes since the last training round (trainFreq in episodes). */
  episodesSinceTrain: number;
  /** Transitions stored since the last training round (gradientSteps -1 trains on as many). */
  collectedSinceTrain: number;
  /** Loss of the last update (NaN before the first). */
  lastLoss: number;
}

/** The counters of a fresh agent; `scheduleTimesteps` is SB3's default span until `learn` sets it. */
export const newCounters = (): Counters => ({
  timesteps: 0,
  episodes: 0,
  scheduleTimesteps: 100_000,
  stepsSinceTarget: 0,
  stepsSinceTrain: 0,
  episodesSinceTrain: 0,
  collectedSinceTrain: 0,
  lastLoss: NaN,
});

/** Counters that are non-negative integers in a save file (the rest: scheduleTimesteps >= 1, lastLoss finite or null). */
export const COUNTS = ["timesteps", "episodes", "stepsSinceTarget", "stepsSinceTrain", "episodesSinceTrain", "collectedSinceTrain"] as const;

/** Episode returns the running mean (`meanReturn100`) keeps, and a save file holds at most. */
export const RECENT_RETURNS = 100;
