/**
 * deepq's tuned configurations, the ones the CLI and README use. Each is
 * `{ options, totalTimesteps }` for `DQN.create(env, options)` and
 * `agent.learn({ totalTimesteps })`.
 */
import type { DQNOptions } from "./options.ts";

/** A tuned configuration: the options to create the agent with and how long to train. */
export interface Preset {
  /** Options for `DQN.create(env, options)`. */
  options: DQNOptions;
  /** Env steps for `agent.learn({ totalTimesteps })`. */
  totalTimesteps: number;
  /**
   * The periodic greedy evaluation the preset was tuned with: pass it as
   * `learn({ totalTimesteps, eval: { env, ...evaluation } })`. `keepBest`
   * ends training with the best-evaluated weights (SB3's EvalCallback
   * best_model), since DQN on CartPole oscillates after it first solves it.
   */
  evaluation: {
    /** Env steps between evaluations. */
    freq: number;
    /** Greedy episodes per evaluation. */
    nEpisodes: number;
    /** End with the best-evaluated weights. */
    keepBest: boolean;
    /** Stop training once an evaluation's mean reaches it (SB3's StopTrainingOnRewardThreshold). */
    rewardThreshold?: number;
  };
  /** Why these values, for the curious. */
  notes: string;
}

/** deepq's tuned configurations by env id: `presets["CartPole-v1"]`. */
export const presets: Readonly<Record<string, Preset>> = Object.freeze({
  "CartPole-v1": {
    options: {
      netArch: [128, 128],
      learningRate: 1e-3,
      bufferSize: 50_000,
      learningStarts: 1000,
      batchSize: 64,
      gamma: 0.99,
      trainFreq: 1,
      gradientSteps: 1,
      targetUpdateInterval: 1,
      tau: 0.005,
      explorationFraction: 0.1,
      explorationInitialEps: 1,
      explorationFinalEps: 0.02,
      doubleQ: true,
      loss: "huber",
      maxGradNorm: 10,
    },
    totalTimesteps: 30_000,
    evaluation: { freq: 1000, nEpisodes: 10, keepBest: true },
    notes:
      "Double DQN with Huber loss and Polyak averaging (tau 0.005 every step) keeps targets stable without the long lag of hard copies; " +
      "one update per step on a 128-128 network is cheap on the fused engine. Over seeds 0-4 a 10-episode greedy evaluation every 1k steps " +
      "first reached >= 475 at 22k, 2k, 27k, 15k and 19k steps (median 8.0 s wall time in Node on a shared 2-core machine, relaxed SIMD); " +
      "over seeds 0-9 about one seed in ten stays below 475 for all 30k steps, and which one depends on rounding (plain SIMD vs FMA). " +
      "Without an early stop the greedy score keeps oscillating after that (seed 1 ends at 109 after evaluations of 500), " +
      "so the preset keeps the best-evaluated weights (evaluation.keepBest, SB3's EvalCallback best_model); bench/preset.bench.ts measures it.",
  },
});
