/**
 * `npm run bench -- minatar`: `presets["MinAtar/Breakout-v1"]` trained for
 * its 1M steps on seeds 0-4, one seed per worker process (bench/preset-study.ts's
 * pool, as many workers as cores), against MinAtar's published DQN at the
 * same number of frames. Not part of `npm run bench` or `--readme`
 * (harness.ts's NAMED_ONLY): CPU hours.
 *
 * Per seed: the final weights' greedy mean over 100 episodes of a fresh env
 * (a greedy Breakout return varies by about 2-5 between episodes, so 100 of
 * them put a seed's mean within about 0.5, against about 1 for 20); the same
 * for the best-evaluated weights (what keepBest ends with); the mean of the
 * last 100 training episodes (exploring at the preset's final epsilon), the
 * measure MinAtar's curves plot at their epsilon 0.1; the final weights'
 * mean over the same 100 episodes acting at MinAtar's epsilon 0.1; wall and
 * CPU seconds of training. The 15-minute budget is a
 * seed's CPU time, its time on one core: wall time on a shared machine
 * measures the neighbours too. Rows and targets: bench/minatar-readme.ts.
 *
 * Writes bench/minatar-results.json (with the machine, date and commit),
 * docs/minatar-breakout.svg and README.md's MinAtar block.
 *
 * A shortened run, e.g. to try the suite (its block says it is one):
 *   MINATAR_STEPS=20000 MINATAR_SEEDS=0-1 npm run bench -- minatar
 * MINATAR_WORKERS sets the pool size.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { presets } from "../src/index.ts";
import type { BenchRow } from "./harness.ts";
import { jsRuntime, runMeta } from "./meta.ts";
import { ENV_ID, FULL, MINATAR_EPS, MINATAR_RESULTS, minatarRows, writeMinatarReadme, type MinatarResults } from "./minatar-readme.ts";
import { parseSeeds, runStudy } from "./preset-study.ts";

const FINAL_EPISODES = 100;

/** A positive integer from the environment variable `name`, or `fallback` when it is unset. */
function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer; got ${JSON.stringify(raw)}`);
  return v;
}

function envSeeds(): number[] {
  const raw = process.env.MINATAR_SEEDS;
  if (raw === undefined || raw === "") return FULL.seeds;
  const seeds = parseSeeds(raw);
  if (!seeds.every((s) => Number.isInteger(s) && s >= 0) || new Set(seeds).size !== seeds.length) {
    throw new Error(`MINATAR_SEEDS must be distinct non-negative integers and ranges, e.g. 0-4 or 0,3; got ${JSON.stringify(raw)}`);
  }
  return seeds;
}

export default async function (): Promise<BenchRow[]> {
  const steps = envInt("MINATAR_STEPS", FULL.steps);
  const seeds = envSeeds();
  const workers = Math.min(envInt("MINATAR_WORKERS", cpus().length), seeds.length);
  const preset = presets[ENV_ID]!;
  // At least 10 points on a shortened run's curve; the preset's own schedule on the full one.
  const evaluation = { freq: Math.min(preset.evaluation.freq, Math.max(1, Math.floor(steps / 10))), nEpisodes: preset.evaluation.nEpisodes };
  const overrides = ["MINATAR_STEPS", "MINATAR_SEEDS", "MINATAR_WORKERS"].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `);
  // Before the run writes README.md: whether the commit's tracked files were as committed.
  const meta = runMeta();
  const started = performance.now();
  console.error(`minatar: ${seeds.length} seeds x ${steps.toLocaleString("en-US")} steps on ${workers} worker processes`);
  const runs = await runStudy(ENV_ID, seeds, workers, 1, evaluation.freq, { totalTimesteps: steps, finalEpisodes: FINAL_EPISODES, exploreEps: MINATAR_EPS }, (r) =>
    console.error(`minatar: seed ${r.seed}: final greedy ${r.finalMean.toFixed(2)}, last 100 training episodes ${r.train100.toFixed(2)}, at eps ${MINATAR_EPS} ${r.exploreMean?.toFixed(2)}, ${(r.cpuSeconds / 60).toFixed(1)} CPU min, ${(r.seconds / 60).toFixed(1)} wall min`),
  );
  const results: MinatarResults = {
    ...meta,
    command: `${overrides.join("")}npm run bench -- minatar`,
    runtimes: jsRuntime(),
    envId: ENV_ID,
    steps,
    seeds,
    workers,
    evaluation,
    finalEpisodes: FINAL_EPISODES,
    trainEps: preset.options.explorationFinalEps!,
    seconds: Math.round((performance.now() - started) / 1000),
    runs: runs
      .sort((a, b) => a.seed - b.seed)
      .map((r) => ({
        seed: r.seed,
        steps: r.steps,
        finalMean: r.finalMean,
        finalStd: r.finalStd,
        bestMean: r.bestMean,
        train100: r.train100,
        exploreMean: r.exploreMean,
        seconds: r.seconds,
        cpuSeconds: r.cpuSeconds,
        evals: r.evals.map((e) => ({ t: e.t, mean: e.mean, std: e.std, train100: e.train100 })),
      })),
  };
  writeFileSync(MINATAR_RESULTS, JSON.stringify(results, null, 2) + "\n");
  writeMinatarReadme();
  console.error(`minatar: wrote ${MINATAR_RESULTS}, docs/minatar-breakout.svg and README.md's MinAtar block`);
  return minatarRows(results.runs, steps, FINAL_EPISODES, results.trainEps);
}
