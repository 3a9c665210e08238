/**
 * Conv layers on the tfjs engines: gradients against the float64 reference
 * (both kernel paths), the fused engine and the tfjs engines (wasm, cpu)
 * trained side by side for 200 updates from the same initial weights on the
 * same batches (the tensor count over many conv updates is checked in
 * qnet-tfjs.test.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { FusedQNet } from "../src/nn/fused.ts";
import { TfjsEngine } from "../src/nn/tfjs/engine.ts";
import { flatten, netFromFlat } from "../src/nn/tfjs/net.ts";
import { tdAndGradient, uploadBatch } from "../src/nn/tfjs/update.ts";
import { CONV_SPECS, conv, convNet } from "./support/conv-nets.ts";
import type { EngineConfig } from "../src/nn/engine.ts";
import { initParams, type NetSpec } from "../src/nn/spec.ts";
import { Rng } from "../src/runtime/rng.ts";
import { referenceLossAndGradient } from "./oracles/nn-reference.ts";
import { randomBatch, relError } from "./support/batches.ts";

const MINATAR = convNet([10, 10, 4], [conv(16, 3)], [128], 3);
const STRIDED = convNet([7, 5, 2], [conv(5, 3, 2, "same"), conv(6, 2)], [7], 4, true);
const BATCH_SEED = 104;

const engines: TfjsEngine[] = [];
async function tfjsEngine(config: EngineConfig, backend: "wasm" | "cpu"): Promise<TfjsEngine> {
  const e = await TfjsEngine.create(config, backend);
  engines.push(e);
  return e;
}
afterAll(() => engines.forEach((e) => e.dispose()));

describe.each(CONV_SPECS)("tfjs conv gradients: %s", (_, spec) => {
  it.each(["cpu", "wasm"] as const)("match the float64 reference on both kernel paths (%s)", async (backend) => {
    const config: EngineConfig = { spec, learningRate: 1e-3, gamma: 0.99, loss: "huber", doubleQ: spec.dueling, seed: 1 };
    await tfjsEngine(config, backend); // loads and activates the backend, registers its host kernels
    const rng = new Rng(11);
    const batch = randomBatch(rng, spec, 5, { nSteps: 3, prioritized: true });
    batch.rewards.forEach((_, i, r) => (r[i] = rng.uniform(-2, 2)));
    const [online, target] = [initParams(spec, 1), initParams(spec, 2)];
    const want = referenceLossAndGradient(spec, online, target, batch, config).gradient;
    // The ops path needs Conv2DBackpropFilter, which tfjs-wasm lacks.
    for (const path of backend === "cpu" ? (["ops", "host"] as const) : (["host"] as const)) {
      const got = tf.tidy(() => {
        const [on, tg] = [netFromFlat(spec, tf.tensor1d(online)), netFromFlat(spec, tf.tensor1d(target))];
        return flatten(tdAndGradient(spec, config, on, tg, uploadBatch(spec, config, batch), path).grads);
      });
      expect(relError(got.dataSync(), want), path).toBeLessThan(1e-5);
      got.dispose();
    }
  });
});

// Relative error as in the fused parity tests: max |a - b| / max |b| over a
// run's losses, and over the final weights. Batch seeds are fixed: once in a
// while a conv or hidden pre-activation lands within ~1e-7 of zero and two
// float32 engines put it on different sides of the ReLU; Adam then moves
// the weights it feeds apart for the rest of the run (~1e-5 after 200
// updates on the MinAtar net with batch seed 103; 104 has no such row).
describe.each([
  ["MinAtar: 10x10x4, conv 16 3x3, FC 128, 3 actions", MINATAR, 32, ["wasm"]],
  ["stride 2 same, then valid, dueling", STRIDED, 16, ["wasm", "cpu"]],
] as Array<[string, NetSpec, number, Array<"wasm" | "cpu">]>)("fused and tfjs conv engines: %s", (_, spec, batchSize, backends) => {
  it(`give the same losses and weights over 200 updates (within 1e-5 relative) on ${backends.join(" and ")}`, async () => {
    const config: EngineConfig = { spec, learningRate: 1e-4, gamma: 0.99, loss: "huber", doubleQ: true, maxGradNorm: 1, seed: 3 };
    const fused = await FusedQNet.create(spec, { batchSize, learningRate: config.learningRate, loss: config.loss, doubleQ: config.doubleQ, maxGradNorm: config.maxGradNorm, seed: config.seed });
    const others = await Promise.all(backends.map((b) => tfjsEngine(config, b)));
    for (const e of others) expect(await e.getParams()).toEqual(fused.getParams()); // the same initial weights
    const rng = new Rng(BATCH_SEED);
    const want: number[] = [];
    const got: number[][] = others.map(() => []);
    for (let t = 1; t <= 200; t++) {
      const batch = randomBatch(rng, spec, batchSize, { nSteps: 2, prioritized: true });
      want.push(fused.update(batch).loss);
      others.forEach((e, k) => got[k]!.push(e.update(batch).loss()));
      if (t % 20 === 0) {
        fused.syncTarget();
        for (const e of others) e.syncTarget(1);
      }
    }
    const losses = got.map((l) => relError(l, want));
    const weights = await Promise.all(others.map(async (e) => relError(await e.getParams(), fused.getParams())));
    const report = `fused vs tfjs ${backends.join(", ")} over 200 updates: losses ${losses.map((w) => w.toExponential(1))}, weights ${weights.map((w) => w.toExponential(1))}`;
    process.stderr.write(`${spec.observationShape}: ${report}\n`);
    for (const w of [...losses, ...weights]) expect(w, report).toBeLessThan(1e-5);
    // The weights moved: parity is not two untrained copies agreeing.
    expect(relError(fused.getParams(), initParams(spec, config.seed))).toBeGreaterThan(1e-3);
    fused.dispose();
  });
});
