/**
 * The preset bench: `presets[id]` as shipped (its evaluation, its early
 * stop) on seeds 0-19, two seeds at a time in worker processes
 * (bench/preset-study.ts). Per seed: env steps and wall seconds to the first
 * greedy evaluation at or above the env's threshold, the final agent's
 * greedy mean over 20 fresh episodes without keepBest (the weights training
 * ended with) and with it (the best-evaluated weights), and the worst seed.
 * Targets: threshold reached 20/20; final without keepBest >= threshold on
 * >= 18/20; CartPole's median time to solve <= 10 s on one core (each seed
 * runs on one core; a loaded machine stretches the seconds, not the steps).
 *
 * Beside it, PyTorch with RL Zoo's CartPole-v1 DQN hyperparameters
 * (bench/torch_dqn.py --config zoo: 50k steps, greedy eval of 10 episodes
 * every 2,500 steps) on seeds 0-2: wall time, time to the first eval >= 475
 * and the last eval.
 */
import { cpus, loadavg } from "node:os";
import { presets } from "../src/index.ts";
import { atLeast, baseline, type BenchRow } from "./harness.ts";
import { median, runStudy, summarize, THRESHOLDS } from "./preset-study.ts";
import { runTorch } from "./torch.ts";

const SEEDS = Array.from({ length: 20 }, (_, i) => i);

const ZOO_SEEDS = [0, 1, 2];
const ZOO_STEPS = 50_000;

interface ZooRun {
  wall_s: number;
  first_solved_s: number | null;
  final_eval: number;
}

/** RL Zoo's configuration in PyTorch, one row per seed and figure; one row saying why when PyTorch is missing. */
function zooRows(): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const seed of ZOO_SEEDS) {
    const r = runTorch<ZooRun>("torch_dqn.py", ["--config", "zoo", "--steps", String(ZOO_STEPS), "--seed", String(seed)]);
    const name = `PyTorch, RL Zoo hyperparameters, seed ${seed}`;
    if (!r.ok) return [baseline({ suite: "preset", name: `PyTorch, RL Zoo hyperparameters, seeds ${ZOO_SEEDS.join(", ")}`, unit: "s" }, r.why)];
    console.log(`${name}: ${JSON.stringify(r.value)}`);
    rows.push(
      { suite: "preset", name: `${name}: wall time, ${ZOO_STEPS} steps`, value: r.value.wall_s, unit: "s" },
      // NaN (null in results.json): no evaluation reached 475.
      { suite: "preset", name: `${name}: time to first eval >= 475`, value: r.value.first_solved_s ?? NaN, unit: "s" },
      { suite: "preset", name: `${name}: last greedy eval`, value: r.value.final_eval, unit: "return" },
    );
  }
  return rows;
}

export default async function (): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const envId of Object.keys(presets).filter((id) => THRESHOLDS[id] !== undefined)) {
    const threshold = THRESHOLDS[envId]!;
    const load = loadavg()[0]!;
    const runs = await runStudy(envId, SEEDS, 2, 1, undefined, {});
    console.log(`\n${envId} preset, seeds 0-19, 2 worker processes (load average ${load.toFixed(1)} on ${cpus().length} cores at the start)`);
    console.log(summarize(envId, runs));
    console.log(JSON.stringify({ preset: envId, runs: runs.map(({ evals: _e, ...r }) => r) }));
    const solved = runs.filter((r) => r.firstSolve);
    // A seed that never solves counts as slower than every one that does.
    const never = Array<number>(runs.length - solved.length).fill(Infinity);
    const worst = runs.reduce((a, b) => (b.finalMean < a.finalMean ? b : a));
    const row = (name: string, value: number, unit: string): BenchRow => ({ suite: "preset", name: `${envId}: ${name}`, value, unit });
    const medianSeconds = median([...solved.map((r) => r.firstSolve!.seconds), ...never]);
    rows.push(
      atLeast(row(`seeds reaching greedy eval >= ${threshold}`, solved.length, `of ${runs.length}`), runs.length),
      atLeast(row(`final agents >= ${threshold} without keepBest`, runs.filter((r) => r.finalMean >= threshold).length, `of ${runs.length}`), 18),
      row(`final agents >= ${threshold} with keepBest`, runs.filter((r) => r.bestMean >= threshold).length, `of ${runs.length}`),
      row(`worst final without keepBest (seed ${worst.seed})`, worst.finalMean, "return"),
      row("median env steps to first solve", median([...solved.map((r) => r.firstSolve!.steps), ...never]), "steps"),
      envId === "CartPole-v1" ? { ...row("median wall time to first solve", medianSeconds, "s"), target: "<= 10", pass: medianSeconds <= 10 } : row("median wall time to first solve", medianSeconds, "s"),
    );
  }
  // Beside it, in the same run: PyTorch with RL Zoo's CartPole-v1 DQN hyperparameters.
  rows.push(...zooRows());
  return rows;
}
