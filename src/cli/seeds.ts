/**
 * `deepq train ENV --seeds 0-9 --workers N`: one training run per seed on
 * the worker pool, then one CSV with a seed column and one chart of the
 * mean greedy evaluation across seeds with its min-max band. Each run is
 * deterministic in its seed alone (its own agent, env and WASM memory), so
 * the files are the same whatever the number of workers.
 */
import type { DQNOptions } from "../agent/options.ts";
import type { CurveSeries } from "../plot/svg.ts";

/** One seed's training run, as a pool job. */
export interface SeedJob {
  envId: string;
  options: DQNOptions;
  totalTimesteps: number;
  evalFreq: number;
  evalEpisodes: number;
  /** The preset's early stop, if it applies. */
  rewardThreshold: number | undefined;
  /** Where the model goes (undefined: not written). */
  save: string | undefined;
  /** The TensorBoard run name (one folder per seed, so TensorBoard overlays the seeds). */
  tbLogName: string;
}

/** What a seed's run sends back. */
export interface SeedResult {
  seed: number;
  series: CurveSeries;
  /** The run's CSV lines without the header (episode,timesteps,return,mean100,epsilon,loss). */
  csvRows: string[];
  /** Greedy evaluation of the model written. */
  final: { mean: number; std: number };
  timesteps: number;
  seconds: number;
}

/** Seeds from "0-9", "3" or "0-4,10,12-13": distinct non-negative integers in the order given, or undefined. */
export function parseSeeds(spec: string): number[] | undefined {
  const seeds: number[] = [];
  for (const part of spec.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return undefined;
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a || b - a > 100_000) return undefined;
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  return seeds.length && new Set(seeds).size === seeds.length && seeds.every(Number.isSafeInteger) ? seeds : undefined;
}

/** The model file of one seed: `{seed}` in `template` replaced, else `-seed<n>` before the extension. */
export function seedPath(template: string, seed: number): string {
  if (template.includes("{seed}")) return template.replaceAll("{seed}", String(seed));
  const dot = template.lastIndexOf(".");
  return dot > template.lastIndexOf("/") && dot > 0 ? `${template.slice(0, dot)}-seed${seed}${template.slice(dot)}` : `${template}-seed${seed}`;
}

/** One CSV for all seeds, in seed order: the single run's columns after a seed column. */
export function mergedCsv(results: readonly SeedResult[]): string {
  const lines = ["seed,episode,timesteps,return,mean100,epsilon,loss"];
  for (const r of [...results].sort((a, b) => a.seed - b.seed)) for (const row of r.csvRows) lines.push(`${r.seed},${row}`);
  return lines.join("\n") + "\n";
}

/** The greedy evaluations of runs, in seed order: seed,timesteps,mean,std (what `tune --collect` reads). */
export function evalsCsv(results: readonly Pick<SeedResult, "seed" | "series">[]): string {
  const lines = ["seed,timesteps,mean,std"];
  for (const r of [...results].sort((a, b) => a.seed - b.seed)) for (const e of r.series.evals ?? []) lines.push(`${r.seed},${e.timestep},${e.mean},${e.std}`);
  return lines.join("\n") + "\n";
}
