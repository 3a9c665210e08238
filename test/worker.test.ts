/**
 * deepq/worker in Node (worker_threads), through the package's `exports` as a
 * user imports it (dist/worker.mjs, which starts dist/training-worker.mjs).
 *
 * The main thread must stay free while training runs: a 1 ms timer chain on
 * the main thread measures the gaps between ticks during the CartPole
 * preset's 30,000 steps. On these shared 2-core machines the OS alone gives
 * worst gaps of tens of ms even beside a worker that only spins (measured
 * first, as the control), and a high percentile of ~1000 ticks is one of the
 * two worst gaps, so it is noise. The share of time the main thread spent
 * stalled past a 60 Hz frame (test/support/timer-gaps.ts) adds every stall:
 * alone, the worst scheduling noise seen costs under 5% and a trainer on the
 * main thread most of the run; but with the suite's other files busy on both
 * cores beside the worker, the OS kept the main thread off a core for 221 ms
 * at once, 10.2% in all, while the control had run in a quiet moment. So the
 * gate is the main thread's event loop: busy (running code, not waiting)
 * under MAX_LOOP_BUSY of the time, which the OS's stalls do not touch and a
 * trainer on the main thread fills (the last test shows the gate failing
 * it). The stall share and the tail are reported beside it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { DeepQError, InvalidArgumentError, startTraining, type TrainingEvent, type Training } from "deepq/worker";
import { DQN, loadPolicy, make, presets } from "deepq";
import { FRAME_MS, describeGaps, percentile, stallShare, timerGaps } from "./support/timer-gaps.ts";
import { eventReader } from "./support/event-reader.ts";

const CORRIDOR = new URL("./fixtures/worker/corridor-env.mjs", import.meta.url).href;

/** The gate on the main thread's event-loop utilization while a worker trains; see the header. */
const MAX_LOOP_BUSY = 0.1;

const trainings: Training[] = [];
afterAll(() => trainings.forEach((t) => t.abort()));

describe("deepq/worker in Node (worker_threads)", () => {
  it("the main thread's timers keep ticking while the CartPole preset trains (its budget, or its early stop); the final file loads", async () => {
    // Control: a worker that only spins, as long as a short training would run.
    const spin = new Worker("const end = Date.now() + 5000; while (Date.now() < end);", { eval: true });
    const control = await timerGaps(() => new Promise((r) => spin.once("exit", r)));

    const events: TrainingEvent[] = [];
    const { result: bytes, gaps, loopBusy } = await timerGaps(async () => {
      const t = startTraining({ env: "CartPole-v1", preset: true, options: { backend: "fused", seed: 1 } });
      trainings.push(t);
      t.onProgress((e) => events.push(e));
      return t.done;
    });
    console.log(
      `main-thread timer gaps during the CartPole preset: ${describeGaps(gaps)}, event loop busy ${(100 * loopBusy!).toFixed(2)}% (spinning-worker control: ${describeGaps(control.gaps)})`,
    );
    expect(gaps.length).toBeGreaterThan(1000);
    expect(percentile(gaps, 50)).toBeLessThan(FRAME_MS);
    expect(loopBusy).toBeLessThan(MAX_LOOP_BUSY);
    expect(events.filter((e) => e.episodeReturn !== undefined).length).toBeGreaterThan(50);
    expect(events.some((e) => e.eval !== undefined), "the preset's periodic evaluation").toBe(true);
    const agent = await DQN.load(bytes);
    const budget = presets["CartPole-v1"]!.totalTimesteps;
    const lastEval = events.filter((e) => e.eval !== undefined).at(-1)!;
    if (agent.timesteps < budget) {
      // The preset's early stop: training ended at the evaluation that reached its threshold.
      expect(lastEval.eval!.mean).toBeGreaterThanOrEqual(presets["CartPole-v1"]!.evaluation.rewardThreshold!);
      expect(agent.timesteps).toBe(lastEval.timesteps);
    } else expect(agent.timesteps).toBe(budget);
    agent.dispose();
  }, 300_000);

  it("pauses (no steps while paused), resumes, snapshots round-trip through loadPolicy and DQN.load, abort ends with the last weights", async () => {
    const t = startTraining({ env: { module: CORRIDOR, export: "makeCorridor" }, totalTimesteps: 1_000_000, options: { netArch: [16], learningStarts: 200, seed: 3 } });
    trainings.push(t);
    const info = await t.ready;
    expect(info).toMatchObject({ backend: "fused", timesteps: 0, totalTimesteps: 1_000_000 });
    let latest = 0;
    t.onProgress((e) => (latest = e.timesteps));
    while (latest < 3000) await new Promise((r) => setTimeout(r, 20));

    await t.pause();
    await t.pause(); // pausing a paused run resolves at once
    const a = await DQN.load(await t.snapshot());
    await new Promise((r) => setTimeout(r, 300));
    const b = await DQN.load(await t.snapshot());
    expect(b.timesteps, "no env steps while paused").toBe(a.timesteps);
    expect(a.timesteps).toBeGreaterThanOrEqual(3000);
    const policy = await loadPolicy(await t.snapshot());
    for (const x of [[0, 1], [0.5, 0.5], [0.875, 0.125]]) expect(policy.act(x)).toBe(a.predict(x));

    await t.resume();
    while (latest <= a.timesteps) await new Promise((r) => setTimeout(r, 20));
    const unsubscribe = t.onProgress(() => {});
    unsubscribe();
    t.abort();
    const last = await DQN.load(await t.done);
    expect(last.timesteps).toBeGreaterThan(a.timesteps);
    expect(last.timesteps).toBeLessThan(1_000_000);
    // After the end, snapshot() gives the final file, pause/resume resolve.
    expect((await DQN.load(await t.snapshot())).timesteps).toBe(last.timesteps);
    await t.pause();
    for (const x of [a, b, last]) x.dispose();
    policy.dispose();
  }, 120_000);

  it("continues a save file (from) with its counters", async () => {
    const first = startTraining({ env: "CartPole-v1", totalTimesteps: 1500, options: { learningStarts: 500, seed: 2 } });
    const bytes = await first.done;
    const second = startTraining({ env: "CartPole-v1", totalTimesteps: 1000, from: bytes });
    expect((await second.ready).timesteps).toBe(1500);
    const agent = await DQN.load(await second.done);
    expect(agent.timesteps).toBe(2500);
    agent.dispose();
  }, 60_000);

  it("tensorboard: true keeps SB3's scalars in the worker: tensorboardLog() reads back while running and after done", async () => {
    const t = startTraining({ env: "CartPole-v1", totalTimesteps: 3000, tensorboard: true, options: { learningStarts: 500, seed: 3 } });
    trainings.push(t);
    await t.ready;
    const early = await t.tensorboardLog();
    expect(early.fileName).toMatch(/^events\.out\.tfevents\.\d+\.worker$/);
    await t.done;
    const { fileName, bytes } = await t.tensorboardLog();
    expect(fileName).toBe(early.fileName);
    expect(bytes.length).toBeGreaterThan(early.bytes.length);
    expect(() => startTraining({ env: "CartPole-v1", totalTimesteps: 10, tensorboard: 1 } as never)).toThrow(/tensorboard/);
    const plain = startTraining({ env: "CartPole-v1", totalTimesteps: 10 });
    trainings.push(plain);
    await expect(plain.tensorboardLog()).rejects.toThrow(/tensorboard: true/);
    const read = eventReader();
    if (!read) return; // eventReader said why, loudly (and fails under CI)
    const dir = mkdtempSync(join(tmpdir(), "deepq-worker-tb-"));
    writeFileSync(join(dir, fileName), bytes);
    const { events, trailing } = read(join(dir, fileName));
    expect(trailing).toBe(0);
    const tags = new Set(events.flatMap((e) => e.values.map((v) => v.tag)));
    for (const tag of ["rollout/ep_rew_mean", "rollout/exploration_rate", "train/loss", "time/fps"]) expect(tags).toContain(tag);
    expect(Math.max(...events.map((e) => e.step))).toBeLessThanOrEqual(3000);
  }, 60_000);

  it("bad arguments throw at the call; what the worker finds rejects ready and done with a DeepQError", async () => {
    expect(() => startTraining({ env: 42 } as never)).toThrow(InvalidArgumentError);
    expect(() => startTraining({ env: "CartPole-v1" })).toThrow(/totalTimesteps/);
    expect(() => startTraining({ env: { module: "./relative.mjs" }, totalTimesteps: 10 })).toThrow(/env\.module/);
    expect(() => startTraining({ env: "CartPole-v1", totalTimesteps: 10, options: { learningRate: () => 1e-3 } })).toThrow(/options\.learningRate/);
    expect(() => startTraining({ env: { module: CORRIDOR }, preset: true })).toThrow(/preset/);
    expect(() => startTraining({ env: "CartPole-v1", totalTimesteps: 10, speed: 2 } as never)).toThrow(/speed/);

    const unknownEnv = startTraining({ env: "Pong-v9", totalTimesteps: 10 });
    await expect(unknownEnv.done).rejects.toThrow(InvalidArgumentError);
    await expect(unknownEnv.ready).rejects.toThrow(/Pong-v9/);
    const badOption = startTraining({ env: "CartPole-v1", totalTimesteps: 10, options: { gamma: 2 } });
    await expect(badOption.done).rejects.toThrow(/gamma/);
    const crash = startTraining({ env: { module: CORRIDOR, export: "broken" }, totalTimesteps: 10 });
    const err = await crash.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeepQError);
    expect((err as Error).message).toMatch(/asset failed to load/);
    await expect(crash.snapshot()).rejects.toThrow(DeepQError);
    const missing = startTraining({ env: { module: CORRIDOR, export: "nope" }, totalTimesteps: 10 });
    await expect(missing.done).rejects.toThrow(/env\.export/);
  }, 60_000);

  it("the gate fails a trainer on the main thread: DQN.learn here, though it yields every 50 ms, stalls the timers past the gate", async () => {
    const agent = await DQN.create(await make("CartPole-v1"), { ...presets["CartPole-v1"]!.options, backend: "fused", seed: 1, learningStarts: 0 });
    const { gaps, loopBusy } = await timerGaps(() => agent.learn({ totalTimesteps: 1_000_000, signal: AbortSignal.timeout(1500) }));
    console.log(`main-thread timer gaps while DQN.learn runs on the main thread: ${describeGaps(gaps)}, event loop busy ${(100 * loopBusy!).toFixed(2)}%`);
    expect(loopBusy).toBeGreaterThan(MAX_LOOP_BUSY);
    expect(stallShare(gaps)).toBeGreaterThan(0.1);
    agent.dispose();
  });
});
