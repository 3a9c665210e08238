/**
 * The seeds' training loop end to end (4-128-128-2, Adam 1e-3, MSE, gamma
 * 0.99, batch 64, buffer 10k, hard target copy every 100 steps, epsilon
 * 0.01 + 0.99 exp(-t/500), one update per env step) in deepq against the
 * PyTorch seed implementation (bench/torch_dqn.py, one thread, its fastest
 * setting), both run here in the same benchmark run.
 * PyTorch needs Debian's python3-torch; without it the row says so.
 */
import { DQN, exponentialSchedule, make } from "../src/index.ts";
import { baseline, ratioAtLeast, type BenchRow } from "./harness.ts";
import { runTorch } from "./torch.ts";

const STEPS = 3000;

async function deepqSeedConfig(): Promise<number> {
  const agent = await DQN.create(await make("CartPole-v1"), {
    netArch: [128, 128], learningRate: 1e-3, loss: "mse", gamma: 0.99, batchSize: 64, bufferSize: 10_000, learningStarts: 64, trainFreq: 1,
    targetUpdateInterval: 100, tau: 1, maxGradNorm: Infinity, epsilonSchedule: exponentialSchedule(1, 0.01, 500), backend: "fused", seed: 0,
  });
  const t0 = performance.now();
  await agent.learn({ totalTimesteps: STEPS });
  const rate = (STEPS * 1000) / (performance.now() - t0);
  agent.dispose();
  return rate;
}

export default async function (): Promise<BenchRow[]> {
  const ours = Math.max(await deepqSeedConfig(), await deepqSeedConfig());
  const torch = runTorch<{ steps_per_s: number }>("torch_dqn.py", ["--config", "seed", "--steps", String(STEPS)]);
  const torchRow = baseline({ suite: "agent", name: "seeds' DQN loop, PyTorch 1 thread", unit: "steps/s" }, torch.ok ? torch.value.steps_per_s : torch.why);
  const row: BenchRow = { suite: "agent", name: "seeds' DQN loop, env steps/s (fused)", value: ours, unit: "steps/s" };
  return [torchRow, torch.ok ? ratioAtLeast({ ...row, ratio: ours / torch.value.steps_per_s, ratioOf: "PyTorch" }, 1.5) : row];
}
