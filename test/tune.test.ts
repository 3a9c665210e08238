/**
 * `deepq tune`'s pieces that need no training: the search space and its
 * samplers, ASHA's promotion rule and the ranking.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_SPACE, sampleTrials, sobolPoints, spaceProblem } from "../src/cli/search-space.ts";
import { promotes, rankTrials, rungsFor, type TrialRecord } from "../src/cli/tune.ts";
import { Rng } from "../src/runtime/rng.ts";

describe("search space", () => {
  it("Sobol points are scipy's unscrambled sequence (after the zero point), and each coordinate is stratified", () => {
    // scipy.stats.qmc.Sobol(d=3, scramble=False).random(8)[1:]
    expect(sobolPoints(7, 3)).toEqual([
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
    ]);
    // Points 1..2^k-1 plus the zero point put one point in each 1/2^k interval of every coordinate.
    const points = sobolPoints(63, 16);
    for (let d = 0; d < 16; d++) {
      const cells = new Set([0, ...points.map((p) => Math.floor(p[d]! * 64))]);
      expect(cells.size, `dimension ${d}`).toBe(64);
    }
  });

  it("samples each distribution inside its range, the same trials for the same arguments", () => {
    for (const sampler of ["sobol", "random"] as const) {
      const trials = sampleTrials(DEFAULT_SPACE, 32, sampler, 5);
      expect(sampleTrials(DEFAULT_SPACE, 32, sampler, 5)).toEqual(trials);
      for (const t of trials) {
        expect(t.learningRate).toBeGreaterThanOrEqual(1e-4);
        expect(t.learningRate).toBeLessThanOrEqual(3e-3);
        expect([32, 64, 128]).toContain(t.batchSize);
        expect([[64, 64], [128, 128], [256, 256]]).toContainEqual(t.netArch);
        expect(t.explorationFraction).toBeGreaterThanOrEqual(0.05);
        expect(t.explorationFraction).toBeLessThan(0.3);
      }
      // Every choice shows up over 32 trials.
      expect(new Set(trials.map((t) => t.batchSize)).size).toBe(3);
    }
    const ints = sampleTrials({ learningStarts: { int: [0, 3] } }, 64, "random", 1).map((t) => t.learningStarts);
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3]));
  });

  it("names the option and the problem in a bad space", () => {
    expect(spaceProblem(DEFAULT_SPACE)).toBeUndefined();
    expect(spaceProblem([])).toMatch(/JSON object/);
    expect(spaceProblem({ learningrate: { log: [1e-4, 1e-3] } })).toMatch(/^learningrate: not a DQN option/);
    expect(spaceProblem({ seed: { int: [0, 9] } })).toMatch(/^seed/);
    expect(spaceProblem({ learningRate: { log: [0, 1e-3] } })).toMatch(/^learningRate: "log" needs low > 0/);
    expect(spaceProblem({ gamma: { uniform: [0.99, 0.9] } })).toMatch(/^gamma: "uniform" takes \[low, high\]/);
    expect(spaceProblem({ batchSize: { int: [1.5, 4] } })).toMatch(/^batchSize: "int" takes integer bounds/);
    expect(spaceProblem({ netArch: { choice: [] } })).toMatch(/^netArch: "choice"/);
    expect(spaceProblem({ tau: { normal: [0, 1] } })).toMatch(/^tau: a distribution is one of/);
  });
});

describe("successive halving", () => {
  it("rungs at eval-freq * eta^k", () => {
    expect(rungsFor(30_000, 3, 3)).toEqual({ evalFreq: 3333, rungs: [3333, 9999, 29997] });
    expect(rungsFor(1000, 2, 1)).toEqual({ evalFreq: 1000, rungs: [1000] });
  });

  it("a trial goes on when in the top 1/eta of the scores seen at the rung, or the best of fewer than eta", () => {
    expect(promotes(10, [10], 3)).toBe(true);
    expect(promotes(5, [10, 5], 3)).toBe(false);
    expect(promotes(10, [5, 10], 3)).toBe(true);
    expect(promotes(8, [10, 9, 8, 7, 6, 5], 3)).toBe(false); // top 2 of 6
    expect(promotes(9, [10, 9, 8, 7, 6, 5], 3)).toBe(true);
  });

  it("a pruned trial never outranks a completed one, whatever their scores", () => {
    const rng = new Rng(3);
    const statuses = ["completed", "pruned", "failed"] as const;
    for (let round = 0; round < 200; round++) {
      const records: TrialRecord[] = Array.from({ length: 12 }, (_, trial) => {
        const status = statuses[rng.int(3)]!;
        const rungScores = Array.from({ length: status === "completed" ? 3 : rng.int(3) }, () => rng.nextDouble() * 500);
        return { trial, status, rungScores, score: status === "failed" ? null : (rungScores.at(-1) ?? null), options: {} };
      });
      const ranked = rankTrials(records);
      const lastCompleted = ranked.map((r) => r.status).lastIndexOf("completed");
      const firstOther = ranked.findIndex((r) => r.status !== "completed");
      if (lastCompleted >= 0 && firstOther >= 0) expect(lastCompleted).toBeLessThan(firstOther);
      const completed = ranked.filter((r) => r.status === "completed").map((r) => r.score!);
      expect(completed).toEqual([...completed].sort((a, b) => b - a));
      // Pruned trials: deeper rungs first.
      const depths = ranked.filter((r) => r.status === "pruned").map((r) => r.rungScores.length);
      expect(depths).toEqual([...depths].sort((a, b) => b - a));
    }
    // The case that matters: a trial pruned after a lucky early rung stays below a completed one.
    const ranked = rankTrials([
      { trial: 0, status: "pruned", rungScores: [480], score: 480, options: {} },
      { trial: 1, status: "completed", rungScores: [120, 300, 350], score: 350, options: {} },
    ]);
    expect(ranked.map((r) => r.trial)).toEqual([1, 0]);
  });
});
