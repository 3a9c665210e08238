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
 */
import { cpus, loadavg } from "node:os";
import { presets } from "../src/index.ts";
import { atLeast, type BenchRow } from "./harness.ts";
import { runStudy, summarize, THRESHOLDS } from "./preset-study.ts";

const SEEDS = Array.from({ length: 20 }, (_, i) => i);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

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
  return rows;
}
