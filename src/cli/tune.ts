/**
 * `deepq tune`: hyperparameter search over a declared space (search-space.ts)
 * with asynchronous successive halving (ASHA, Li et al. 2020), each trial
 * scored over several seeds.
 *
 * A trial trains its seeds for `budget` steps each, with a greedy evaluation
 * every `budget / eta^(rungs-1)` steps. Rung k is the evaluation at
 * `eval-freq * eta^k` steps; a trial's score there is the mean over its seeds.
 * When all its seeds reach a rung below the last, the trial goes on only if
 * its score is in the top 1/eta of the scores seen at that rung so far (at
 * least the best one), else it is pruned and its runs stop. A completed
 * trial's score is its last rung's. Ranking: completed trials by score, then
 * pruned ones by the rung they reached and their score there, then failed
 * ones: a pruned trial never outranks a completed one.
 *
 * Past one machine, `--print-commands` writes each trial as one
 * deterministic `deepq train` command (full budget, no pruning: pruning
 * needs the scores of running trials) and `--collect DIR` ranks their results.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DQN } from "../agent/dqn.ts";
import type { DQNOptions } from "../agent/options.ts";
import { make } from "../envs/registry.ts";
import { runPool, type JobContext } from "./pool.ts";

/** What a tuning study needs, as written to `study.json`. */
export interface StudySettings {
  envId: string;
  /** Options every trial starts from (the env's preset, or SB3's defaults). */
  base: DQNOptions;
  /** Each trial's sampled options. */
  trials: Record<string, unknown>[];
  /** Seeds each trial trains on. */
  seeds: number[];
  /** Env steps per seed of a completed trial. */
  budget: number;
  evalFreq: number;
  evalEpisodes: number;
  /** Halving rate. */
  eta: number;
  /** The rungs' timesteps, ascending; the last is the final score's. */
  rungs: number[];
}

/** A finished trial, one line of `trials.jsonl`. */
export interface TrialRecord {
  trial: number;
  status: "completed" | "pruned" | "failed";
  /** Score (mean over seeds of the greedy evaluation) at each rung reached. */
  rungScores: number[];
  /** The last rung's score (null for a failed trial). */
  score: number | null;
  /** The trial's full options (base + sampled), as `deepq train --config` takes them. */
  options: DQNOptions;
  error?: string;
}

/** One seed of one trial, as a pool job. */
export interface TuneJob {
  envId: string;
  options: DQNOptions;
  totalTimesteps: number;
  evalFreq: number;
  evalEpisodes: number;
  /** The TensorBoard run name when the study logs (`--tensorboard`): one folder per trial and seed. */
  tbLogName?: string;
}

/** An evaluation a running job reports. */
export interface TuneEvent {
  timestep: number;
  mean: number;
}

/** The rungs for a budget: `eval-freq * eta^k` for k < rungs, eval-freq = floor(budget / eta^(rungs-1)). */
export function rungsFor(budget: number, eta: number, count: number): { evalFreq: number; rungs: number[] } {
  const evalFreq = Math.max(1, Math.floor(budget / eta ** (count - 1)));
  return { evalFreq, rungs: Array.from({ length: count }, (_, k) => evalFreq * eta ** k) };
}

/** A trial's full options. */
export const trialOptions = (s: StudySettings, trial: number): DQNOptions => ({ ...s.base, ...s.trials[trial] }) as DQNOptions;

/** Pool job: trains one seed of one trial, reporting each evaluation; stops when aborted (pruned). */
export async function tuneSeedJob(job: TuneJob, ctx: JobContext<TuneEvent>): Promise<TuneEvent[]> {
  const agent = await DQN.create(await make(job.envId), job.options);
  const evals: TuneEvent[] = [];
  try {
    await agent.learn({
      totalTimesteps: job.totalTimesteps,
      signal: ctx.signal,
      ...(job.tbLogName === undefined ? {} : { tbLogName: job.tbLogName }),
      // The same evaluation as `deepq train` runs, so a trial's command line reproduces its scores.
      eval: { env: await make(job.envId), freq: job.evalFreq, nEpisodes: job.evalEpisodes, keepBest: true },
      callback: (e) => {
        if (!e.eval) return;
        const ev = { timestep: e.timesteps, mean: e.eval.mean };
        evals.push(ev);
        ctx.post(ev);
      },
    });
  } finally {
    agent.dispose();
  }
  return evals;
}

/**
 * Whether a score goes on past a rung under ASHA: in the top 1/eta (at
 * least the best one) of `seen`, the scores recorded at that rung so far,
 * this one included.
 */
export function promotes(score: number, seen: readonly number[], eta: number): boolean {
  const keep = Math.max(1, Math.floor(seen.length / eta));
  const sorted = [...seen].sort((a, b) => b - a);
  return score >= sorted[keep - 1]!;
}

/** Completed by score, then pruned by rung reached and score, then failed. */
export function rankTrials(records: readonly TrialRecord[]): TrialRecord[] {
  const order = { completed: 0, pruned: 1, failed: 2 };
  return [...records].sort(
    (a, b) => order[a.status] - order[b.status] || b.rungScores.length - a.rungScores.length || (b.score ?? -Infinity) - (a.score ?? -Infinity) || a.trial - b.trial,
  );
}

/** The ranked table, one line per trial. */
export function formatTable(settings: StudySettings, ranked: readonly TrialRecord[]): string {
  const keys = Object.keys(settings.trials[0] ?? {});
  const fmt = (v: unknown) => (typeof v === "number" ? String(Number(v.toPrecision(4))) : JSON.stringify(v));
  const head = ["rank", "trial", "status", "score", ...settings.rungs.map((r) => `@${r}`), ...keys];
  const rows = ranked.map((r, i) => [
    String(i + 1),
    String(r.trial),
    r.status,
    r.score === null ? "-" : r.score.toFixed(1),
    ...settings.rungs.map((_, k) => (r.rungScores[k] === undefined ? "-" : r.rungScores[k]!.toFixed(1))),
    ...keys.map((k) => fmt(settings.trials[r.trial]![k])),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  return [head, ...rows].map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}

/** Writes the study's results: the ranked table (returned), `results.json` and the best trial's options as `best.json`. */
export function writeResults(dir: string, settings: StudySettings, records: readonly TrialRecord[]): { table: string; best: TrialRecord | undefined } {
  const ranked = rankTrials(records);
  const best = ranked.find((r) => r.status === "completed");
  writeFileSync(join(dir, "results.json"), JSON.stringify(ranked, null, 2) + "\n");
  if (best) writeFileSync(join(dir, "best.json"), JSON.stringify(best.options, null, 2) + "\n");
  return { table: formatTable(settings, ranked), best };
}

/**
 * Runs the study on the worker pool: trials x seeds jobs in trial order,
 * pruning at rungs; each finished trial is appended to `dir/trials.jsonl` at
 * once, so an interrupted study keeps what it finished. Resolves with the
 * finished trials.
 */
export async function runStudy(module: URL, dir: string, s: StudySettings, o: { workers: number; signal: AbortSignal; tensorboard?: string | undefined; onTrial?: (r: TrialRecord) => void }): Promise<TrialRecord[]> {
  const nSeeds = s.seeds.length;
  const tb = (t: number, seed: number) => (o.tensorboard === undefined ? {} : { tbLogName: `trial${t}_seed${seed}` });
  const jobs: TuneJob[] = s.trials.flatMap((_, t) =>
    s.seeds.map((seed) => ({
      envId: s.envId,
      options: { ...trialOptions(s, t), seed, ...(o.tensorboard === undefined ? {} : { tensorboardLog: o.tensorboard }) },
      totalTimesteps: s.budget,
      evalFreq: s.evalFreq,
      evalEpisodes: s.evalEpisodes,
      ...tb(t, seed),
    })),
  );
  const state = s.trials.map(() => ({ evals: s.seeds.map(() => new Map<number, number>()), rungScores: [] as number[], pruned: false, error: undefined as string | undefined, ended: 0, stops: new Map<number, () => void>() }));
  const seen: number[][] = s.rungs.map(() => []);
  const records: TrialRecord[] = [];
  const stopTrial = (t: number) => state[t]!.stops.forEach((stop) => stop());

  const onEvent = (index: number, ev: TuneEvent, stop: () => void) => {
    const t = Math.floor(index / nSeeds);
    const st = state[t]!;
    if (st.pruned || st.error !== undefined) return stop();
    st.stops.set(index, stop);
    st.evals[index % nSeeds]!.set(ev.timestep, ev.mean);
    // Decide every rung all seeds have reached, in order.
    for (let k = st.rungScores.length; k < s.rungs.length && !st.pruned; k++) {
      const step = s.rungs[k]!;
      if (!st.evals.every((m) => m.has(step))) break;
      const score = st.evals.reduce((a, m) => a + m.get(step)!, 0) / nSeeds;
      st.rungScores.push(score);
      seen[k]!.push(score);
      if (k < s.rungs.length - 1 && !promotes(score, seen[k]!, s.eta)) {
        st.pruned = true;
        stopTrial(t);
      }
    }
  };
  const onOutcome = (index: number, outcome: { ok: true; result: unknown } | { ok: false; error: string }) => {
    const t = Math.floor(index / nSeeds);
    const st = state[t]!;
    st.stops.delete(index);
    if (!outcome.ok && st.error === undefined && !o.signal.aborted) {
      st.error = `seed ${s.seeds[index % nSeeds]}: ${outcome.error}`;
      stopTrial(t);
    }
    if (++st.ended < nSeeds) return;
    // An interrupted trial is not a result: it is left out.
    if (o.signal.aborted && !st.pruned && st.error === undefined && st.rungScores.length < s.rungs.length) return;
    const status = st.error !== undefined ? "failed" : st.pruned ? "pruned" : st.rungScores.length === s.rungs.length ? "completed" : "failed";
    const record: TrialRecord = { trial: t, status, rungScores: st.rungScores, score: status === "failed" ? null : (st.rungScores.at(-1) ?? null), options: trialOptions(s, t) };
    if (status === "failed") record.error = st.error ?? "the runs ended before the last rung (budget shorter than the rungs?)";
    records.push(record);
    appendFileSync(join(dir, "trials.jsonl"), JSON.stringify(record) + "\n");
    o.onTrial?.(record);
  };
  const skip = (index: number) => {
    const st = state[Math.floor(index / nSeeds)]!;
    if (!(st.pruned || st.error !== undefined)) return false;
    onOutcome(index, { ok: true, result: [] });
    return true;
  };
  await runPool<TuneJob, TuneEvent, TuneEvent[]>(module, "tune-seed", jobs, { workers: o.workers, signal: o.signal, onEvent, onOutcome, skip });
  return records;
}

/** Prepares `dir` for a study: creates it, refuses one that already holds results. */
export function prepareDir(dir: string, settings: StudySettings): void {
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, "trials.jsonl"))) throw new Error(`${dir} already holds a study's trials.jsonl: give another --out, or remove it`);
  writeFileSync(join(dir, "study.json"), JSON.stringify(settings, null, 2) + "\n");
}

const shellQuote = (s: string) => (/^[\w@%+=:,./{}-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/**
 * One `deepq train` command line per trial (full budget, all its seeds,
 * writing into `dir`), and each trial's options as `dir/trial-N.json`.
 */
export function trialCommands(dir: string, s: StudySettings): string[] {
  const seeds = s.seeds.join(",");
  return s.trials.map((_, t) => {
    const name = join(dir, `trial-${t}`);
    writeFileSync(`${name}.json`, JSON.stringify(trialOptions(s, t), null, 2) + "\n");
    const args = ["train", s.envId, "--config", `${name}.json`, "--timesteps", String(s.budget), "--seeds", seeds, "--workers", "1", "--eval-freq", String(s.evalFreq), "--eval-episodes", String(s.evalEpisodes)];
    args.push("--save", `${name}-seed{seed}.deepq`, "--csv", `${name}.csv`, "--eval-csv", `${name}.evals.csv`, "--plot", `${name}.svg`, "-q");
    return ["deepq", ...args].map(shellQuote).join(" ");
  });
}

/**
 * Ranks the results of the commands `trialCommands` wrote: each trial's
 * evaluations CSV (seed,timesteps,mean,std) gives its rung scores; a trial
 * without one, or missing a seed's rung, failed.
 */
export function collectStudy(dir: string): { settings: StudySettings; records: TrialRecord[] } {
  const settings = JSON.parse(readFileSync(join(dir, "study.json"), "utf8")) as StudySettings;
  const files = new Set(readdirSync(dir));
  const records = settings.trials.map((_, t): TrialRecord => {
    const file = `trial-${t}.evals.csv`;
    const base = { trial: t, options: trialOptions(settings, t) };
    if (!files.has(file)) return { ...base, status: "failed", rungScores: [], score: null, error: `no ${file}` };
    const evals = new Map<string, number>();
    for (const line of readFileSync(join(dir, file), "utf8").trim().split("\n").slice(1)) {
      const [seed, step, mean] = line.split(",");
      evals.set(`${seed}@${step}`, Number(mean));
    }
    const rungScores: number[] = [];
    for (const step of settings.rungs) {
      const means = settings.seeds.map((seed) => evals.get(`${seed}@${step}`));
      if (means.some((m) => m === undefined)) break;
      rungScores.push(means.reduce((a: number, m) => a + m!, 0) / means.length);
    }
    if (rungScores.length < settings.rungs.length) return { ...base, status: "failed", rungScores, score: null, error: `${file} lacks a seed's evaluation at a rung` };
    return { ...base, status: "completed", rungScores, score: rungScores.at(-1)! };
  });
  return { settings, records };
}
