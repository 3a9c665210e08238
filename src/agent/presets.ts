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
    totalTimesteps: 50_000,
    evaluation: { freq: 1000, nEpisodes: 20, keepBest: true, rewardThreshold: 500 },
    notes:
      "Double DQN with Huber loss and Polyak averaging (tau 0.005 every step), one update per step on a 128-128 network (cheap on the fused engine). " +
      "Study (bench/preset-study.ts, seeds 0-19, greedy evaluations every 1k steps): DQN on CartPole keeps oscillating after it first solves it. " +
      "Trained to the end without keepBest, the final agent scored >= 475 on 11/20 seeds with the former 30k-step budget and 12/20 with 50k; " +
      "trained 6x longer (300k steps) evaluations swung from 500 to 32 and back. Measured causes: Q-value overestimation (the largest Q at a start state, " +
      "whose true value is at most 99.3 at gamma 0.99, peaked at 113-172 on the seeds that collapsed at 50k, 93-110 on those that held, and 176-239 at 300k); " +
      "not the loss of early data (at 50k the 50k buffer still holds every transition, failures make 0.4-1.1% of it, and seeds collapse anyway). " +
      "A learning rate decaying linearly to 1e-5 over the run damped the swings but slowed learning: 4 of the first 14 seeds never solved in 30k steps. " +
      "So the preset stops training once a 20-episode greedy evaluation scores 500 on every episode (SB3's StopTrainingOnRewardThreshold, evaluation.rewardThreshold), " +
      "and keeps the best-evaluated weights (keepBest) for a run that never gets there. It does not make training past that point stable: it avoids it, " +
      "which also holds when a user trains 10x longer (its exploration schedule then stretches, and the stop comes later). " +
      "With this stop, seeds 0-19: greedy >= 475 reached 20/20 (median 18k steps), stopped at a median of 22k steps (6k-34k), final agents 500 on 20 fresh episodes on 20/20 " +
      "(stopping at the first evaluation >= 475 instead left 17/20 final agents >= 475; at 10x the budget that stop left 19/20, worst 456). " +
      "The largest start-state Q stayed at 23-87 when training stopped. 18k steps take about 5-6 s on one unloaded core (the study ran on a shared, heavily loaded machine). " +
      "bench/preset.bench.ts measures it.",
  },
});
