/**
 * The MinAtar Breakout benchmark (`npm run bench -- minatar`): the README's
 * block and docs/minatar-breakout.svg are exactly what bench/minatar-readme.ts
 * makes of bench/minatar-results.json (or say the benchmark has not run),
 * its rows hold the targets, it stays out of the default bench run, and a
 * seed of the study reports what the rows need (a few thousand steps: the
 * plumbing, not the learning).
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NAMED_ONLY, selectSuites } from "../bench/harness.ts";
import {
  BLOCK_END,
  BLOCK_START,
  FULL,
  MINATAR_SVG,
  minatarBlock,
  minatarRows,
  minatarSvg,
  readMinatarResults,
  README,
  withMinatarBlock,
  type MinatarResults,
  type MinatarRun,
} from "../bench/minatar-readme.ts";
import { runStudy } from "../bench/preset-study.ts";
import { markedSection } from "./support/marked-section.ts";

const run = (seed: number, finalMean: number, train100: number, cpuMinutes: number): MinatarRun => ({
  seed,
  steps: FULL.steps,
  finalMean,
  finalStd: 3,
  bestMean: finalMean + 1,
  train100,
  exploreMean: finalMean / 2,
  seconds: cpuMinutes * 90,
  cpuSeconds: cpuMinutes * 60,
  evals: [
    { t: 500_000, mean: finalMean / 2, std: 1, train100: train100 / 2 },
    { t: 1_000_000, mean: finalMean, std: 1, train100 },
  ],
});

function results(runs: MinatarRun[], steps = FULL.steps): MinatarResults {
  return {
    date: "2026-12-06T02:00:00.000Z",
    commit: "0123456789abcdef0123456789abcdef01234567",
    dirty: false,
    machine: { cpu: { model: "Test CPU" }, cores: 2, memoryGiB: 8, os: "Linux x64" },
    command: "npm run bench -- minatar",
    runtimes: { node: "v20.0.0", v8: "11", relaxedSimd: true },
    envId: "MinAtar/Breakout-v1",
    steps,
    seeds: runs.map((r) => r.seed),
    workers: 2,
    evaluation: { freq: 20_000, nEpisodes: 10 },
    finalEpisodes: 100,
    trainEps: 0.01,
    seconds: 3600,
    runs,
  };
}

const five = [run(0, 10, 9.5, 12), run(1, 8, 9, 14), run(2, 12, 10, 13), run(3, 9, 9.2, 16), run(4, 11, 9.8, 11)];

describe("MinAtar benchmark: README block and chart", () => {
  it("are exactly what bench/minatar-readme.ts makes of bench/minatar-results.json (regenerate: node --import tsx bench/minatar-readme.ts)", () => {
    const res = readMinatarResults();
    expect(markedSection(README, BLOCK_START, BLOCK_END, "block")).toBe(`\n${minatarBlock(res)}\n`);
    if (res) expect(readFileSync(MINATAR_SVG, "utf8")).toBe(minatarSvg(res));
    else expect(existsSync(MINATAR_SVG), "a chart without the results it was drawn from").toBe(false);
  });

  it("says the benchmark has not run when there is no results file", () => {
    expect(minatarBlock(undefined)).toMatch(/^Not run yet\. `npm run bench -- minatar`/);
    expect(withMinatarBlock(`a\n${BLOCK_START}\nold\n${BLOCK_END}\nb`, undefined)).toBe(`a\n${BLOCK_START}\n${minatarBlock(undefined)}\n${BLOCK_END}\nb`);
    expect(() => withMinatarBlock("no markers", undefined)).toThrow(/lacks the MinAtar block's markers/);
  });

  it("gives every seed's figures, the means against MinAtar's DQN and the CPU budget, and the chart", () => {
    const block = minatarBlock(results(five));
    expect(block).toContain("| seed | final greedy return | keepBest greedy return | last 100 training episodes (ε 0.01) | final agent at ε 0.1 | CPU min | wall min |");
    expect(block).toContain("| 3 | 9.0 ± 3.0 | 10.0 | 9.2 | 4.5 | 16.0 | 24.0 |");
    expect(block).toContain("- mean final greedy return (100 episodes a seed): 10.0 return; target >= 9 (MinAtar's DQN at 1M frames: about 9.2, Young & Tian 2019): met");
    expect(block).toContain("- mean return of the last 100 training episodes (exploring at ε 0.01, the preset's final epsilon): 9.5 return; target >= 9");
    expect(block).toContain("- mean return of the final agents at ε 0.1, MinAtar's training epsilon (100 episodes a seed): 5.0 return\n");
    expect(block).toContain("- worst final greedy return (seed 1): 8.0 return\n");
    expect(block).toContain("- median CPU minutes a seed: 13.0 min; target <= 15 min a seed: met");
    expect(block).toContain("- max CPU minutes a seed: 16.0 min; target <= 15 min a seed: missed");
    expect(block).not.toContain("shortened run");
    expect(block).toContain("](docs/minatar-breakout.svg)");
    const svg = minatarSvg(results(five));
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain("5 seeds");
    expect(svg).toContain('class="band"');
  });

  it("marks a shortened run as one, and a missed return target as missed", () => {
    const short = results([run(0, 3, 2.5, 0.4), run(1, 2, 2, 0.5)], 20_000);
    const block = minatarBlock(short);
    expect(block).toContain("A shortened run");
    expect(block).toMatch(/mean final greedy return \(100 episodes a seed\): 2\.5 return; target >= 9 .*: missed/);
    const rows = minatarRows(short.runs, short.steps, short.finalEpisodes, short.trainEps);
    expect(rows.every((r) => r.suite === "minatar" && r.name.startsWith("MinAtar/Breakout-v1, 2 seeds, 20,000 steps: "))).toBe(true);
    expect(rows.filter((r) => r.target).map((r) => r.pass)).toEqual([false, false, true, true]);
  });
});

describe("MinAtar benchmark: the bench run", () => {
  it("is left out of `npm run bench` and --readme, and runs when named exactly", () => {
    const files = ["agent.bench.ts", "env.bench.ts", "minatar.bench.ts", "harness.ts"];
    expect(NAMED_ONLY).toContain("minatar");
    expect(selectSuites(files, [])).toEqual(["agent.bench.ts", "env.bench.ts"]);
    expect(selectSuites(files, ["minatar"])).toEqual(["minatar.bench.ts"]);
    // A filter that only contains part of its name does not start an hour of training.
    expect(selectSuites(files, ["a"])).toEqual(["agent.bench.ts"]);
    expect(selectSuites(files, ["env", "minatar"])).toEqual(["env.bench.ts", "minatar.bench.ts"]);
  });

  it("reports a seed's final greedy mean and spread, its mean at MinAtar's epsilon, training mean, CPU seconds and curve", async () => {
    const [r] = await runStudy("MinAtar/Breakout-v1", [3], 1, 1, 2000, { totalTimesteps: 6000, finalEpisodes: 5, bufferSize: 10_000, exploreEps: 0.1 });
    expect(r!.seed).toBe(3);
    expect(r!.steps).toBe(6000);
    expect(r!.evals.map((e) => e.t)).toEqual([2000, 4000, 6000]);
    for (const e of r!.evals) {
      expect(e.std).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(e.train100)).toBe(true);
    }
    expect(Number.isFinite(r!.train100)).toBe(true);
    expect(r!.exploreMean).toBeGreaterThanOrEqual(0);
    expect(r!.finalStd).toBeGreaterThanOrEqual(0);
    // Training burns CPU in the worker; the parent's clock would read about zero.
    expect(r!.cpuSeconds).toBeGreaterThan(0.2);
    expect(r!.cpuSeconds).toBeLessThan(r!.seconds * 4 + 1);
  }, 120_000);
});
