/**
 * What TensorBoard logging costs a training run: the same `learn` (same seed,
 * so the same episodes and updates) with and without `tensorboardLog`, in
 * turns, best of several runs each. SB3's defaults with a fast small network
 * (trainFreq 4, [64, 64], fused), where a fixed logging cost weighs most:
 * 20,000 steps of short CartPole episodes, a dump every 4 episodes (SB3's
 * log_interval), about 420 dumps a run, and a run shorter than the 2 s
 * between writes, so that everything is encoded and written at the end.
 *
 * The end-to-end ratio moves by several percent with the machine's load, far
 * more than the cost it measures; so the target is checked on the logging
 * work itself, timed inside the logged runs: every call into the logger and
 * the writer (each episode end, the dumps, and at the end the encoding,
 * framing, CRCs, file write and close) as a share of `learn`'s wall time. A
 * timed method called from another timed one is counted once. The timing's
 * own cost (two clock reads and a call, some 60 ns, on each of the ~1,700
 * calls a run) is not logging: it is measured on an empty method in this
 * process and subtracted per call; the share with it left in is shown beside.
 *
 * The logging code runs a few hundred times a run (once per dump, the final
 * encoding once per event), so V8 compiles it optimized only after a few
 * runs; a long run gets there within its first write. The timed runs follow
 * WARMUP untimed pairs, as harness.ts's timers warm up; the share in the
 * process's first logged run is shown beside.
 *
 * Creating the run folder and its event file (a readdir, a mkdir, a file
 * created and its first record written: file-system metadata, from 0.3 ms to
 * a few ms as the disk's journal is busy) happens once per `learn` call,
 * whatever its length: it is timed and shown on its own row, not counted in
 * the per-step work the target is on.
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
/** Untimed pairs first: the logging code runs once a run per dump, so it takes a few runs for V8 to compile it optimized. */
const WARMUP = 4;

/** Milliseconds spent inside the timed methods since the last reset, by bucket, and the calls timed. */
const spent = { logging: 0, setup: 0 };
let timedCalls = 0;
/** Timed calls in progress: a timed method called from another (the logger's close flushing the writer) is counted once, in the outer. */
let depth = 0;
/** Times `names` of `proto` into `spent[bucket]`; returns the restore (later suites run in this process). */
function timeMethods(proto: object, names: string[], bucket: keyof typeof spent = "logging"): () => void {
  const p = proto as Record<string, (...args: unknown[]) => unknown>;
  const originals = names.map((name) => [name, p[name]!] as const);
  for (const name of names) {
    const inner = p[name]!;
    p[name] = function (this: unknown, ...args: unknown[]) {
      if (depth > 0) return inner.apply(this, args);
      depth++;
      timedCalls++;
      const t = performance.now();
      try {
        return inner.apply(this, args);
      } finally {
        spent[bucket] += performance.now() - t;
        depth--;
      }
    };
  }
  return () => originals.forEach(([name, f]) => (p[name] = f));
}

/** The milliseconds a timed call of an empty method counts (the median of a few batches). */
function timingCostMs(): number {
  const empty = { f() {} };
  const restore = timeMethods(empty, ["f"]);
  const perCall: number[] = [];
  try {
    for (let batch = 0; batch < 9; batch++) {
      spent.logging = timedCalls = 0;
      for (let i = 0; i < 2000; i++) empty.f();
      perCall.push(spent.logging / timedCalls);
    }
  } finally {
    restore();
  }
  return perCall.sort((a, b) => a - b)[4]!;
}

async function run(tensorboardLog: string | undefined, timingMs: number): Promise<{ rate: number; loggingShare: number; rawShare: number; setupShare: number }> {
  const agent = await DQN.create(await make("CartPole-v1"), { learningStarts: 1000, backend: "fused", seed: 0, ...(tensorboardLog ? { tensorboardLog } : {}) });
  spent.logging = spent.setup = timedCalls = 0;
  const t0 = performance.now();
  await agent.learn({ totalTimesteps: STEPS });
  const ms = performance.now() - t0;
  agent.dispose();
  // The one setup call's timing cost is left in: it is nothing beside a folder's creation.
  return { rate: (STEPS * 1000) / ms, loggingShare: Math.max(0, spent.logging - (timedCalls - 1) * timingMs) / ms, rawShare: spent.logging / ms, setupShare: spent.setup / ms };
}

export default async function (): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "deepq-bench-tb-"));
  // All the logging work runs inside the logger's methods; the writer's are timed too, so that none could escape.
  const restore = [
    timeMethods(TrainLogger.prototype, ["open"], "setup"),
    timeMethods(TrainLogger.prototype, ["record", "episodeEnd", "evaluated", "close"]),
    timeMethods(TensorBoardWriter.prototype, ["addScalars", "bytes", "flush"]),
  ];
  let plain = 0;
  let logged = 0;
  const shares: number[] = [];
  const rawShares: number[] = [];
  const setupShares: number[] = [];
  let coldShare = NaN;
  try {
    const timingMs = timingCostMs();
    for (let i = 0; i < WARMUP; i++) {
      await run(undefined, timingMs);
      const r = await run(dir, timingMs);
      if (i === 0) coldShare = r.loggingShare;
    }
    for (let i = 0; i < RUNS; i++) {
      plain = Math.max(plain, (await run(undefined, timingMs)).rate);
      const r = await run(dir, timingMs);
      logged = Math.max(logged, r.rate);
      shares.push(r.loggingShare);
      rawShares.push(r.rawShare);
      setupShares.push(r.setupShare);
    }
  } finally {
    restore.forEach((r) => r());
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = logged / plain;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const share = median(shares);
  return [
    { suite: "tensorboard", name: "learn, SB3 defaults [64,64], no log, steps/s", value: plain, unit: "steps/s" },
    { suite: "tensorboard", name: "learn, same run with tensorboardLog, steps/s", value: logged, unit: "steps/s", ratio, ratioOf: "no log" },
    { suite: "tensorboard", name: "logging work (episode ends, dumps, final write), share of learn's time (median run)", value: share * 100, unit: "%", target: "< 1%", pass: share < 0.01 },
    { suite: "tensorboard", name: "the same, the timing's own cost per call left in", value: median(rawShares) * 100, unit: "%" },
    { suite: "tensorboard", name: "creating the run folder and event file (once a learn), share (median run)", value: median(setupShares) * 100, unit: "%" },
    { suite: "tensorboard", name: "logging work in the process's first logged run (not yet compiled), share", value: coldShare * 100, unit: "%" },
  ];
}
