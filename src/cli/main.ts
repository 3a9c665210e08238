/**
 * `deepq` command line: train, eval, compare, bench. Exit codes: 0 success,
 * 1 failure while running, 2 bad usage (a one-line message naming the flag).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { readFileSync, writeFileSync } from "node:fs";
import { DeepQError, InvalidArgumentError } from "../errors.ts";
import { DQN, type LearnEvent } from "../agent/dqn.ts";
import { evaluate } from "../agent/evaluate.ts";
import { presets } from "../agent/presets.ts";
import { DEFAULTS, resolveOptions, type DQNOptions } from "../agent/options.ts";
import { make, registeredEnvs as envIds } from "../envs/registry.ts";
import { learningCurveSvg, type CurveSeries } from "../plot/svg.ts";
import { ProgressReporter } from "./progress.ts";
import { renderEnv } from "./render.ts";

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `deepq — Deep Q-Networks for every JavaScript runtime

Usage: deepq <command> [options]

Commands:
  train [env]        train a DQN agent (default env CartPole-v1)
  eval <model>       run greedy episodes of a saved model
  compare [env]      train several network sizes and plot them on one chart
  bench [filter...]  run the benchmark suite

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
  --eval-freq <n>       greedy evaluation every n steps (default: the preset's, else total/10)
  --eval-episodes <n>   episodes per evaluation (default 10)
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
  bench: `Usage: deepq bench [filter...]

  Runs bench/*.bench.ts (all, or those whose name contains a filter), prints a table
  and writes bench/results.json. Needs a source checkout (npm run bench).`,
};

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const OPTION_FLAGS = Object.keys(DEFAULTS).filter((k) => k !== "epsilonSchedule");

function num(flag: string, v: string | undefined, integer = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag} must be ${integer ? "an integer" : "a number"}; got ${JSON.stringify(v)}`);
  return n;
}

function parse(command: string, args: string[], options: ParseArgsConfig["options"]) {
  try {
    const r = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(`${parseArgsMessage(e as Error & { code?: string })} (see 'deepq ${command} --help')`);
  }
}

/** node:util parseArgs errors, reworded to name the flag in one line. */
function parseArgsMessage(e: Error & { code?: string }): string {
  const flag = /'(-[^' ]+)/.exec(e.message)?.[1];
  if (flag && e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown flag ${flag}`;
  if (flag && e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return /ambiguous/.test(e.message) ? `${flag} needs a value; write one starting with "-" as ${flag}=-1` : `${flag} needs a value`;
  }
  return e.message.split("\n")[0]!;
}

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
    "eval-freq": { type: "string" },
    "eval-episodes": { type: "string" },
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
  const seed = num("seed", values.seed as string | undefined) ?? 0;
  const options: DQNOptions = { ...(usePreset ? preset!.options : {}), ...fromFile, ...flags, seed };
  checkOptionValues(options, flags, values.config as string | undefined);
  const totalTimesteps = num("timesteps", values.timesteps as string | undefined) ?? preset?.totalTimesteps ?? 100_000;
  const evalFreq = num("eval-freq", values["eval-freq"] as string | undefined) ?? (usePreset ? preset!.evaluation.freq : Math.max(1000, Math.round(totalTimesteps / 10)));
  const evalEpisodes = num("eval-episodes", values["eval-episodes"] as string | undefined) ?? 10;

  const series = await runTraining(envId, options, totalTimesteps, { evalFreq, evalEpisodes, quiet: Boolean(values.quiet), csv: values.csv as string | undefined, label: envId, save: values.save as string | undefined });
  if (values.plot) {
    writeFileSync(String(values.plot), learningCurveSvg([series], { title: `DQN on ${envId}` }));
    console.log(`learning curve written to ${values.plot}`);
  }
}

async function runTraining(
  envId: string,
  options: DQNOptions,
  totalTimesteps: number,
  o: { evalFreq: number; evalEpisodes: number; quiet: boolean; csv?: string | undefined; label: string; save?: string | undefined },
): Promise<CurveSeries> {
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
  await agent.learn({
    totalTimesteps,
    // The model written is the best-evaluated one, as RL Zoo's best_model.
    eval: { env: evalEnv, freq: o.evalFreq, nEpisodes: o.evalEpisodes, keepBest: true },
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
  console.log(`${o.label}: ${agent.timesteps.toLocaleString("en-US")} steps in ${secs.toFixed(1)} s; greedy evaluation: ${final.mean.toFixed(1)} ± ${final.std.toFixed(1)} over ${o.evalEpisodes} episodes`);
  if (o.csv) writeFileSync(o.csv, csv.join("\n") + "\n");
  if (o.save) {
    writeFileSync(o.save, await agent.save());
    console.log(`model written to ${o.save}`);
  }
  agent.dispose();
  return series;
}

async function evalCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse("eval", args, { env: { type: "string" }, episodes: { type: "string" }, seed: { type: "string" }, render: { type: "boolean" } });
  if (values.help) return void console.log(HELP.eval);
  const file = positionals[0];
  if (!file) throw new UsageError("missing the model file (see 'deepq eval --help')");
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch {
    throw new UsageError(`cannot read model file ${JSON.stringify(file)}`);
  }
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
    all.push(await runTraining(envId, { ...base, netArch: arch }, totalTimesteps, { evalFreq: Math.max(1000, Math.round(totalTimesteps / 10)), evalEpisodes: 10, quiet: Boolean(values.quiet), label }));
  }
  const plot = (values.plot as string | undefined) ?? "compare.svg";
  writeFileSync(plot, learningCurveSvg(all, { title: `DQN on ${envId}: network sizes` }));
  console.log(`comparison chart written to ${plot}`);
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
        throw new UsageError(`unknown command ${JSON.stringify(command)}; commands: train, eval, compare, bench`);
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
