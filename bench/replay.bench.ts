/**
 * Replay throughput, WASM against the plain-TS reference in the same run.
 * Rates count transitions (sampled rows, or added rows) per second; a
 * sample(64) call is 64 of them.
 */
import { atLeast, rate, ratioAtLeast, type BenchRow } from "./harness.ts";
import { scalarTwin } from "../test/support/test-wasm.ts";
import { PrioritizedReplayBuffer, ReplayBuffer } from "../src/replay/buffer.ts";
import { ReferenceReplayBuffer } from "../test/oracles/replay-reference.ts";
import { Rng } from "../src/runtime/rng.ts";
import { ArenaPlan } from "../src/runtime/wasm.ts";

const D = 4; // CartPole

interface Adds {
  add(obs: Float32Array, action: number, reward: number, nextObs: Float32Array, terminated: boolean): void;
  addBatch(obs: Float32Array, actions: Int32Array, rewards: Float32Array, nextObs: Float32Array, terminated: Uint8Array): void;
}

/** Fills a buffer with CartPole-shaped episodes (mean length 50) from `numEnvs` envs. */
function fill(rb: Adds, numEnvs: number, transitions: number): void {
  const rng = new Rng(1);
  const obs = Float32Array.from({ length: numEnvs * D }, () => rng.uniform(-0.05, 0.05));
  const next = new Float32Array(numEnvs * D);
  const actions = new Int32Array(numEnvs);
  const rewards = new Float32Array(numEnvs).fill(1);
  const ends = new Uint8Array(numEnvs);
  for (let t = 0; t < transitions / numEnvs; t++) {
    for (let i = 0; i < numEnvs * D; i++) next[i] = obs[i]! + rng.uniform(-0.1, 0.1);
    for (let e = 0; e < numEnvs; e++) {
      actions[e] = rng.int(2);
      ends[e] = rng.nextDouble() < 0.02 ? 1 : 0;
    }
    rb.addBatch(obs, actions, rewards, next, ends);
    for (let e = 0; e < numEnvs; e++) {
      for (let j = 0; j < D; j++) obs[e * D + j] = ends[e] ? rng.uniform(-0.05, 0.05) : next[e * D + j]!;
    }
  }
}

/** The best of three timings: the TS reference's JIT warms up unevenly, and a slow first run would flatter the ratio. */
function bestRate(fn: () => number): number {
  return Math.max(rate(fn), rate(fn), rate(fn));
}

export default async function replayBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const suite = "replay";
  const options = { capacity: 100_000, observationSize: D, seed: 0 };
  const plan = new ArenaPlan();
  const planned = ReplayBuffer.plan(plan, options);
  const arena = await plan.instantiate();
  const rb = planned.bind(arena);
  const ref = ReferenceReplayBuffer.uniform(options);
  fill(rb, 1, 100_000);
  fill(ref, 1, 100_000);

  for (const batch of [64, 256]) {
    const ts = bestRate(() => (ref.sample(batch), batch));
    const wasm = bestRate(() => (rb.sample(batch), batch));
    rows.push({ suite, name: `uniform sample(${batch}), CartPole rows, 100k (ts reference)`, value: ts, unit: "rows/s" });
    const row: BenchRow = { suite, name: `uniform sample(${batch}), CartPole rows, 100k (wasm)`, value: wasm, unit: "rows/s", ratio: wasm / ts, ratioOf: "ts reference" };
    if (batch !== 64) rows.push(row);
    else {
      // Both targets: >= 2 M rows/s and >= 4x the reference.
      const both = [atLeast(row, 2e6), ratioAtLeast(row, 4)];
      rows.push({ ...row, target: both.map((r) => r.target).join(" and "), pass: both.every((r) => r.pass) });
    }
  }
  // The kernels alone (no argument checks), SIMD gather and its scalar twin.
  const h = rb.addresses.header;
  const simd = rate(() => (arena.kernels.replaySample(h, 64), 64));
  const twin = await scalarTwin(arena);
  const scalar = rate(() => (twin.kernels.replaySample(h, 64), 64));
  rows.push({ suite, name: "uniform sample(64) kernel alone, scalar twin", value: scalar, unit: "rows/s" });
  rows.push({ suite, name: "uniform sample(64) kernel alone, v128 gather", value: simd, unit: "rows/s", ratio: simd / scalar, ratioOf: "scalar twin" });

  // Adds alone: two steps whose observations chain into each other, alternately.
  for (const numEnvs of [1, 16]) {
    const rng = new Rng(3);
    const states = [0, 1].map(() => Float32Array.from({ length: numEnvs * D }, () => rng.uniform(-0.05, 0.05)));
    const actions = new Int32Array(numEnvs);
    const rewards = new Float32Array(numEnvs).fill(1);
    const ends = new Uint8Array(numEnvs);
    const vecOptions = { ...options, numEnvs };
    const wasmBuffer = await ReplayBuffer.create(vecOptions);
    const tsBuffer = ReferenceReplayBuffer.uniform(vecOptions);
    let t = 0;
    const step =
      numEnvs === 1
        ? (b: Adds) => (b.add(states[t & 1]!, 0, 1, states[++t & 1]!, false), 1)
        : (b: Adds) => (b.addBatch(states[t & 1]!, actions, rewards, states[++t & 1]!, ends), numEnvs);
    const ts = rate(() => step(tsBuffer));
    const wasm = rate(() => step(wasmBuffer));
    const name = numEnvs === 1 ? "add, 1 env" : `addBatch, ${numEnvs} envs`;
    rows.push({ suite, name: `${name} (ts reference)`, value: ts, unit: "rows/s" });
    rows.push({ suite, name: `${name} (wasm)`, value: wasm, unit: "rows/s", ratio: wasm / ts, ratioOf: "ts reference" });
  }

  const perOptions = { capacity: 1_000_000, observationSize: D, alpha: 0.6, beta: 0.4, seed: 0 };
  const per = await PrioritizedReplayBuffer.create(perOptions);
  const perRef = ReferenceReplayBuffer.prioritized(perOptions);
  fill(per, 1, 1_000_000);
  fill(perRef, 1, 1_000_000);
  const rng = new Rng(2);
  const td = Float32Array.from({ length: 64 }, () => rng.uniform(0, 2));
  const perTs = bestRate(() => (perRef.updatePriorities(perRef.sample(64).indices, td), 64));
  const perWasm = bestRate(() => (per.updatePriorities(per.sample(64).indices, td), 64));
  rows.push({ suite, name: "PER sample(64) + updatePriorities, 1M (ts reference)", value: perTs, unit: "rows/s" });
  rows.push(atLeast({ suite, name: "PER sample(64) + updatePriorities, 1M (wasm)", value: perWasm, unit: "rows/s", ratio: perWasm / perTs, ratioOf: "ts reference" }, 2e5));
  return rows;
}
