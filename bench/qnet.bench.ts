/**
 * Q-network updates per second on the tfjs engines (wasm, cpu), against the
 * straightforward tfjs update (customGrad dense layers + tf.train.adam) in
 * the same run, plus greedy single-observation actions per second and the
 * kernel profile of one update (printed to stderr). The configuration is
 * Stable-Baselines3's DQN default: Huber loss, maxGradNorm 10.
 */
import * as tf from "@tensorflow/tfjs-core";
import { TfjsEngine } from "../src/nn/tfjs/engine.ts";
import { BaselineDqn, type DenseFlavor } from "../test/oracles/tfjs-baseline.ts";
import { initParams, paramCount } from "../src/nn/spec.ts";
import type { EngineConfig } from "../src/nn/engine.ts";
import { activateBackend, loadBackend } from "../src/runtime/tfjs.ts";
import { randomBatches } from "../test/helpers/batches.ts";
import { atLeast, rate, ratioAtLeast, type BenchRow } from "./harness.ts";

const config = (hidden: readonly number[]): EngineConfig => ({ spec: { observationSize: 4, nActions: 2, hidden, dueling: false }, learningRate: 1e-4, gamma: 0.99, doubleQ: false, loss: "huber", maxGradNorm: 10, seed: 0 });
const arch = (hidden: readonly number[]) => [4, ...hidden, 2].join("-");

type Runner = { step: () => void; dispose: () => void };

async function engineRunner(backend: "wasm" | "cpu", c: EngineConfig, batchSize: number): Promise<Runner> {
  const e = await TfjsEngine.create(c, backend);
  const batches = randomBatches(c.spec, batchSize, 8, 1);
  let i = 0;
  return { step: () => void e.update(batches[i++ % 8]!), dispose: () => e.dispose() };
}

async function baselineRunner(c: EngineConfig, batchSize: number, flavor: DenseFlavor): Promise<Runner> {
  await loadBackend("wasm", []);
  const b = new BaselineDqn(c, initParams(c.spec, c.seed), flavor);
  const batches = randomBatches(c.spec, batchSize, 8, 1);
  let i = 0;
  const step = () => {
    activateBackend("wasm"); // the baseline runs on whatever backend is active
    b.update(batches[i++ % 8]!);
  };
  return { step, dispose: () => b.dispose() };
}

/**
 * Updates per second of each runner: the best of `rounds` short rounds, the
 * runners taking turns, so that load from other processes (this machine is
 * shared) hits all of them alike and the best round shows what the code can do.
 */
async function bestRates(runners: Runner[], rounds: number, seconds: number): Promise<number[]> {
  const best = runners.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    runners.forEach((run, k) => (best[k] = Math.max(best[k]!, rate(() => (run.step(), 1), seconds))));
  }
  runners.forEach((run) => run.dispose());
  return best;
}

/** The targets for 4-128-128-2 at batch 64: >= 1,000 updates/s and >= 1.6x the customGrad baseline. */
function bothTargets(row: BenchRow): BenchRow {
  const [absolute, relative] = [atLeast(row, 1000), ratioAtLeast(row, 1.6)];
  return { ...row, target: `${absolute.target}, ${relative.target}`, pass: absolute.pass! && relative.pass! };
}

/**
 * Kernels of one update and time per kernel class: each kernel's fastest of
 * 50 profiled updates (robust to other processes' load), summed per class.
 */
async function profile(c: EngineConfig, batchSize: number): Promise<number> {
  const e = await TfjsEngine.create(c, "wasm");
  const batches = randomBatches(c.spec, batchSize, 8, 1);
  for (let i = 0; i < 20; i++) e.update(batches[i % 8]!);
  let names: string[] = [];
  const fastest: number[] = [];
  for (let i = 0; i < 50; i++) {
    const p = await tf.profile(() => void e.update(batches[i % 8]!));
    names = p.kernels.map((k) => k.name);
    p.kernels.forEach((k, j) => (fastest[j] = Math.min(fastest[j] ?? Infinity, k.kernelTimeMs as number)));
  }
  e.dispose();
  const byKernel = new Map<string, { count: number; ms: number }>();
  names.forEach((name, j) => {
    const s = byKernel.get(name) ?? { count: 0, ms: 0 };
    byKernel.set(name, { count: s.count + 1, ms: s.ms + fastest[j]! });
  });
  const total = fastest.reduce((t, ms) => t + ms, 0);
  process.stderr.write(`kernel profile, wasm ${arch(c.spec.hidden)} batch ${batchSize}: ${names.length} kernels, ${(total * 1000).toFixed(0)} us in kernels per update\n`);
  process.stderr.write(`  dispatch floor: ${names.length} one-element kernels in a tidy take ${dispatchFloorUs(names.length).toFixed(0)} us\n`);
  for (const [name, s] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
    process.stderr.write(`  ${name.padEnd(14)} x${String(s.count).padStart(2)}  ${(s.ms * 1000).toFixed(0).padStart(5)} us  ${((100 * s.ms) / total).toFixed(0).padStart(3)}%\n`);
  }
  return names.length;
}

/** Microseconds for `kernels` one-element Adds in one tf.tidy on wasm: what an update's dispatches cost beyond their arithmetic. */
function dispatchFloorUs(kernels: number): number {
  activateBackend("wasm");
  const one = tf.scalar(1);
  const perSecond = rate(() => {
    tf.tidy(() => {
      for (let k = 0; k < kernels; k++) tf.add(one, one);
    });
    return 1;
  }, 0.3);
  one.dispose();
  return 1e6 / perSecond;
}

export default async function (): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const suite = "qnet";
  const ratioOf = "customGrad+tf.train.adam";
  for (const hidden of [[128, 128], [256, 256]]) {
    const c = config(hidden);
    for (const batchSize of [64, 256]) {
      const name = `${arch(hidden)} (${paramCount(c.spec)} params) batch ${batchSize}`;
      const headline = hidden[0] === 128 && batchSize === 64;
      const runners = [await baselineRunner(c, batchSize, "customGrad"), await engineRunner("wasm", c, batchSize), await engineRunner("cpu", c, batchSize)];
      if (headline) runners.push(await baselineRunner(c, batchSize, "autodiff"));
      const [baseline, wasm, cpu, autodiff] = await bestRates(runners, 5, 0.3);
      const row: BenchRow = { suite, name: `update, wasm, ${name}`, value: wasm!, unit: "updates/s", ratio: wasm! / baseline!, ratioOf };
      rows.push({ suite, name: `update, tfjs customGrad baseline, ${name}`, value: baseline!, unit: "updates/s" }, headline ? bothTargets(row) : row);
      if (autodiff !== undefined) rows.push({ suite, name: `update, tfjs autodiff baseline, ${name}`, value: autodiff, unit: "updates/s", ratio: autodiff / baseline!, ratioOf });
      rows.push({ suite, name: `update, cpu, ${name}`, value: cpu!, unit: "updates/s" });
    }
  }
  const c = config([128, 128]);
  const obs = Float32Array.of(0.01, -0.02, 0.03, 0.04);
  for (const backend of ["wasm", "cpu"] as const) {
    const e = await TfjsEngine.create(c, backend);
    const [best] = await bestRates([{ step: () => void e.act(obs), dispose: () => e.dispose() }], 5, 0.2);
    rows.push({ suite, name: `greedy action, one observation, ${backend}, ${arch(c.spec.hidden)}`, value: best!, unit: "actions/s" });
  }
  rows.push({ suite, name: `kernels per update, wasm, ${arch(c.spec.hidden)} batch 64 (maxGradNorm: 10)`, value: await profile(c, 64), unit: "kernels" });
  return rows;
}
