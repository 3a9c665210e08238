/**
 * bench/tune-trial.mjs, the trial runner bench/tune_vs_optuna.py drives: one
 * JSON line per evaluation, the seeds taking turns at each, and each seed's
 * evaluations the same as `deepq train` gives that seed (a deepq tune trial's
 * command line), so taking turns changes nothing about a seed's training.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT, run } from "./runtimes/harness.ts";

const dir = mkdtempSync(join(tmpdir(), "deepq-tune-trial-"));
const options = { netArch: [32], learningStarts: 100, batchSize: 32, explorationFraction: 0.5 };

it("prints each seed's evaluations in turn, as deepq train evaluates each seed", async () => {
  const job = { env: "CartPole-v1", options, seeds: [0, 1], budget: 600, evalFreq: 200, evalEpisodes: 2 };
  const r = await run(process.execPath, [join(ROOT, "bench", "tune-trial.mjs"), JSON.stringify(job)], { cwd: ROOT, timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { seed: number; timestep: number; mean: number });
  expect(lines.map((l) => [l.seed, l.timestep])).toEqual([[0, 200], [1, 200], [0, 400], [1, 400], [0, 600], [1, 600]]);

  writeFileSync(join(dir, "options.json"), JSON.stringify(options));
  const t = await run(process.execPath, [join(ROOT, "bin", "deepq.mjs"), "train", "CartPole-v1", "--config", "options.json", "--timesteps", "600", "--seeds", "0,1", "--workers", "1", "--eval-freq", "200", "--eval-episodes", "2", "--eval-csv", "evals.csv", "-q"], { cwd: dir, timeoutMs: 120_000 });
  expect(t.code, t.stderr).toBe(0);
  const rows = readFileSync(join(dir, "evals.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  const trained = rows.map(([seed, timestep, mean]) => ({ seed: seed!, timestep: timestep!, mean: mean! }));
  const key = (l: { seed: number; timestep: number }) => l.seed * 1e6 + l.timestep;
  expect([...lines].sort((a, b) => key(a) - key(b))).toEqual(trained.sort((a, b) => key(a) - key(b)));
});
