/**
 * `deepq tune`'s command line: reads the flags, samples the trials, then runs
 * the study on the worker pool, prints its trials as command lines, or
 * collects the results of those commands (src/cli/tune.ts).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { presets } from "../agent/presets.ts";
import type { DQNOptions } from "../agent/options.ts";
import { registeredEnvs } from "../envs/registry.ts";
import { num, parse, UsageError } from "./args.ts";
import { defaultWorkers } from "./pool.ts";
import { DEFAULT_SPACE, SOBOL_MAX_DIMENSIONS, sampleTrials, spaceProblem, type SearchSpace } from "./search-space.ts";
import { parseSeeds } from "./seeds.ts";
import { collectStudy, prepareDir, rungsFor, runStudy, trialCommands, writeResults, type StudySettings } from "./tune.ts";

export const TUNE_HELP = `Usage: deepq tune [env] [options]

  Hyperparameter search: samples --trials option sets from a search space, trains each on
  --seeds for up to --budget steps with successive halving (ASHA: at each rung, a trial goes on
  only in the top 1/eta of the scores seen there), ranks them, and writes the best options as
  a JSON file that 'deepq train --config' takes.

  --trials <n>          trials to sample (default 64)
  --budget <steps>      env steps per seed of a completed trial (default: the preset's)
  --seeds <list>        seeds each trial is scored on, e.g. 0-2 (default 0-2)
  --workers <n>         worker threads (default: the number of cores)
  --space <file.json>   search space, e.g. {"learningRate": {"log": [1e-4, 3e-3]},
                        "batchSize": {"choice": [32, 64]}, "gamma": {"uniform": [0.98, 0.999]},
                        "learningStarts": {"int": [0, 5000]}} (default: DQN's usual knobs)
  --sampler <name>      sobol (default) or random
  --seed <n>            the sampler's seed (random sampler; default 0)
  --eta <n>             halving rate (default 3)
  --rungs <n>           evaluations that can prune, the last one included (default 3)
  --eval-episodes <n>   greedy episodes per evaluation (default 10)
  --tensorboard <dir>   log each trial's seeds for TensorBoard into <dir>/trial<t>_seed<s>_1
  --out <dir>           where trials.jsonl, results.json, best.json go (default tune-ENV)
  --print-commands      print one 'deepq train' command per trial (full budget, no pruning),
                        for a scheduler to run anywhere; they write into --out
  --collect <dir>       rank the results those commands wrote into <dir>
  -h, --help`;

/** Runs `deepq tune`; `module` is the CLI's module, which the pool's workers load. */
export async function tuneCommand(args: string[], module: URL): Promise<void> {
  const { values, positionals } = parse("tune", args, {
    trials: { type: "string" },
    budget: { type: "string" },
    seeds: { type: "string" },
    workers: { type: "string" },
    space: { type: "string" },
    sampler: { type: "string" },
    seed: { type: "string" },
    eta: { type: "string" },
    rungs: { type: "string" },
    "eval-episodes": { type: "string" },
    out: { type: "string" },
    tensorboard: { type: "string" },
    "print-commands": { type: "boolean" },
    collect: { type: "string" },
  });
  if (values.help) return void console.log(TUNE_HELP);
  if (values.collect !== undefined) return collect(String(values.collect));

  const envId = positionals[0] ?? "CartPole-v1";
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])} (see 'deepq tune --help')`);
  if (!registeredEnvs().includes(envId)) throw new UsageError(`unknown env ${JSON.stringify(envId)}; known: ${registeredEnvs().join(", ")}`);
  const preset = presets[envId];
  const atLeast = (flag: string, v: number | undefined, min: number) => {
    if (v !== undefined && v < min) throw new UsageError(`--${flag} must be at least ${min}; got ${v}`);
    return v;
  };
  const nTrials = atLeast("trials", num("trials", values.trials as string | undefined), 1) ?? 64;
  const budget = atLeast("budget", num("budget", values.budget as string | undefined), 1) ?? preset?.totalTimesteps ?? 100_000;
  const workers = atLeast("workers", num("workers", values.workers as string | undefined), 1) ?? defaultWorkers();
  const eta = atLeast("eta", num("eta", values.eta as string | undefined), 2) ?? 3;
  const nRungs = atLeast("rungs", num("rungs", values.rungs as string | undefined), 1) ?? 3;
  const evalEpisodes = atLeast("eval-episodes", num("eval-episodes", values["eval-episodes"] as string | undefined), 1) ?? 10;
  const samplerSeed = atLeast("seed", num("seed", values.seed as string | undefined), 0) ?? 0;
  const seeds = parseSeeds(String(values.seeds ?? "0-2"));
  if (!seeds) throw new UsageError(`--seeds must be distinct non-negative integers and ranges, e.g. 0-2; got ${JSON.stringify(values.seeds)}`);
  const sampler = String(values.sampler ?? "sobol");
  if (sampler !== "sobol" && sampler !== "random") throw new UsageError(`--sampler must be sobol or random; got ${JSON.stringify(sampler)}`);
  const space = readSpace(values.space as string | undefined);
  if (sampler === "sobol" && Object.keys(space).length > SOBOL_MAX_DIMENSIONS) throw new UsageError(`--sampler sobol handles at most ${SOBOL_MAX_DIMENSIONS} options; use --sampler random`);
  const { evalFreq, rungs } = rungsFor(budget, eta, nRungs);
  const base: DQNOptions = preset ? { ...preset.options } : {};
  const settings: StudySettings = { envId, base, trials: sampleTrials(space, nTrials, sampler, samplerSeed), seeds, budget, evalFreq, evalEpisodes, eta, rungs };
  const out = String(values.out ?? `tune-${envId}`);
  try {
    prepareDir(out, settings);
  } catch (e) {
    throw new UsageError(`--out: ${(e as Error).message}`);
  }
  if (values.tensorboard !== undefined) {
    try {
      mkdirSync(String(values.tensorboard), { recursive: true });
    } catch (e) {
      throw new UsageError(`--tensorboard: cannot create ${values.tensorboard} (${(e as Error).message})`);
    }
  }

  if (values["print-commands"]) return void console.log(trialCommands(out, settings).join("\n"));

  console.error(`tuning ${envId}: ${nTrials} trials x ${seeds.length} seeds, up to ${budget.toLocaleString("en-US")} steps each, rungs at ${rungs.join(", ")} steps (eta ${eta}), on ${Math.min(workers, nTrials * seeds.length)} worker threads; results in ${out}`);
  const controller = new AbortController();
  const interrupt = () => {
    console.error("interrupted: stopping the running trials; finished trials are in trials.jsonl");
    controller.abort();
  };
  process.once("SIGINT", interrupt);
  try {
    const records = await runStudy(module, out, settings, {
      workers,
      signal: controller.signal,
      tensorboard: values.tensorboard as string | undefined,
      onTrial: (r) => console.error(`trial ${r.trial}: ${r.status}${r.score === null ? "" : `, score ${r.score.toFixed(1)}`}${r.error ? ` (${r.error})` : ""}`),
    });
    report(out, settings, records);
  } finally {
    process.removeListener("SIGINT", interrupt);
  }
  if (controller.signal.aborted) process.exitCode = 130;
}

function readSpace(file: string | undefined): SearchSpace {
  if (file === undefined) return DEFAULT_SPACE;
  let space: unknown;
  try {
    space = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`--space: cannot read ${file} as JSON (${(e as Error).message})`);
  }
  const problem = spaceProblem(space);
  if (problem) throw new UsageError(`--space ${file}: ${problem}`);
  return space as SearchSpace;
}

function collect(dir: string): void {
  let collected: ReturnType<typeof collectStudy>;
  try {
    collected = collectStudy(dir);
  } catch (e) {
    throw new UsageError(`--collect: ${dir} holds no study written by 'deepq tune --print-commands' (${(e as Error).message})`);
  }
  report(dir, collected.settings, collected.records);
}

function report(dir: string, settings: StudySettings, records: Parameters<typeof writeResults>[2]): void {
  const { table, best } = writeResults(dir, settings, records);
  console.log(table);
  if (!best) {
    console.log("no trial completed");
    process.exitCode = 1;
    return;
  }
  console.log(`best: trial ${best.trial}, score ${best.score!.toFixed(1)}; options written to ${join(dir, "best.json")} (deepq train ${settings.envId} --config ${join(dir, "best.json")})`);
}
