/**
 * Conv Q-networks: DQN updates per second of MinAtar's network (10x10x4,
 * conv 16 3x3 valid, FC 128, 3 actions; Huber, Adam; batch 32) on the fused
 * engine, against PyTorch on the CPU with one thread (bench/torch_conv.py,
 * Debian's python3-torch), a tfjs-wasm autodiff update and deepq's own tfjs
 * engine on wasm, all in this run. tfjs-wasm registers no
 * Conv2DBackpropFilter kernel, so the autodiff update takes the filter
 * gradient as a conv2d over transposed tensors (a custom gradient); the
 * observation's gradient is not computed (nothing needs it), as PyTorch
 * skips it too. deepq's tfjs engine (src/nn/tfjs/) takes it in a host kernel.
 * Targets: >= 2x PyTorch, >= 5x tfjs-wasm (autodiff); the ratio to deepq's
 * tfjs engine is reported without a target.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "../test/support/relaxed-simd.ts";
import { randomBatch } from "../test/support/batches.ts";
import { FusedQNet } from "../src/nn/fused.ts";
import { TfjsEngine } from "../src/nn/tfjs/engine.ts";
import { initParams, layerShapes, type NetSpec } from "../src/nn/spec.ts";
import { Rng } from "../src/runtime/rng.ts";
import type { WasmFlavor } from "../src/runtime/wasm.ts";
import { bestRate, ratioAtLeast, type BenchRow } from "./harness.ts";
import { registerGradients } from "./fused.bench.ts";

const BATCH = 32;
const MINATAR: NetSpec = {
  observationSize: 400,
  observationShape: [10, 10, 4],
  conv: [{ filters: 16, kernel: 3, stride: 1, padding: "valid" }],
  hidden: [128],
  nActions: 3,
  dueling: false,
};
const torchScript = fileURLToPath(new URL("./torch_conv.py", import.meta.url));

/** MinAtar-like frames: about one cell in ten set. */
function batch() {
  const rng = new Rng(1);
  const b = randomBatch(rng, MINATAR, BATCH);
  for (const obs of [b.observations, b.nextObservations]) obs.forEach((_, i, a) => (a[i] = rng.nextDouble() < 0.1 ? 1 : 0));
  return b;
}

/**
 * Multiply-adds of one update on the real layer sizes: three forward
 * passes' worth per layer (online, target, and dW = Xᵀ·dY), plus dX = dY·Wᵀ
 * above the first layer; a conv layer counts once per output cell.
 */
function flopsPerUpdate(spec: NetSpec): number {
  const macs = layerShapes(spec).reduce((s, l, i) => s + l.inSize * l.outSize * (l.conv ? l.conv.outH * l.conv.outW : 1) * (i === 0 ? 3 : 4), 0);
  return 2 * BATCH * macs;
}

async function fusedUpdates(flavor: WasmFlavor): Promise<number> {
  const net = await FusedQNet.create(MINATAR, { batchSize: BATCH, learningRate: 1e-4, loss: "huber", flavor });
  net.update(batch());
  const at = net.batchAddresses;
  return bestRate(() => {
    net.updateFrom(at, BATCH);
    return 1;
  });
}

async function tfjsUpdates(): Promise<number> {
  const params = initParams(MINATAR, 0);
  const [c, h, o] = layerShapes(MINATAR) as [ReturnType<typeof layerShapes>[0], ReturnType<typeof layerShapes>[0], ReturnType<typeof layerShapes>[0]];
  const slice = (l: typeof c, shape: number[]) => [
    tf.variable(tf.tensor(params.subarray(l.offset, l.offset + l.inSize * l.outSize), shape)),
    tf.variable(tf.tensor1d(params.subarray(l.offset + l.inSize * l.outSize, l.offset + (l.inSize + 1) * l.outSize))),
  ];
  const vars = [...slice(c, [3, 3, 4, 16]), ...slice(h, [1024, 128]), ...slice(o, [128, 3])];
  const target = vars.map((v) => tf.keep(v.clone()));
  // conv2d whose filter gradient is a conv2d of the transposed input by the transposed output gradient.
  const conv = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"),
      gradFunc: (dy: tf.Tensor, [x0]: tf.Tensor[]) => [
        tf.zerosLike(x0!),
        tf.transpose(tf.conv2d(tf.transpose(x0!, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, "valid"), [1, 2, 0, 3]),
      ],
    };
  }) as unknown as Parameters<typeof tf.customGrad<tf.Tensor4D>>[0]);
  const forward = (w: tf.Tensor[], x: tf.Tensor): tf.Tensor2D => {
    const a = tf.relu(tf.add(conv(x, w[0]!), w[1]!));
    const hid = tf.relu(tf.add(tf.matMul(tf.reshape(a, [BATCH, 1024]), w[2] as tf.Tensor2D), w[3]!));
    return tf.add(tf.matMul(hid, w[4] as tf.Tensor2D), w[5]!);
  };
  const optimizer = tf.train.adam(1e-4);
  const b = batch();
  const update = () => {
    const loss = tf.tidy(() => {
      const obs = tf.tensor4d(b.observations, [BATCH, 10, 10, 4]);
      const next = tf.tensor4d(b.nextObservations, [BATCH, 10, 10, 4]);
      const y = tf.add(tf.tensor1d(b.rewards), tf.mul(tf.mul(tf.max(forward(target, next), 1), 0.99), tf.sub(1, tf.tensor1d(b.dones))));
      const mask = tf.oneHot(tf.tensor1d(b.actions, "int32"), 3);
      return optimizer.minimize(() => {
        const td = tf.sub(tf.sum(tf.mul(forward(vars, obs), mask), 1), y);
        // Huber: 0.5 c^2 + (|td| - c) with c = min(|td|, 1) (tfjs has no gradient for a where's condition).
        const abs = tf.abs(td);
        const c = tf.minimum(abs, 1);
        return tf.mean(tf.add(tf.mul(0.5, tf.square(c)), tf.sub(abs, c)));
      }, true, vars as tf.Variable[])!;
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

/** deepq's tfjs engine on wasm (what `backend: "wasm"` trains with), reading each update's loss as the autodiff update does. */
async function engineUpdates(): Promise<number> {
  const engine = await TfjsEngine.create({ spec: MINATAR, learningRate: 1e-4, gamma: 0.99, loss: "huber", doubleQ: false, seed: 0 }, "wasm");
  const b = batch();
  const result = bestRate(() => {
    engine.update(b).loss();
    return 1;
  }, 8, 0.3);
  engine.dispose();
  return result;
}

function torchUpdates(): number | undefined {
  if (!existsSync("/usr/bin/python3")) return undefined;
  const r = spawnSync("/usr/bin/python3", [torchScript, "--threads", "1", "--batch", String(BATCH), "--seconds", "3"], {
    env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE" },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout.trim().split("\n").pop()!).updates_per_s as number;
}

export default async function run(): Promise<BenchRow[]> {
  const require = createRequire(import.meta.url);
  await registerGradients(require);
  setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));
  await tf.setBackend("wasm");
  await tf.ready();
  const name = "update MinAtar conv 16 3x3 -> 128 -> 3, batch 32";
  const rows: BenchRow[] = [];
  const torch = torchUpdates();
  const tfjs = await tfjsUpdates();
  const engine = await engineUpdates();
  rows.push({ suite: "conv", name: `${name} (tfjs wasm)`, value: tfjs, unit: "updates/s" });
  rows.push({ suite: "conv", name: `${name} (deepq tfjs engine, wasm)`, value: engine, unit: "updates/s" });
  if (torch === undefined) rows.push({ suite: "conv", name: `${name} [PyTorch baseline unavailable: apt-get install python3-torch]`, value: NaN, unit: "updates/s" });
  else rows.push({ suite: "conv", name: `${name} (PyTorch, 1 thread)`, value: torch, unit: "updates/s" });
  for (const flavor of ["relaxed-simd", "simd"] as const) {
    const value = await fusedUpdates(flavor);
    const row: BenchRow = { suite: "conv", name: `${name} (fused ${flavor})`, value, unit: "updates/s" };
    if (flavor === "relaxed-simd") {
      rows.push(ratioAtLeast({ ...row, name: `${row.name} vs tfjs`, ratio: value / tfjs, ratioOf: "tfjs wasm" }, 5));
      rows.push({ ...row, name: `${row.name} vs deepq tfjs engine`, ratio: value / engine, ratioOf: "deepq tfjs engine, wasm" });
      if (torch !== undefined) rows.push(ratioAtLeast({ ...row, name: `${row.name} vs PyTorch`, ratio: value / torch, ratioOf: "PyTorch" }, 2));
    } else rows.push(row);
    rows.push({ suite: "conv", name: `  GFLOP/s (fused ${flavor})`, value: (value * flopsPerUpdate(MINATAR)) / 1e9, unit: "GFLOP/s" });
  }
  return rows;
}
