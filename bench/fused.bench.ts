/**
 * The fused engine: DQN updates per second (both WASM builds) against a
 * straightforward tfjs-wasm autodiff update measured in the same run, the
 * GFLOP/s that implies, and single-observation greedy actions per second.
 * The tfjs baseline is written here (forward, max target, MSE, Adam through
 * optimizer.minimize). PyTorch runs the same update (bench/torch_update.py,
 * one thread) in the same run, for 4-128-128-2 and 4-256-256-2 at batch 64.
 */
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import * as esbuild from "esbuild";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "../test/support/relaxed-simd.ts";
import { randomBatch } from "../test/support/batches.ts";
import { FusedQNet } from "../src/nn/fused.ts";
import { initParams, layerShapes, type NetSpec } from "../src/nn/spec.ts";
import { Rng } from "../src/runtime/rng.ts";
import type { WasmFlavor } from "../src/runtime/wasm.ts";
import { atLeast, baseline, bestRate, ratioAtLeast, type BenchRow } from "./harness.ts";
import { runTorch } from "./torch.ts";

const batchOf = (spec: NetSpec, rows: number) => randomBatch(new Rng(1), spec, rows);

/**
 * Multiply-adds of one update, counted on the real (unpadded) layer sizes:
 * forward online on observations and target on next observations, then
 * per layer dW = Xᵀ·dY and, above the first layer, dX = dY·Wᵀ.
 */
function flopsPerUpdate(spec: NetSpec, rows: number): number {
  const macs = layerShapes(spec).reduce((s, l, i) => s + l.inSize * l.outSize * (i === 0 ? 3 : 4), 0);
  return 2 * rows * macs;
}

/** The update every engine here runs: the seeds' (MSE, max over the target network, no clipping), Adam 1e-4. */
const UPDATE = { learningRate: 1e-4, loss: "mse", doubleQ: false } as const;

async function fusedUpdates(spec: NetSpec, rows: number, flavor: WasmFlavor): Promise<number> {
  const net = await FusedQNet.create(spec, { batchSize: rows, ...UPDATE, flavor });
  const batch = batchOf(spec, rows);
  net.update(batch);
  // Transitions already in WASM memory, as a replay buffer in the same arena leaves them.
  const at = net.batchAddresses;
  return bestRate(() => {
    net.updateFrom(at, rows);
    return 1;
  });
}

/** The same update in plain tfjs: variables, a target copy, optimizer.minimize. */
async function tfjsUpdates(spec: NetSpec, rows: number): Promise<number> {
  const params = initParams(spec, 0);
  const shapes = layerShapes(spec);
  const vars = shapes.flatMap((l) => [
    tf.variable(tf.tensor2d(params.subarray(l.offset, l.offset + l.inSize * l.outSize), [l.inSize, l.outSize])),
    tf.variable(tf.tensor1d(params.subarray(l.offset + l.inSize * l.outSize, l.offset + (l.inSize + 1) * l.outSize))),
  ]);
  const target = vars.map((v) => tf.keep(v.clone()));
  const forward = (w: tf.Tensor[], x: tf.Tensor2D): tf.Tensor2D => {
    let h = x;
    for (let i = 0; i < w.length; i += 2) {
      h = tf.add(tf.matMul(h, w[i] as tf.Tensor2D), w[i + 1]!);
      if (i + 2 < w.length) h = tf.relu(h);
    }
    return h;
  };
  const optimizer = tf.train.adam(UPDATE.learningRate);
  const batch = batchOf(spec, rows);
  const D = spec.observationSize;
  const update = () => {
    const loss = tf.tidy(() => {
      const obs = tf.tensor2d(batch.observations, [rows, D]);
      const next = tf.tensor2d(batch.nextObservations, [rows, D]);
      const notDone = tf.sub(1, tf.tensor1d(batch.dones));
      const y = tf.add(tf.tensor1d(batch.rewards), tf.mul(tf.mul(tf.max(forward(target, next), 1), tf.tensor1d(batch.discounts)), notDone));
      const mask = tf.oneHot(tf.tensor1d(batch.actions, "int32"), spec.nActions);
      return optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.sum(tf.mul(forward(vars, obs), mask), 1), y))), true, vars)!;
    });
    loss.dataSync();
    loss.dispose();
    return 1;
  };
  const result = bestRate(update, 8, 0.3);
  tf.dispose([...vars, ...target]);
  optimizer.dispose();
  return result;
}

/** PyTorch's updates/s for 4-h-h-2 at batch 64, by h: the same update, one thread (bench/torch_update.py). */
function torchUpdates(widths: number[]): Map<number, number> | string {
  const args = [...widths.flatMap((h) => ["--hidden", `${h},${h}`]), "--batch", "64", "--lr", String(UPDATE.learningRate), "--loss", UPDATE.loss];
  const r = runTorch<{ rows: { hidden: number[]; updates_per_s: number }[] }>("torch_update.py", args);
  return r.ok ? new Map(r.value.rows.map((row) => [row.hidden[0]!, row.updates_per_s])) : r.why;
}

async function actions(spec: NetSpec, flavor: WasmFlavor): Promise<number> {
  const net = await FusedQNet.create(spec, { batchSize: 64, learningRate: 1e-4, flavor });
  const rng = new Rng(2);
  const observations = Array.from({ length: 256 }, () => Float32Array.from({ length: spec.observationSize }, () => rng.uniform(-2, 2)));
  return bestRate(() => {
    for (let k = 0; k < 256; k++) net.act(observations[k]!);
    return 256;
  });
}

/**
 * Registers tfjs's gradients: the CommonJS build Node loads ships without
 * them, and the ESM build's extensionless imports do not resolve under Node,
 * so the registrations are bundled here (they land in tfjs's global registry).
 */
export async function registerGradients(require: NodeJS.Require): Promise<void> {
  const entry = join(dirname(require.resolve("@tensorflow/tfjs-core/package.json")), "dist", "register_all_gradients.js");
  const built = await esbuild.build({ entryPoints: [entry], bundle: true, format: "esm", write: false, logLevel: "silent" });
  await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0]!.text).toString("base64")}`);
}

export default async function run(): Promise<BenchRow[]> {
  const require = createRequire(import.meta.url);
  await registerGradients(require);
  setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));
  await tf.setBackend("wasm");
  await tf.ready();

  const rows: BenchRow[] = [];
  const net = (h: number): NetSpec => ({ observationSize: 4, nActions: 2, hidden: [h, h], dueling: false });
  const torch = torchUpdates([128, 256]);
  const targets: Record<string, number> = { "128 64": 2400, "256 64": 800 };
  for (const h of [128, 256]) {
    for (const batch of [64, 256]) {
      const spec = net(h);
      const name = `4-${h}-${h}-2 batch ${batch}`;
      const tfjs = await tfjsUpdates(spec, batch);
      rows.push({ suite: "fused", name: `update ${name} (tfjs wasm)`, value: tfjs, unit: "updates/s" });
      if (batch === 64) rows.push(baseline({ suite: "fused", name: `update ${name} (PyTorch 1 thread)`, unit: "updates/s" }, typeof torch === "string" ? torch : torch.get(h)!));
      for (const flavor of ["relaxed-simd", "simd"] as const) {
        const value = await fusedUpdates(spec, batch, flavor);
        let row: BenchRow = { suite: "fused", name: `update ${name} (fused ${flavor})`, value, unit: "updates/s", ratio: value / tfjs, ratioOf: "tfjs wasm" };
        const min = targets[`${h} ${batch}`];
        if (min !== undefined && flavor === "relaxed-simd") {
          rows.push(atLeast(row, min));
          if (h === 128) rows.push(ratioAtLeast({ ...row, name: `update ${name} (fused ${flavor}) vs tfjs` }, 3));
        } else {
          rows.push(row);
        }
        row = { suite: "fused", name: `  GFLOP/s ${name} (fused ${flavor})`, value: (value * flopsPerUpdate(spec, batch)) / 1e9, unit: "GFLOP/s" };
        rows.push(row);
      }
    }
  }
  for (const h of [128, 64]) {
    for (const flavor of ["relaxed-simd", "simd"] as const) {
      const row: BenchRow = { suite: "fused", name: `greedy action 4-${h}-${h}-2, one observation (${flavor})`, value: await actions(net(h), flavor), unit: "actions/s" };
      // Targets apply to the build deepq picks where it can, as for updates.
      rows.push(h === 128 && flavor === "relaxed-simd" ? atLeast(row, 1e6, ">= 1e6") : row);
    }
  }
  return rows;
}
