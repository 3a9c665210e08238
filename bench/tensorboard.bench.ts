/**
 * What TensorBoard logging costs a training run: the same `learn` (same seed,
 * so the same episodes and updates) with and without `tensorboardLog`, in
 * turns, best of several runs each. SB3's defaults with a fast small network
 * (trainFreq 4, [64, 64], fused), where a fixed logging cost weighs most;
 * dumps every 4 episodes (SB3's log_interval), file flushes every 2 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DQN, make } from "../src/index.ts";
import { type BenchRow } from "./harness.ts";

const STEPS = 20_000;
const RUNS = 5;

async function stepsPerSecond(tensorboardLog: string | undefined): Promise<number> {
  const agent = await DQN.create(await make("CartPole-v1"), { learningStarts: 1000, backend: "fused", seed: 0, ...(tensorboardLog ? { tensorboardLog } : {}) });
  const t0 = performance.now();
  await agent.learn({ totalTimesteps: STEPS });
  const rate = (STEPS * 1000) / (performance.now() - t0);
  agent.dispose();
  return rate;
}

export default async function (): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "deepq-bench-tb-"));
  let plain = 0;
  let logged = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      plain = Math.max(plain, await stepsPerSecond(undefined));
      logged = Math.max(logged, await stepsPerSecond(dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = logged / plain;
  return [
    { suite: "tboard", name: "learn, SB3 defaults [64,64], no log, steps/s", value: plain, unit: "steps/s" },
    { suite: "tboard", name: "learn, same run with tensorboardLog, steps/s", value: logged, unit: "steps/s", ratio, ratioOf: "no log", target: "cost < 1% (ratio >= 0.99)", pass: ratio >= 0.99 },
  ];
}
