/**
 * What TensorBoard logging costs a training run: the same `learn` (same seed,
 * so the same episodes and updates) with and without `tensorboardLog`, in
 * turns, best of several runs each. SB3's defaults with a fast small network
 * (trainFreq 4, [64, 64], fused), where a fixed logging cost weighs most;
 * dumps every 4 episodes (SB3's log_interval), file flushes every 2 s.
 *
 * The end-to-end ratio moves by several percent with the machine's load, far
 * more than the cost it measures; so the target is checked on the logging
 * work itself, timed inside the logged runs: every call into the logger and
 * the writer (encoding, framing, CRCs, file writes) as a share of `learn`'s
 * wall time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DQN, make } from "../src/index.ts";
import { TrainLogger } from "../src/agent/train-logger.ts";
import { TensorBoardWriter } from "../src/io/tensorboard-writer.ts";
import { type BenchRow } from "./harness.ts";

const STEPS = 20_000;
const RUNS = 7;

/** Milliseconds spent inside the logger's and the writer's methods since the last reset. */
let loggingMs = 0;
/** Times `names` of `proto` into {@link loggingMs}; returns the restore (later suites run in this process). */
function timeMethods(proto: object, names: string[]): () => void {
  const p = proto as Record<string, (...args: unknown[]) => unknown>;
  const originals = names.map((name) => [name, p[name]!] as const);
  for (const name of names) {
    const inner = p[name]!;
    p[name] = function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      try {
        return inner.apply(this, args);
      } finally {
        loggingMs += performance.now() - t;
      }
    };
  }
  return () => originals.forEach(([name, f]) => (p[name] = f));
}

async function run(tensorboardLog: string | undefined): Promise<{ rate: number; loggingShare: number }> {
  const agent = await DQN.create(await make("CartPole-v1"), { learningStarts: 1000, backend: "fused", seed: 0, ...(tensorboardLog ? { tensorboardLog } : {}) });
  loggingMs = 0;
  const t0 = performance.now();
  await agent.learn({ totalTimesteps: STEPS });
  const ms = performance.now() - t0;
  agent.dispose();
  return { rate: (STEPS * 1000) / ms, loggingShare: loggingMs / ms };
}

export default async function (): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "deepq-bench-tb-"));
  const restore = [timeMethods(TrainLogger.prototype, ["open", "record", "episodeEnd", "evaluated", "close"]), timeMethods(TensorBoardWriter.prototype, ["flush"])];
  let plain = 0;
  let logged = 0;
  const shares: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      plain = Math.max(plain, (await run(undefined)).rate);
      const r = await run(dir);
      logged = Math.max(logged, r.rate);
      shares.push(r.loggingShare);
    }
  } finally {
    restore.forEach((r) => r());
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = logged / plain;
  const share = shares.sort((a, b) => a - b)[Math.floor(shares.length / 2)]!;
  return [
    { suite: "tensorboard", name: "learn, SB3 defaults [64,64], no log, steps/s", value: plain, unit: "steps/s" },
    { suite: "tensorboard", name: "learn, same run with tensorboardLog, steps/s", value: logged, unit: "steps/s", ratio, ratioOf: "no log" },
    { suite: "tensorboard", name: "time inside the logger and writer, share of learn's time (median run)", value: share * 100, unit: "%", target: "< 1%", pass: share < 0.01 },
  ];
}
