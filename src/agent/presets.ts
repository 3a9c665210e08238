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
  /** Why these values, in a line; docs/presets.md has the studies. */
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
    notes: "Double DQN, Huber loss, Polyak averaging, one update a step; stops at a 500 evaluation (DQN on CartPole oscillates after it solves it). The study: docs/presets.md.",
  },
  "Acrobot-v1": {
    options: {
      netArch: [64, 64],
      learningRate: 6.3e-4,
      bufferSize: 50_000,
      learningStarts: 1000,
      batchSize: 128,
      gamma: 0.99,
      trainFreq: 4,
      gradientSteps: 1,
      targetUpdateInterval: 250,
      explorationFraction: 0.12,
      explorationInitialEps: 1,
      explorationFinalEps: 0.1,
      doubleQ: true,
      nSteps: 3,
      loss: "huber",
      maxGradNorm: 10,
    },
    totalTimesteps: 100_000,
    evaluation: { freq: 10_000, nEpisodes: 10, keepBest: true },
    notes: "RL Zoo's dqn.yml values on a 64-64 network with Double DQN and 3-step returns (seeds 0-9: mean -80.8). The study: docs/presets.md.",
  },
  "MountainCar-v0": {
    options: {
      netArch: [64, 64],
      learningRate: 2e-3,
      bufferSize: 10_000,
      learningStarts: 1000,
      batchSize: 32,
      gamma: 0.98,
      trainFreq: 16,
      gradientSteps: 8,
      targetUpdateInterval: 600,
      explorationFraction: 0.048,
      explorationInitialEps: 1,
      explorationFinalEps: 0.07,
      doubleQ: true,
      nSteps: 3,
      loss: "huber",
      maxGradNorm: 10,
    },
    totalTimesteps: 500_000,
    evaluation: { freq: 5000, nEpisodes: 50, keepBest: true, rewardThreshold: -105 },
    notes: "RL Zoo's dqn.yml values with Double DQN, 3-step returns, half its learning rate and SB3's default batch of 32 (a quarter of the CPU of 128); 50-episode evaluations every 5k steps, stopping at -105 (seeds 0-19: 20/20 final agents >= -110). The study: docs/presets.md.",
  },
  "MinAtar/Breakout-v1": {
    options: {
      netArch: { conv: [{ filters: 16, kernel: 3 }], dense: [128] },
      learningRate: 2.5e-4,
      bufferSize: 100_000,
      learningStarts: 5000,
      batchSize: 32,
      gamma: 0.99,
      trainFreq: 2,
      gradientSteps: 1,
      targetUpdateInterval: 1000,
      explorationFraction: 0.1,
      explorationInitialEps: 1,
      explorationFinalEps: 0.01,
      loss: "huber",
    },
    totalTimesteps: 1_000_000,
    evaluation: { freq: 20_000, nEpisodes: 10, keepBest: true },
    notes: "MinAtar's examples/dqn.py network and values with Adam, an update every 2 frames, the 3-action set and final epsilon 0.01. Why: docs/presets.md; results: npm run bench -- minatar.",
  },
});
