/**
 * The preset study: trains a preset (or a variant of it) on many seeds in
 * parallel worker processes and records, per seed, what explains a solve
 * or a collapse. Used to choose the presets' options; `bench/preset.bench.ts`
 * runs the chosen ones.
 *
 *   node --import tsx bench/preset-study.ts [--env CartPole-v1] [--seeds 0-19]
 *     [--workers 2] [--scale 1] [--eval-freq n] [--variant '{"bufferSize":100000}'] [--out file.jsonl]
 *
 * `--scale k` trains for k times the preset's totalTimesteps (schedules span
 * the whole budget, as `learn` makes them). `--variant` overrides options;
 * `"learningRate": [start, end]` stands for a linear schedule over the run.
 * Every evaluation (the preset's, greedy, keepBest off) records:
 * - `q0`: the largest Q-value at the eval env's first observation, beside the
 *   discounted return a 500-step episode is worth (about 99.3 at gamma 0.99):
 *   Q-value overestimation shows as q0 far above it;
 * - `failFrac`: the share of the replay buffer's window (its last bufferSize
 *   steps) that ended an episode by failure: near 0 when the buffer has lost
 *   the early, failing data;
 * - `loss` and `lr`;
 * - `train100`: the mean return of the last 100 training episodes (exploring),
 *   the measure of MinAtar's published curves.
 * Per seed also: wall and CPU seconds of training (the worker's
 * process.cpuUsage: one seed's time on one core, whatever else the machine runs).
 * Each seed's result is one JSON line; the parent prints a summary.
 */
import { fork } from "node:child_process";
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import "../test/support/relaxed-simd.ts";
import { DQN, evaluate, make, presets, type DQNOptions } from "../src/index.ts";
import type { Predictor } from "../src/agent/evaluate.ts";
import { Rng } from "../src/runtime/rng.ts";
import { registeredEnvs } from "../src/envs/registry.ts";

interface EvalPoint {
  t: number;
  seconds: number;
  mean: number;
  std: number;
  train100: number;
  q0: number;
  failFrac: number;
  loss: number;
  lr: number;
}

export interface StudySeed {
  seed: number;
  steps: number;
  evals: EvalPoint[];
  firstSolve: { steps: number; seconds: number } | null;
  /** Greedy mean over fresh episodes (20 unless the variant's finalEpisodes) of the final weights. */
  finalMean: number;
  /** Their standard deviation. */
  finalStd: number;
  /** Mean return of the last 100 training episodes. */
  train100: number;
  /** The final weights' mean over the same fresh episodes acting at epsilon `exploreEps` (null without it). */
  exploreMean: number | null;
  /** The same for the best-evaluated weights (what keepBest ends with). */
  bestMean: number;
  /** The same for the weights at the first solving evaluation (what an early stop ends with). */
  stopMean: number | null;
  /** Wall seconds of training (periodic evaluations included). */
  seconds: number;
  /** CPU seconds (user + system) of the worker process over the same span. */
  cpuSeconds: number;
}

/** Env thresholds (Gymnasium's reward_threshold). */
export const THRESHOLDS: Record<string, number> = { "CartPole-v1": 475, "Acrobot-v1": -100, "MountainCar-v0": -110 };

/** Seeds as "0-4" or "0,3,7-9". */
export function parseSeeds(s: string): number[] {
  return s.split(",").flatMap((part) => {
    const [a, b] = part.split("-").map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}

/** Variant keys that are not DQN options: the budget, the evaluations' episodes and early stop. */
interface RunKeys {
  totalTimesteps?: number;
  evalEpisodes?: number;
  /** Greedy episodes of the final evaluations (default 20). */
  finalEpisodes?: number;
  /** Stop at the env's threshold (learn's eval.rewardThreshold); false: no early stop even where the preset has one. */
  stop?: boolean;
  /** Stop at this evaluation mean instead (default: the preset's evaluation.rewardThreshold). */
  stopAt?: number;
  /** Also evaluate the final weights epsilon-greedy at this epsilon (StudySeed.exploreMean). */
  exploreEps?: number;
}

/** learn's eval.rewardThreshold for a variant. */
function stopAt(keys: RunKeys, presetStop: number | undefined, threshold: number): { rewardThreshold?: number } {
  if (keys.stop === false) return {};
  const at = keys.stopAt ?? (keys.stop ? threshold : presetStop);
  return at === undefined ? {} : { rewardThreshold: at };
}

/** A variant's options: `learningRate: [start, end]` becomes a linear schedule. */
function variantOptions(base: DQNOptions, variant: Record<string, unknown>): DQNOptions {
  const { totalTimesteps: _t, evalEpisodes: _e, finalEpisodes: _f, stop: _s, stopAt: _a, exploreEps: _x, ...rest } = variant;
  const o: Record<string, unknown> = { ...base, ...rest };
  const lr = variant.learningRate;
  if (Array.isArray(lr)) {
    const [start, end] = lr as [number, number];
    o.learningRate = (p: number) => end + (start - end) * p;
  }
  return o as DQNOptions;
}

/** Greedy mean return over `n` episodes, run synchronously (so it can run inside `learn`'s callback). */
function greedyMean(agent: DQN, env: Awaited<ReturnType<typeof make>>, n: number, seed: number): number {
  let total = 0;
  for (let ep = 0; ep < n; ep++) {
    let obs = env.reset(ep === 0 ? { seed } : {}).observation;
    for (;;) {
      const r = env.step(agent.predict(obs));
      total += r.reward;
      if (r.terminated || r.truncated) break;
      obs = r.observation;
    }
  }
  return total / n;
}

/** `agent` acting at epsilon `eps`: a uniform random action with probability eps, else greedy. */
function epsilonGreedy(agent: DQN, eps: number, seed: number): Predictor {
  const rng = new Rng(3000 + seed);
  return { predict: (obs) => (rng.nextDouble() < eps ? rng.int(agent.nActions) : agent.predict(obs)) };
}

async function runSeed(envId: string, seed: number, scale: number, evalFreq: number | undefined, variant: Record<string, unknown>): Promise<StudySeed> {
  const preset = presets[envId]!;
  const threshold = THRESHOLDS[envId]!;
  const options = variantOptions(preset.options, variant);
  const keys = variant as RunKeys;
  const total = (keys.totalTimesteps ?? preset.totalTimesteps) * scale;
  const env = await make(envId);
  const evalEnv = await make(envId);
  const agent = await DQN.create(env, { ...options, seed, backend: "fused" });
  const bufferSize = agent.options.bufferSize;
  const lrOf = (t: number) => (typeof agent.options.learningRate === "number" ? agent.options.learningRate : agent.options.learningRate(Math.max(0, 1 - t / total)));
  // Episode ends by failure, as the timestep they happened at, to measure the buffer's window.
  const failures: number[] = [];
  const evals: EvalPoint[] = [];
  let firstSolve: StudySeed["firstSolve"] = null;
  const q0Env = await make(envId);
  const stopEnv = await make(envId);
  let stopMean: number | null = null;
  // The fused engine's weights, read synchronously at each new best evaluation (as keepBest does).
  const engine = (agent as unknown as { engine: { net: { getParams(): Float32Array }; setParams(p: Float32Array, role: "online"): void } }).engine;
  let best: { mean: number; params: Float32Array } | undefined;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let train100 = NaN;
  await agent.learn({
    totalTimesteps: total,
    eval: {
      env: evalEnv,
      freq: evalFreq ?? preset.evaluation.freq,
      nEpisodes: keys.evalEpisodes ?? preset.evaluation.nEpisodes,
      keepBest: false,
      ...stopAt(keys, preset.evaluation.rewardThreshold, threshold),
    },
    callback: (e) => {
      train100 = e.meanReturn100;
      if (e.episodeReturn !== undefined && e.episodeReturn < 500 && envId.startsWith("CartPole")) failures.push(e.timesteps);
      if (!e.eval) return;
      const seconds = (performance.now() - start) / 1000;
      while (failures.length && failures[0]! <= e.timesteps - bufferSize) failures.shift();
      const first = q0Env.reset({ seed: 10_000 + seed }).observation;
      const q0 = Math.max(...agent.qValues(first));
      evals.push({ t: e.timesteps, seconds, mean: e.eval.mean, std: e.eval.std, train100: e.meanReturn100, q0, failFrac: failures.length / Math.min(bufferSize, e.timesteps), loss: e.loss, lr: lrOf(e.timesteps) });
      if (!firstSolve && e.eval.mean >= threshold) {
        firstSolve = { steps: e.timesteps, seconds };
        stopMean = greedyMean(agent, stopEnv, 20, 2000 + seed);
      }
      if (!best || e.eval.mean > best.mean) best = { mean: e.eval.mean, params: engine.net.getParams().slice() };
    },
  });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const nEpisodes = keys.finalEpisodes ?? 20;
  const final = await evaluate(agent, await make(envId), { nEpisodes, seed: 1000 + seed });
  const exploreMean = keys.exploreEps === undefined ? null : (await evaluate(epsilonGreedy(agent, keys.exploreEps, seed), await make(envId), { nEpisodes, seed: 1000 + seed })).mean;
  let bestMean = final.mean;
  if (best && best.mean > (evals.at(-1)?.mean ?? -Infinity)) {
    engine.setParams(best.params, "online");
    bestMean = (await evaluate(agent, await make(envId), { nEpisodes, seed: 1000 + seed })).mean;
  }
  agent.dispose();
  return { seed, steps: agent.timesteps, evals, firstSolve, finalMean: final.mean, finalStd: final.std, train100, exploreMean, bestMean, stopMean, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** One line per seed and the acceptance summary. */
export function summarize(envId: string, runs: StudySeed[]): string {
  const threshold = THRESHOLDS[envId]!;
  const lines = runs
    .sort((a, b) => a.seed - b.seed)
    .map((r) => {
      const peakQ = Math.max(...r.evals.map((e) => e.q0));
      const lastFail = r.evals.at(-1)?.failFrac ?? NaN;
      const solved = r.firstSolve ? `${r.firstSolve.steps} (${r.firstSolve.seconds.toFixed(1)} s)` : "never";
      const curve = r.evals.filter((_, i) => i % Math.max(1, Math.round(r.evals.length / 15)) === 0).map((e) => Math.round(e.mean));
      return `seed ${String(r.seed).padStart(2)}  solve ${solved.padEnd(16)} final ${r.finalMean.toFixed(0).padStart(4)}  best ${r.bestMean.toFixed(0).padStart(4)}  at solve ${(r.stopMean ?? NaN).toFixed(0).padStart(4)}  peak q0 ${peakQ.toFixed(0).padStart(4)}  failFrac ${lastFail.toFixed(4)}  ${r.seconds.toFixed(0)} s  [${curve.join(" ")}]`;
    });
  const solvedRuns = runs.filter((r) => r.firstSolve);
  const summary =
    `solved ${solvedRuns.length}/${runs.length}; final >= ${threshold}: ${runs.filter((r) => r.finalMean >= threshold).length}/${runs.length}; ` +
    `best >= ${threshold}: ${runs.filter((r) => r.bestMean >= threshold).length}/${runs.length}; ` +
    `at solve >= ${threshold}: ${runs.filter((r) => (r.stopMean ?? -Infinity) >= threshold).length}/${runs.length}; ` +
    `median solve ${median(solvedRuns.map((r) => r.firstSolve!.steps))} steps, ${median(solvedRuns.map((r) => r.firstSolve!.seconds)).toFixed(1)} s; ` +
    `worst final ${Math.min(...runs.map((r) => r.finalMean)).toFixed(0)}`;
  return [...lines, summary].join("\n");
}

/** Runs `seeds` over `workers` child processes; resolves with every seed's result. */
export function runStudy(envId: string, seeds: number[], workers: number, scale: number, evalFreq: number | undefined, variant: Record<string, unknown>, onSeed?: (r: StudySeed) => void): Promise<StudySeed[]> {
  const queue = [...seeds];
  const results: StudySeed[] = [];
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    let live = Math.min(workers, queue.length);
    for (let w = 0; w < live; w++) {
      const child = fork(self, ["--child"], { execArgv: ["--import", "tsx"], serialization: "advanced" });
      const next = () => (queue.length ? child.send({ envId, seed: queue.shift(), scale, evalFreq, variant }) : child.disconnect());
      child.on("message", (r: StudySeed) => {
        results.push(r);
        onSeed?.(r);
        next();
      });
      child.on("exit", (code) => {
        if (code !== 0) return reject(new Error(`study worker exited with code ${code}`));
        if (--live === 0) resolve(results);
      });
      next();
    }
  });
}

if (process.argv.includes("--child")) {
  process.on("message", (m: { envId: string; seed: number; scale: number; evalFreq?: number; variant: Record<string, unknown> }) => {
    void runSeed(m.envId, m.seed, m.scale, m.evalFreq, m.variant).then((r) => process.send!(r));
  });
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { env: { type: "string", default: "CartPole-v1" }, seeds: { type: "string", default: "0-19" }, workers: { type: "string", default: "2" }, scale: { type: "string", default: "1" }, "eval-freq": { type: "string" }, variant: { type: "string", default: "{}" }, out: { type: "string" } },
  });
  const envId = values.env!;
  if (!registeredEnvs().includes(envId) || !presets[envId]) throw new Error(`no preset for ${envId}`);
  const variant = JSON.parse(values.variant!) as Record<string, unknown>;
  const runs = await runStudy(envId, parseSeeds(values.seeds!), Number(values.workers), Number(values.scale), values["eval-freq"] ? Number(values["eval-freq"]) : undefined, variant, (r) => {
    if (values.out) appendFileSync(values.out, JSON.stringify({ envId, scale: Number(values.scale), variant, ...r }) + "\n");
    console.error(`seed ${r.seed}: final ${r.finalMean.toFixed(0)}, solve ${r.firstSolve?.steps ?? "never"}, ${r.seconds.toFixed(0)} s`);
  });
  console.log(`${envId} x${values.scale} ${values.variant}\n${summarize(envId, runs)}`);
}
