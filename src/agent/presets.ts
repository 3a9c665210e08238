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
    notes:
      "RL Zoo's dqn.yml values (lr 6.3e-4, batch 128, buffer 50k, gamma 0.99, target every 250 steps, train every 4 steps, " +
      "exploration 0.12 to 0.1, 100k steps) on a 64-64 network with one gradient step per round instead of 256-256 with four, " +
      "plus Double DQN and 3-step returns. Study (fused engine, final weights without keepBest, 10 greedy episodes, seeds 0-9): " +
      "-80.7, -84.6, -80.1, -89.7, -87.8, -74.8, -77.7, -74.7, -73.3, -84.5 (mean -80.8); periodic evaluations settle in -75..-95 " +
      "after 40k steps. About 5 CPU-seconds a run (loaded 2-core machine, emulated fma). Tried: RL Zoo's 256-256 with 4 updates a round " +
      "(about 50 CPU-s), 128-128 (-94, -82, -90, -79, -72; 15-19 CPU-s), 64-64 without Double DQN and n-step (one seed of five ended at -275).",
  },
  "MountainCar-v0": {
    options: {
      netArch: [64, 64],
      learningRate: 2e-3,
      bufferSize: 10_000,
      learningStarts: 1000,
      batchSize: 128,
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
    notes:
      "RL Zoo's dqn.yml values (buffer 10k, learning starts 1000, gamma 0.98, target every 600 steps, 8 gradient steps every 16, " +
      "exploration to 0.07 over 24k steps, as its 0.2 of 120k) on a 64-64 network, with Double DQN and 3-step returns (without them, 3 of 5 seeds never " +
      "reached the flag) and half RL Zoo's learning rate (4e-3 left the greedy policy oscillating: seed 8 of 0-9 ended at -200 after " +
      "evaluations of -107). Exploration is the hard part: the first greedy evaluation >= -110 comes between 50k and 305k steps. " +
      "Study (bench/preset-study.ts, seeds 0-19): with RL Zoo's 120k steps and 10-episode evaluations every 10k, greedy >= -110 was reached on 12/20 seeds " +
      "(median 100k steps) and the final agent scored >= -110 on 20 fresh episodes on 9/20 (worst -200; bench/preset.bench.ts). Measured causes: seeds that first reach -110 after " +
      "120k steps (two after 195k), and luck in the stop: stopping at the first 20-episode evaluation >= -105 (300k steps) left 4 final agents of 20 below -110 on fresh episodes " +
      "(two that stopped on evaluations of -103.8 and -102.6 and then scored -110.4 and -110.2, two that never reached -105 and ended at -119.8 and -121.5). " +
      "So the preset evaluates 50 greedy episodes every 5k steps, stops training at the first evaluation whose mean reaches -105 " +
      "(SB3's StopTrainingOnRewardThreshold, evaluation.rewardThreshold; 5 above the threshold, a margin for the fresh episodes' luck), " +
      "within a 500k-step budget that only the slowest seeds use, and keeps the best-evaluated weights (keepBest) for a run that never gets there. " +
      "With it, seeds 0-19: a 50-episode greedy evaluation >= -110 reached 20/20 (median 100k steps, the last at 305k), training stopped at a median of 113k steps " +
      "(60k-395k), final agents without keepBest >= -110 on 20 fresh episodes 19/20 (median -102.6; worst -112.0, seed 14, stopped at 305k on an evaluation of -102.0; with keepBest also 19/20). " +
      "Tried: a 300k budget with 50-episode evaluations (19/20 reached, 18/20 final: seeds 4 and 14 ran to the end at -119.8 and -121.5; 500k let both stop); " +
      "the same with 20-episode evaluations (20/20 reached, 16/20 final); with a learning rate decaying linearly from 2e-3 to 2e-4 (17/20 reached, 17/20 final, seed 13 never at the flag). " +
      "A run takes a median of 13 s, at most 46 s (seed 4), on a shared, loaded 2-core machine (emulated fma).",
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
      explorationFinalEps: 0.1,
      loss: "huber",
    },
    totalTimesteps: 1_000_000,
    evaluation: { freq: 20_000, nEpisodes: 10, keepBest: true },
    notes:
      "MinAtar's examples/dqn.py network and values (conv 16 3x3, FC 128, batch 32, replay 100k, target every 1k, 5k random warm-up, " +
      "eps 1 -> 0.1 over the first 100k frames, lr 2.5e-4, Huber) with Adam instead of centered RMSprop, one update every 2 frames " +
      "instead of every frame (SB3 trains Atari every 4; it halves the CPU time), on the minimal 3-action set (MinAtar's published " +
      "curves use all 6 actions), over 1M steps instead of its 5M. Anchor: MinAtar's DQN on Breakout, the moving average of the last " +
      "100 training returns over 30 runs, is about 9.2 at 1M frames and about 10 at 5M (read off the learning-curve plot of MinAtar's " +
      "README, Young & Tian 2019). bench/minatar.bench.ts (npm run bench -- minatar) trains this preset on seeds 0-4 and reports that " +
      "measure, the final greedy return and the CPU minutes a seed against it (README.md's MinAtar section). " +
      "Not in bench/preset-study.ts: 20 seeds would take hours.",
  },
});
