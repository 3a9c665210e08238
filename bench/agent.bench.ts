/**
 * The seeds' training loop end to end (4-128-128-2, Adam 1e-3, MSE, gamma
 * 0.99, batch 64, buffer 10k, hard target copy every 100 steps, epsilon
 * 0.01 + 0.99 exp(-t/500), one update per env step) in deepq against the
 * PyTorch seed implementation (../shared/baselines/torch_dqn.py, one thread,
 * its fastest setting), both run here in the same benchmark run.
 * PyTorch needs Debian's python3-torch; without it the row says so.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DQN, exponentialSchedule, make } from "../src/index.ts";
import { atLeast, ratioAtLeast, type BenchRow } from "./harness.ts";

const STEPS = 3000;
const torchScript = fileURLToPath(new URL("../../shared/baselines/torch_dqn.py", import.meta.url));

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

function torchSeedConfig(): number | undefined {
  if (!existsSync(torchScript) || !existsSync("/usr/bin/python3")) return undefined;
  const r = spawnSync("/usr/bin/python3", [torchScript, "--config", "seed", "--steps", String(STEPS), "--threads", "1"], {
    env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE" },
    encoding: "utf8",
    timeout: 300_000,
  });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout.trim().split("\n").pop()!).steps_per_s as number;
}

export default async function (): Promise<BenchRow[]> {
  const ours = Math.max(await deepqSeedConfig(), await deepqSeedConfig());
  const torch = torchSeedConfig();
  const row: BenchRow = { suite: "agent", name: "seeds' DQN loop, env steps/s (fused)", value: ours, unit: "steps/s" };
  if (torch === undefined) {
    return [atLeast({ ...row, name: `${row.name} [PyTorch baseline unavailable: apt-get install python3-torch]` }, 1130 * 1.5)];
  }
  return [
    { suite: "agent", name: "seeds' DQN loop, PyTorch 1 thread", value: torch, unit: "steps/s" },
    ratioAtLeast({ ...row, ratio: ours / torch, ratioOf: "PyTorch" }, 1.5),
  ];
}
