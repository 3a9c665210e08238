/**
 * The preset study: `presets["CartPole-v1"]` over seeds 0-4 on the fused
 * engine, with the preset's periodic greedy evaluation (10 episodes every
 * 1000 steps, keeping the best weights) and no early stop. Per seed: wall
 * time and steps to the first evaluation >= 475, the last periodic
 * evaluation (the final weights) and the final agent's greedy mean over 10
 * episodes of a fresh env (the kept best weights).
 * Targets (the agent's acceptance): >= 475 reached 5/5, final >= 475 5/5,
 * median time to 475 <= 10 s. Prints the table and the JSON of the runs.
 *
 * Beside it, in the same run, PyTorch with RL Zoo's CartPole-v1 DQN
 * hyperparameters (bench/torch_dqn.py --config zoo: 50k steps, greedy eval of
 * 10 episodes every 2,500 steps) on seeds 0-2: per seed, wall time, time to
 * the first eval >= 475 and the last eval.
 * Minutes of CPU: run it on a quiet machine (timings include the evaluations).
 */
import { DQN, evaluate, make, presets } from "../src/index.ts";
import { atLeast, baseline, type BenchRow } from "./harness.ts";
import { runTorch } from "./torch.ts";

const SEEDS = [0, 1, 2, 3, 4];
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
const SOLVED = 475;

interface SeedRun {
  seed: number;
  /** Seconds from the start of learn() to the first evaluation >= 475 (null: never). */
  secondsTo475: number | null;
  stepsTo475: number | null;
  evals: number[];
  finalMean: number;
  finalStd: number;
  totalSeconds: number;
}

async function runSeed(seed: number): Promise<SeedRun> {
  const preset = presets["CartPole-v1"]!;
  const agent = await DQN.create(await make("CartPole-v1"), { ...preset.options, seed, backend: "fused" });
  const evals: number[] = [];
  let secondsTo475: number | null = null;
  let stepsTo475: number | null = null;
  const start = performance.now();
  await agent.learn({
    totalTimesteps: preset.totalTimesteps,
    eval: { env: await make("CartPole-v1"), ...preset.evaluation },
    callback: (e) => {
      if (!e.eval) return;
      evals.push(e.eval.mean);
      if (secondsTo475 === null && e.eval.mean >= SOLVED) {
        secondsTo475 = (performance.now() - start) / 1000;
        stepsTo475 = e.timesteps;
      }
    },
  });
  const totalSeconds = (performance.now() - start) / 1000;
  const final = await evaluate(agent, await make("CartPole-v1"), { nEpisodes: 10, seed: 1000 + seed });
  agent.dispose();
  return { seed, secondsTo475, stepsTo475, evals, finalMean: final.mean, finalStd: final.std, totalSeconds };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export default async function (): Promise<BenchRow[]> {
  const runs: SeedRun[] = [];
  for (const seed of SEEDS) runs.push(await runSeed(seed));

  console.log("\nCartPole-v1 preset, fused engine, greedy eval (10 episodes) every 1000 steps keeping the best weights, no early stop");
  console.log("seed  time to 475  steps to 475  last periodic eval  final eval (10 ep)  run time");
  for (const r of runs) {
    const t = r.secondsTo475 === null ? "never" : `${r.secondsTo475.toFixed(1)} s`;
    const final = `${r.finalMean.toFixed(1)} ± ${r.finalStd.toFixed(1)}`;
    console.log(`${String(r.seed).padEnd(4)}  ${t.padStart(11)}  ${String(r.stepsTo475 ?? "-").padStart(12)}  ${r.evals.at(-1)!.toFixed(1).padStart(18)}  ${final.padStart(18)}  ${r.totalSeconds.toFixed(1).padStart(6)} s`);
  }
  console.log(JSON.stringify({ preset: "CartPole-v1", runs }));

  const reached = runs.filter((r) => r.secondsTo475 !== null);
  const times = reached.map((r) => r.secondsTo475!);
  // A seed that never reaches 475 counts as slower than every one that does.
  const medianTime = median([...times, ...Array<number>(runs.length - reached.length).fill(Infinity)]);
  const row = (name: string, value: number, unit: string): BenchRow => ({ suite: "preset", name, value, unit });
  return [
    ...runs.flatMap((r) => [
      row(`seed ${r.seed}: time to first eval >= 475`, r.secondsTo475 ?? NaN, "s"),
      row(`seed ${r.seed}: final greedy eval (10 episodes)`, r.finalMean, "return"),
    ]),
    atLeast(row("seeds reaching greedy eval >= 475", reached.length, `of ${runs.length}`), runs.length),
    atLeast(row("final agents with greedy eval >= 475", runs.filter((r) => r.finalMean >= SOLVED).length, `of ${runs.length}`), runs.length),
    { ...row("median wall time to first eval >= 475", medianTime, "s"), target: "<= 10", pass: medianTime <= 10 },
    row("median env steps to first eval >= 475", median(reached.map((r) => r.stepsTo475!)), "steps"),
    ...zooRows(),
  ];
}
