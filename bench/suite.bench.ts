/**
 * `npm run bench -- suite`: the learning table. For CartPole-v1, Acrobot-v1
 * and MountainCar-v0, deepq's preset (presets[id]) trained with seeds 0-4 on
 * the fused engine, with the preset's periodic greedy evaluation; per env:
 * the final agent's greedy mean over 10 episodes of a fresh env (mean ± std
 * over seeds), seeds whose periodic evaluation reached the env's threshold,
 * the median wall time to the first evaluation at the threshold, and the
 * mean wall time of a run. Beside it, CleanRL's dqn.py (PyTorch, CPU, 500k
 * steps, roughly 100-150 s a run): CartPole 488.7 ± 16.1, Acrobot
 * -96.8 ± 21.9, MountainCar -200 ± 0 (never reaches the flag).
 * Targets: Acrobot mean >= -90; MountainCar mean >= -120 with every seed's
 * final agent reaching the flag; each run within 1/10 of CleanRL's wall
 * time (15 s). Minutes of CPU: run it on a quiet machine.
 */
import { DQN, evaluate, make, presets } from "../src/index.ts";
import { atLeast, type BenchRow } from "./harness.ts";

const SEEDS = [0, 1, 2, 3, 4];
const ENVS = [
  { id: "CartPole-v1", threshold: 475, cleanrl: "488.7 ± 16.1" },
  { id: "Acrobot-v1", threshold: -100, cleanrl: "-96.8 ± 21.9" },
  { id: "MountainCar-v0", threshold: -110, cleanrl: "-200.0 ± 0.0" },
] as const;
/** A tenth of CleanRL's ~150 s a run. */
const WALL_LIMIT = 15;

interface Run {
  seed: number;
  final: number;
  /** Every greedy episode of the final agent terminated (MountainCar: reached the flag). */
  allTerminated: boolean;
  secondsToThreshold: number | null;
  seconds: number;
}

async function train(id: string, threshold: number, seed: number): Promise<Run> {
  const preset = presets[id]!;
  const agent = await DQN.create(await make(id), { ...preset.options, seed, backend: "fused" });
  let secondsToThreshold: number | null = null;
  const start = performance.now();
  await agent.learn({
    totalTimesteps: preset.totalTimesteps,
    eval: { env: await make(id), ...preset.evaluation },
    callback: (e) => {
      if (e.eval && secondsToThreshold === null && e.eval.mean >= threshold) secondsToThreshold = (performance.now() - start) / 1000;
    },
  });
  const seconds = (performance.now() - start) / 1000;
  const env = await make(id);
  const maxSteps = env.spec!.maxEpisodeSteps;
  const res = await evaluate(agent, env, { nEpisodes: 10, seed: 1000 + seed });
  agent.dispose();
  // An episode that ends before the time limit terminated (CartPole: the pole fell, which its threshold counts against).
  return { seed, final: res.mean, allTerminated: res.returns.every((r) => Math.abs(r) < maxSteps), secondsToThreshold, seconds };
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export default async function (): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const table: string[] = [];
  for (const { id, threshold, cleanrl } of ENVS) {
    const runs: Run[] = [];
    for (const seed of SEEDS) runs.push(await train(id, threshold, seed));
    console.log(JSON.stringify({ suite: id, preset: presets[id], runs }));
    const { mean, std } = stats(runs.map((r) => r.final));
    const reached = runs.filter((r) => r.secondsToThreshold !== null);
    const toThreshold = median(reached.map((r) => r.secondsToThreshold!));
    const wall = stats(runs.map((r) => r.seconds)).mean;
    const steps = presets[id]!.totalTimesteps;
    table.push(
      `| ${id} | ${(steps / 1000).toFixed(0)}k | ${mean.toFixed(1)} ± ${std.toFixed(1)} | ${reached.length}/${runs.length} | ${reached.length ? `${toThreshold.toFixed(1)} s` : "-"} | ${wall.toFixed(1)} s | ${cleanrl} |`,
    );
    const row = (name: string, value: number, unit: string): BenchRow => ({ suite: "suite", name: `${id}: ${name}`, value, unit });
    const finalRow = row(`final greedy mean (10 ep), seeds ${SEEDS.join(",")}`, mean, "return");
    rows.push(
      id === "Acrobot-v1" ? atLeast(finalRow, -90) : id === "MountainCar-v0" ? atLeast(finalRow, -120) : atLeast(finalRow, threshold),
      row("final greedy std over seeds", std, "return"),
      atLeast(row(`seeds reaching ${threshold} in periodic evaluation`, reached.length, `of ${runs.length}`), runs.length),
      row(`median wall time to ${threshold}`, toThreshold, "s"),
      { ...row("mean wall time of a run", wall, "s"), target: `<= ${WALL_LIMIT}`, pass: wall <= WALL_LIMIT },
    );
    if (id === "MountainCar-v0") rows.push(atLeast(row("seeds whose final agent reaches the flag in all 10 episodes", runs.filter((r) => r.allTerminated).length, `of ${runs.length}`), runs.length));
  }
  console.log("\n| env | steps | final greedy (10 ep, 5 seeds) | seeds at threshold | median time to threshold | wall time a run | CleanRL dqn.py (500k steps) |");
  console.log("|---|---|---|---|---|---|---|");
  for (const line of table) console.log(line);
  return rows;
}
