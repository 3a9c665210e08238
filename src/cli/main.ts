/**
 * `deepq` command line: train, eval, compare, export, bench. Exit codes: 0 success,
 * 1 failure while running, 2 bad usage (a one-line message naming the flag).
 */
import type { ParseArgsConfig } from "node:util";
import { readFileSync, writeFileSync } from "node:fs";
import { DeepQError, InvalidArgumentError } from "../errors.ts";
import { DQN } from "../agent/dqn.ts";
import type { LearnEvent } from "../agent/learn-options.ts";
import { evaluate } from "../agent/evaluate.ts";
import { presets } from "../agent/presets.ts";
import { DEFAULTS, resolveOptions, type DQNOptions } from "../agent/options.ts";
import { make, registeredEnvs as envIds } from "../envs/registry.ts";
import { learningCurveSvg, seedBandSvg, type CurveSeries } from "../plot/svg.ts";
import { defaultWorkers, runPool, serveJobs } from "./pool.ts";
import { evalsCsv, mergedCsv, parseSeeds, seedPath, type SeedJob, type SeedResult } from "./seeds.ts";
import { tuneCommand, TUNE_HELP } from "./tune-command.ts";
import { tuneSeedJob, type TuneJob, type TuneEvent } from "./tune.ts";
import type { JobContext } from "./pool.ts";
import { modelToOnnx } from "../policy/onnx-export.ts";
import { ProgressReporter } from "./progress.ts";
import { renderEnv } from "./render.ts";
import { num, parse, UsageError } from "./args.ts";

const HELP: Record<string, string> = {
  main: `deepq — Deep Q-Networks for every JavaScript runtime

Usage: deepq <command> [options]

Commands:
  train [env]        train a DQN agent (default env CartPole-v1)
  eval <model>       run greedy episodes of a saved model
  compare [env]      train several network sizes and plot them on one chart
  tune [env]         search hyperparameters (successive halving over seeds, on all cores)
  export <model>     write a saved model's Q-network as ONNX (--onnx out.onnx)
  bench [filter...]  run the benchmark suite (from a source checkout of deepq only)

Run 'deepq <command> --help' for a command's options.`,
  train: `Usage: deepq train [env] [options]

  --preset              use deepq's tuned options for the env (default when no option is given)
  --config <file.json>  DQN options as JSON (SB3 names in camelCase)
  --timesteps <n>       total env steps (default: the preset's)
  --seed <n>            random seed (default 0)
  --backend <name>      auto | fused | wasm | webgpu | cpu
  --save <file>         write the trained model (e.g. model.deepq): the best-evaluated weights
  --plot <file.svg>     write the learning curve
  --csv <file>          write one line per episode: episode,timesteps,return,mean100,epsilon,loss
  --eval-csv <file>     write one line per greedy evaluation: seed,timesteps,mean,std
  --tensorboard <dir>   log SB3's scalars for TensorBoard into <dir>/DQN_<n> (tensorboard --logdir <dir>)
  --eval-freq <n>       greedy evaluation every n steps (default: the preset's, else total/10)
  --eval-episodes <n>   episodes per evaluation (default: the preset's, else 10)
  --seeds <list>        train one agent per seed, e.g. 0-9 or 0,3,7-9, in parallel; writes a model per seed
                        (--save m.deepq -> m-seed0.deepq ..., or {seed} in the name; default ENV-seed{seed}.deepq, '/' in ENV as '-'),
                        one CSV with a seed column (default ENV-seeds.csv) and one SVG of the mean greedy
                        evaluation with its min-max band across seeds (default ENV-seeds.svg)
  --workers <n>         worker threads for --seeds (default: the number of cores); results do not depend on it
  --<option> <value>    any DQN option in kebab-case, e.g. --learning-rate 1e-3 --net-arch 64,64 --double-q
  -q, --quiet           no progress output
  -h, --help`,
  eval: `Usage: deepq eval <model.deepq> [options]

  --env <id>           env to evaluate on (default: CartPole-v1)
  --episodes <n>       number of greedy episodes (default 10)
  --seed <n>           seed of the first reset
  --render             draw the cart and pole in the terminal (first episode)
  -h, --help`,
  compare: `Usage: deepq compare [env] [options]

  --net-arch <list>    a variant, e.g. --net-arch 32 --net-arch 64,64 --net-arch 128,128 (repeatable;
                       default: 32 / 64,64 / 128,128)
  --timesteps <n>      steps per variant (default: the preset's)
  --seed <n>           random seed (default 0)
  --backend <name>     auto | fused | wasm | webgpu | cpu
  --plot <file.svg>    the chart (default compare.svg)
  -h, --help`,
  tune: TUNE_HELP,
  export: `Usage: deepq export <model.deepq> --onnx <policy.onnx>

  Writes the Q-network of a deepq save file (or a safetensors MLP) as an ONNX model, opset 13:
  input "obs" float32 [batch, observationSize], output "q_values" [batch, nActions].
  --onnx <file>        the ONNX file to write
  -h, --help`,
  bench: `Usage: deepq bench [filter...]

  Runs bench/*.bench.ts (all, or those whose name contains a filter), prints a table
  and writes bench/results.json. Needs a source checkout (npm run bench).`,
};

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const OPTION_FLAGS = Object.keys(DEFAULTS).filter((k) => k !== "epsilonSchedule");

/**
 * Validates DQN options before any work starts, so a bad value is a usage
 * error (exit 2) naming the flag it came from, or the --config file.
 */
function checkOptionValues(options: DQNOptions, fromFlags: DQNOptions, configFile: string | undefined): void {
  try {
    resolveOptions(options);
  } catch (e) {
    if (!(e instanceof InvalidArgumentError)) throw e;
    const key = /^options\.(\w+)/.exec(e.argument)?.[1];
    if (key && key in fromFlags) throw new UsageError(e.message.replace(`options.${key}`, `--${kebab(key)}`));
    throw new UsageError(configFile ? `${e.message} (in ${configFile})` : e.message);
  }
}

/** DQN options given as flags (`--learning-rate 1e-3`, `--net-arch 64,64`, `--double-q`). */
function optionFlags(): ParseArgsConfig["options"] {
  const out: NonNullable<ParseArgsConfig["options"]> = {};
  for (const k of OPTION_FLAGS) {
    const def = (DEFAULTS as Record<string, unknown>)[k];
    out[kebab(k)] = { type: typeof def === "boolean" ? "boolean" : "string" };
  }
  return out;
}

function optionsFromFlags(values: Record<string, unknown>): DQNOptions {
  const o: Record<string, unknown> = {};
  for (const k of OPTION_FLAGS) {
    const v = values[kebab(k)];
    if (v === undefined) continue;
    const def = (DEFAULTS as Record<string, unknown>)[k];
    const flag = kebab(k);
    if (typeof v === "boolean") o[k] = v;
    else if (k === "netArch") o[k] = String(v).split(",").filter(Boolean).map((x) => num(flag, x)!);
    else if (k === "trainFreq") {
      const [n, unit] = String(v).split(":");
      o[k] = unit ? { n: num(flag, n), unit } : num(flag, n);
    } else if (k === "prioritizedReplay") o[k] = v === "true" ? true : v === "false" ? false : JSON.parse(String(v));
    else if (typeof def === "number" || def === undefined) o[k] = num(flag, String(v), false);
    else o[k] = v;
  }
  return o as DQNOptions;
}

async function train(args: string[]): Promise<void> {
  const { values, positionals } = parse("train", args, {
    preset: { type: "boolean" },
    config: { type: "string" },
    timesteps: { type: "string" },
    seed: { type: "string" },
    save: { type: "string" },
    plot: { type: "string" },
    csv: { type: "string" },
    "eval-csv": { type: "string" },
    tensorboard: { type: "string" },
    "eval-freq": { type: "string" },
    "eval-episodes": { type: "string" },
    seeds: { type: "string" },
    workers: { type: "string" },
    quiet: { type: "boolean", short: "q" },
    ...optionFlags(),
  });
  if (values.help) return void console.log(HELP.train);
  const envId = positionals[0] ?? "CartPole-v1";
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])} (see 'deepq train --help')`);
  if (!envIds().includes(envId)) throw new UsageError(`unknown env ${JSON.stringify(envId)}; known: ${envIds().join(", ")}`);
  const preset = presets[envId];
  const fromFile = values.config ? (JSON.parse(readFileSync(String(values.config), "utf8")) as DQNOptions) : {};
  const flags = optionsFromFlags(values);
  const usePreset = values.preset || (!values.config && Object.keys(flags).length === 0);
  if (usePreset && !preset) throw new UsageError(`--preset: no preset for ${envId}; presets exist for ${Object.keys(presets).join(", ")}`);
  const seeds = values.seeds === undefined ? undefined : parseSeeds(String(values.seeds));
  if (values.seeds !== undefined && !seeds) throw new UsageError(`--seeds must be distinct non-negative integers and ranges, e.g. 0-9 or 0,3,7-9; got ${JSON.stringify(values.seeds)}`);
  if (seeds && values.seed !== undefined) throw new UsageError("give --seed or --seeds, not both");
  const workers = num("workers", values.workers as string | undefined);
  if (workers !== undefined && (workers < 1 || !seeds)) throw new UsageError(workers < 1 ? "--workers must be at least 1" : "--workers needs --seeds");
  const seed = num("seed", values.seed as string | undefined) ?? 0;
  const tensorboardLog = values.tensorboard as string | undefined;
  const options: DQNOptions = { ...(usePreset ? preset!.options : {}), ...fromFile, ...flags, seed, ...(tensorboardLog === undefined ? {} : { tensorboardLog }) };
  checkOptionValues(options, flags, values.config as string | undefined);
  const totalTimesteps = num("timesteps", values.timesteps as string | undefined) ?? preset?.totalTimesteps ?? 100_000;
  const evalFreq = num("eval-freq", values["eval-freq"] as string | undefined) ?? (usePreset ? preset!.evaluation.freq : Math.max(1000, Math.round(totalTimesteps / 10)));
  const evalEpisodes = num("eval-episodes", values["eval-episodes"] as string | undefined) ?? (usePreset ? preset!.evaluation.nEpisodes : 10);
  const ownEval = values["eval-freq"] !== undefined || values["eval-episodes"] !== undefined;
  const rewardThreshold = usePreset && !ownEval ? preset!.evaluation.rewardThreshold : undefined;
  if (seeds) {
    // Default file names in the working folder: an id's "/" (MinAtar/Breakout-v1) must not make a path.
    const stem = envId.replaceAll("/", "-");
    const files = { save: String(values.save ?? `${stem}-seed{seed}.deepq`), csv: String(values.csv ?? `${stem}-seeds.csv`), plot: String(values.plot ?? `${stem}-seeds.svg`) };
    const jobs = seeds.map((s): SeedJob => ({ envId, options: { ...options, seed: s }, totalTimesteps, evalFreq, evalEpisodes, rewardThreshold, save: seedPath(files.save, s), tbLogName: `DQN_seed${s}` }));
    return trainSeeds(jobs, workers ?? defaultWorkers(), { ...files, evalCsv: values["eval-csv"] as string | undefined }, Boolean(values.quiet));
  }

  const { series } = await runTraining(envId, options, totalTimesteps, { evalFreq, evalEpisodes, rewardThreshold, quiet: Boolean(values.quiet), csv: values.csv as string | undefined, label: envId, save: values.save as string | undefined });
  if (values["eval-csv"]) writeFileSync(String(values["eval-csv"]), evalsCsv([{ seed, series }]));
  if (values.plot) {
    writeFileSync(String(values.plot), learningCurveSvg([series], { title: `DQN on ${envId}` }));
    console.log(`learning curve written to ${values.plot}`);
  }
  if (tensorboardLog !== undefined) console.log(`TensorBoard log written under ${tensorboardLog} (view it with: tensorboard --logdir ${tensorboardLog})`);
}

/** Runs seeds' jobs on the worker pool and writes the merged CSV and the chart across seeds. */
async function trainSeeds(jobs: SeedJob[], workers: number, files: { csv: string; plot: string; evalCsv: string | undefined }, quiet: boolean): Promise<void> {
  const { envId, totalTimesteps } = jobs[0]!;
  if (!quiet) console.error(`training ${jobs.length} seeds on ${envId} for ${totalTimesteps.toLocaleString("en-US")} steps each, on ${Math.min(workers, jobs.length)} worker threads`);
  const outcomes = await runPool<SeedJob, never, SeedResult>(new URL(import.meta.url), "train-seed", jobs, {
    workers,
    onOutcome: (i, o) => {
      const seed = jobs[i]!.options.seed;
      if (!o.ok) return console.error(`seed ${seed} failed: ${o.error}`);
      const r = o.result;
      console.log(`seed ${seed}: ${r.timesteps.toLocaleString("en-US")} steps in ${r.seconds.toFixed(1)} s; greedy evaluation: ${r.final.mean.toFixed(1)} ± ${r.final.std.toFixed(1)}; model written to ${jobs[i]!.save}`);
    },
  });
  const results = outcomes.flatMap((o) => (o?.ok ? [o.result] : []));
  writeFileSync(files.csv, mergedCsv(results));
  if (files.evalCsv) writeFileSync(files.evalCsv, evalsCsv(results));
  writeFileSync(files.plot, seedBandSvg(results.map((r) => r.series), { title: `DQN on ${envId}: ${results.length} seeds` }));
  const finals = results.map((r) => r.final.mean);
  const worst = results.reduce((a, b) => (b.final.mean < a.final.mean ? b : a), results[0]!);
  if (results.length) console.log(`${results.length} seeds: greedy evaluation mean ${(finals.reduce((a, b) => a + b, 0) / finals.length).toFixed(1)}, worst ${worst.final.mean.toFixed(1)} (seed ${worst.seed}); CSV written to ${files.csv}, chart to ${files.plot}`);
  if (results.length < jobs.length) {
    console.error(`${jobs.length - results.length} of ${jobs.length} seeds failed`);
    process.exitCode = 1;
  }
}

/** One seed's run in a pool worker: trains quietly, writes its model, returns its curve and CSV lines. */
async function trainSeedJob(job: SeedJob): Promise<SeedResult> {
  const t0 = performance.now();
  const r = await runTraining(job.envId, job.options, job.totalTimesteps, { evalFreq: job.evalFreq, evalEpisodes: job.evalEpisodes, rewardThreshold: job.rewardThreshold, quiet: true, label: `seed ${job.options.seed}`, save: job.save, tbLogName: job.tbLogName, log: () => {} });
  return { seed: job.options.seed!, series: r.series, csvRows: r.csvRows, final: r.final, timesteps: r.timesteps, seconds: (performance.now() - t0) / 1000 };
}

async function runTraining(
  envId: string,
  options: DQNOptions,
  totalTimesteps: number,
  o: { evalFreq: number; evalEpisodes: number; rewardThreshold?: number | undefined; quiet: boolean; csv?: string | undefined; label: string; save?: string | undefined; tbLogName?: string; log?: (line: string) => void },
): Promise<{ series: CurveSeries; csvRows: string[]; final: { mean: number; std: number }; timesteps: number }> {
  const log = o.log ?? console.log;
  const env = await make(envId);
  const evalEnv = await make(envId);
  const agent = await DQN.create(env, options);
  const series: CurveSeries & { episodes: { timestep: number; return: number }[]; evals: { timestep: number; mean: number; std: number }[] } = { label: o.label, episodes: [], evals: [] };
  const csv: string[] = ["episode,timesteps,return,mean100,epsilon,loss"];
  const progress = new ProgressReporter(process.stderr);
  let last: LearnEvent | undefined;
  let lastEval: { mean: number; std: number } | undefined;
  if (!o.quiet) console.error(`training ${o.label === envId ? "" : `${o.label} `}on ${envId} for ${totalTimesteps.toLocaleString("en-US")} steps (engine: ${agent.getBackend()})`);
  const t0 = performance.now();
  await learnNamingFlags(agent, {
    totalTimesteps,
    ...(o.tbLogName === undefined ? {} : { tbLogName: o.tbLogName }),
    // The model written is the best-evaluated one, as RL Zoo's best_model.
    // The preset's early stop (SB3's StopTrainingOnRewardThreshold) applies to its own evaluation schedule.
    eval: { env: evalEnv, freq: o.evalFreq, nEpisodes: o.evalEpisodes, keepBest: true, ...(o.rewardThreshold === undefined ? {} : { rewardThreshold: o.rewardThreshold }) },
    callback: (e) => {
      last = e;
      if (e.episodeReturn !== undefined) {
        series.episodes.push({ timestep: e.timesteps, return: e.episodeReturn });
        csv.push(`${e.episodes},${e.timesteps},${e.episodeReturn},${e.meanReturn100},${e.epsilon},${Number.isFinite(e.loss) ? e.loss : ""}`);
      }
      if (e.eval) {
        lastEval = e.eval;
        series.evals.push({ timestep: e.timesteps, ...e.eval });
      }
      if (!o.quiet) progress.update({ ...e, total: totalTimesteps, eval: lastEval });
    },
  });
  const secs = (performance.now() - t0) / 1000;
  if (!o.quiet && last) progress.done({ ...last, timesteps: agent.timesteps, total: totalTimesteps, eval: lastEval });
  const final = await evaluate(agent, evalEnv, { nEpisodes: o.evalEpisodes });
  log(`${o.label}: ${agent.timesteps.toLocaleString("en-US")} steps in ${secs.toFixed(1)} s; greedy evaluation: ${final.mean.toFixed(1)} ± ${final.std.toFixed(1)} over ${o.evalEpisodes} episodes`);
  if (o.csv) writeFileSync(o.csv, csv.join("\n") + "\n");
  if (o.save) {
    writeFileSync(o.save, await agent.save());
    log(`model written to ${o.save}`);
  }
  const timesteps = agent.timesteps;
  agent.dispose();
  return { series, csvRows: csv.slice(1), final: { mean: final.mean, std: final.std }, timesteps };
}

/** `agent.learn`, with a log folder that cannot be created reported as a usage error naming --tensorboard. */
async function learnNamingFlags(agent: DQN, options: Parameters<DQN["learn"]>[0]): Promise<void> {
  try {
    await agent.learn(options);
  } catch (e) {
    if (e instanceof InvalidArgumentError && e.argument === "options.tensorboardLog") throw new UsageError(e.message.replace("options.tensorboardLog", "--tensorboard"));
    throw e;
  }
}

/** The bytes of the model file a command names, or a usage error saying what is wrong. */
function readModelFile(command: string, file: string | undefined): Uint8Array {
  if (!file) throw new UsageError(`missing the model file (see 'deepq ${command} --help')`);
  try {
    return new Uint8Array(readFileSync(file));
  } catch {
    throw new UsageError(`cannot read model file ${JSON.stringify(file)}`);
  }
}

async function evalCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse("eval", args, { env: { type: "string" }, episodes: { type: "string" }, seed: { type: "string" }, render: { type: "boolean" } });
  if (values.help) return void console.log(HELP.eval);
  const file = positionals[0];
  const bytes = readModelFile("eval", file);
  const envId = (values.env as string | undefined) ?? "CartPole-v1";
  if (!envIds().includes(envId)) throw new UsageError(`--env: unknown env ${JSON.stringify(envId)}; known: ${envIds().join(", ")}`);
  const episodes = num("episodes", values.episodes as string | undefined) ?? 10;
  if (episodes < 1) throw new UsageError("--episodes must be at least 1");
  const seed = num("seed", values.seed as string | undefined);
  const env = await make(envId);
  const agent = await DQN.load(bytes);
  if (values.render) await renderEpisode(agent, envId, seed);
  const res = await evaluate(agent, env, { nEpisodes: episodes, ...(seed === undefined ? {} : { seed }) });
  console.log(`${file}: mean return ${res.mean.toFixed(1)} ± ${res.std.toFixed(1)} over ${episodes} greedy episodes (min ${Math.min(...res.returns)}, max ${Math.max(...res.returns)})`);
  agent.dispose();
}

async function renderEpisode(agent: DQN, envId: string, seed: number | undefined): Promise<void> {
  const env = await make(envId);
  let { observation } = env.reset(seed === undefined ? {} : { seed });
  const tty = process.stdout.isTTY;
  let total = 0;
  for (let t = 1; ; t++) {
    const r = env.step(agent.predict(observation));
    total += r.reward;
    const frame = `${renderEnv(envId, (env as unknown as { state: Float64Array }).state)}  step ${t}  return ${total}`;
    if (tty) {
      process.stdout.write(`\x1b[H\x1b[2J${frame}\n`);
      await new Promise((res) => setTimeout(res, 20));
    } else if (t % 50 === 1 || r.terminated || r.truncated) console.log(frame);
    if (r.terminated || r.truncated) break;
    observation = r.observation;
  }
}

async function compare(args: string[]): Promise<void> {
  const { values, positionals } = parse("compare", args, {
    "net-arch": { type: "string", multiple: true },
    timesteps: { type: "string" },
    seed: { type: "string" },
    backend: { type: "string" },
    plot: { type: "string" },
    quiet: { type: "boolean", short: "q" },
  });
  if (values.help) return void console.log(HELP.compare);
  const envId = positionals[0] ?? "CartPole-v1";
  if (!envIds().includes(envId)) throw new UsageError(`unknown env ${JSON.stringify(envId)}; known: ${envIds().join(", ")}`);
  const preset = presets[envId];
  const archs = ((values["net-arch"] as string[] | undefined) ?? ["32", "64,64", "128,128"]).map((a) => a.split(",").filter(Boolean).map((x) => num("net-arch", x)!));
  const totalTimesteps = num("timesteps", values.timesteps as string | undefined) ?? preset?.totalTimesteps ?? 50_000;
  const seed = num("seed", values.seed as string | undefined) ?? 0;
  const base: DQNOptions = { ...(preset?.options ?? {}), seed, ...(values.backend ? { backend: values.backend as DQNOptions["backend"] } : {}) };
  for (const netArch of archs) checkOptionValues({ ...base, netArch }, { netArch, ...(values.backend ? { backend: base.backend } : {}) }, undefined);
  const all: CurveSeries[] = [];
  for (const arch of archs) {
    const label = `netArch [${arch.join(", ")}]`;
    all.push((await runTraining(envId, { ...base, netArch: arch }, totalTimesteps, { evalFreq: Math.max(1000, Math.round(totalTimesteps / 10)), evalEpisodes: 10, quiet: Boolean(values.quiet), label })).series);
  }
  const plot = (values.plot as string | undefined) ?? "compare.svg";
  writeFileSync(plot, learningCurveSvg(all, { title: `DQN on ${envId}: network sizes` }));
  console.log(`comparison chart written to ${plot}`);
}

async function exportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse("export", args, { onnx: { type: "string" } });
  if (values.help) return void console.log(HELP.export);
  const [file] = positionals;
  const out = values.onnx as string | undefined;
  if (file !== undefined && !out) throw new UsageError("--onnx <file> is required: where to write the ONNX model");
  const bytes = readModelFile("export", file); // throws without a file, so out is set below
  const m = await modelToOnnx(bytes);
  writeFileSync(out!, m.onnx);
  const conv = m.conv.map((c) => `${c.filters} ${c.kernel}x${c.kernel}/${c.stride} ${c.padding}`).join(", ");
  console.log(`${out}: ONNX opset ${m.opset}, obs [batch, ${m.observationSize}] -> q_values [batch, ${m.nActions}] (${conv ? `conv [${conv}], ` : ""}netArch [${m.netArch.join(", ")}]${m.dueling ? ", dueling" : ""})`);
}

async function bench(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) return void console.log(HELP.bench);
  const { spawnSync } = await import("node:child_process");
  const { existsSync } = await import("node:fs");
  // From src/cli/ (sources) or dist/ (the built command), bench/ is in the checkout's root.
  const runner = [new URL("../../bench/run.ts", import.meta.url), new URL("../bench/run.ts", import.meta.url)].find((u) => existsSync(u));
  if (!runner) throw new UsageError("bench needs a source checkout of deepq (bench/ is not shipped in the package)");
  const r = spawnSync(process.execPath, ["--import", "tsx", runner.pathname, ...args], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "train":
        await train(rest);
        break;
      case "eval":
        await evalCommand(rest);
        break;
      case "compare":
        await compare(rest);
        break;
      case "tune":
        await tuneCommand(rest, new URL(import.meta.url));
        break;
      case "export":
        await exportCommand(rest);
        break;
      case "bench":
        await bench(rest);
        break;
      case undefined:
      case "-h":
      case "--help":
      case "help":
        console.log(HELP.main);
        break;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}; commands: train, eval, compare, tune, export, bench`);
    }
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof UsageError || e instanceof DeepQError) {
      console.error(`deepq: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}

// The CLI's pool workers (train --seeds, tune) load this module too: there it serves jobs instead.
serveJobs({ "train-seed": (job) => trainSeedJob(job as SeedJob), "tune-seed": (job, ctx) => tuneSeedJob(job as TuneJob, ctx as JobContext<TuneEvent>) });
