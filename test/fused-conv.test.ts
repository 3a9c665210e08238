/**
 * Conv layers: the float64 reference against TensorFlow's conv2d (its
 * padding rules), and the fused engine against the reference: Q-values,
 * gradients (with finite differences), 200-update training runs, and the
 * scalar twins, on nets with valid and same padding, strides 1 and 2,
 * filter counts that are not multiples of 4, and conv layers stacked.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { FusedQNet } from "../src/nn/fused.ts";
import { ReferenceQNet, referenceForward, referenceLossAndGradient, type UpdateConfig } from "./oracles/nn-reference.ts";
import { initParams, layerShapes, type NetSpec } from "../src/nn/spec.ts";
import type { ConvOptions } from "../src/nn/conv.ts";
import { CONV_SPECS, conv, convNet } from "./support/conv-nets.ts";
import { Rng } from "../src/runtime/rng.ts";
import { randomBatch, relError } from "./support/batches.ts";
import { FLAVORS } from "./support/relaxed-simd.ts";
import { testModule } from "./support/test-wasm.ts";


describe("reference conv layers", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  it.each([
    [[6, 6, 4], conv(8, 3)],
    [[7, 5, 2], conv(5, 3, 2, "same")],
    [[9, 7, 3], conv(2, 4, 2, "same")],
    [[5, 5, 3], conv(4, 3, 1, "same")],
    [[6, 6, 1], conv(3, 4, 2)],
  ] as Array<[[number, number, number], ConvOptions]>)("on %j with %j matches tf.conv2d", (shape, layer) => {
    // One conv layer into a linear head of identity weights reads the conv outputs (ReLU'd) back as Q-values.
    const spec = convNet(shape, [layer], [], 1);
    const [c] = layerShapes(spec);
    const g = c!.conv!;
    const outputs = g.outH * g.outW * g.filters;
    const params = initParams(spec, 4);
    const rng = new Rng(8);
    const obs = Float32Array.from({ length: spec.observationSize * 2 }, () => rng.uniform(-1, 1));
    const filter = params.subarray(0, c!.inSize * c!.outSize);
    const bias = params.subarray(c!.inSize * c!.outSize, c!.inSize * c!.outSize + c!.outSize);
    const want = tf.tidy(() =>
      tf
        .relu(tf.add(tf.conv2d(tf.tensor4d(obs, [2, ...shape]), tf.tensor4d(filter, [layer.kernel, layer.kernel, shape[2], layer.filters]), layer.stride, layer.padding), tf.tensor1d(bias)))
        .dataSync(),
    );
    // Read each output through a one-output head that sums it: set the head so that Q = output j.
    const head = layerShapes(spec)[1]!;
    for (let j = 0; j < outputs; j += Math.max(1, Math.floor(outputs / 7))) {
      const p = Float32Array.from(params);
      p.fill(0, head.offset, head.offset + outputs + 1);
      p[head.offset + j] = 1;
      const q = referenceForward(spec, p, obs, 2);
      expect(q[0]).toBeCloseTo(want[j]!, 5);
      expect(q[1]).toBeCloseTo(want[outputs + j]!, 5);
    }
  });
});

describe.each(CONV_SPECS)("fused conv net: %s", (_, spec) => {
  it("Q-values and greedy actions match the reference; one row equals its batch", async () => {
    for (const flavor of FLAVORS) {
      const fused = await FusedQNet.create(spec, { batchSize: 8, learningRate: 1e-3, seed: 3, flavor });
      const rng = new Rng(5);
      const obs = Float32Array.from({ length: 13 * spec.observationSize }, () => rng.uniform(-2, 2));
      expect(relError(fused.qValues(obs), referenceForward(spec, initParams(spec, 3), obs, 13))).toBeLessThan(1e-6);
      const greedy = fused.actBatch(obs);
      for (let r = 0; r < 13; r++) {
        const row = obs.subarray(r * spec.observationSize, (r + 1) * spec.observationSize);
        expect(fused.act(row)).toBe(greedy[r]);
        expect(fused.qValues(row)).toEqual(fused.qValues(obs).subarray(r * spec.nActions, (r + 1) * spec.nActions));
      }
      expect(relError(fused.getParams(), initParams(spec, 3))).toBe(0);
    }
  });

  it("gradients match the reference and its finite differences", async () => {
    const config: UpdateConfig = { learningRate: 1e-3, loss: "huber", doubleQ: spec.dueling, maxGradNorm: undefined };
    const rng = new Rng(11);
    const batch = randomBatch(rng, spec, 5, { nSteps: 3, prioritized: true });
    batch.rewards.forEach((_, i, r) => (r[i] = rng.uniform(-2, 2)));
    const params = initParams(spec, 1);
    const target = initParams(spec, 2);
    const ref = referenceLossAndGradient(spec, params, target, batch, config);
    const p = Float64Array.from(params);
    // Every conv parameter and a sample of the rest.
    const convEnd = layerShapes(spec).filter((l) => l.conv).reduce((n, l) => n + (l.inSize + 1) * l.outSize, 0);
    const checked = [...p.keys()].filter((i) => i < convEnd || i % 7 === 0);
    const fd = new Float64Array(checked.length);
    const h = 1e-6;
    for (const [k, i] of checked.entries()) {
      const x = p[i]!;
      p[i] = x + h;
      const up = referenceLossAndGradient(spec, p, target, batch, config).loss;
      p[i] = x - h;
      const down = referenceLossAndGradient(spec, p, target, batch, config).loss;
      p[i] = x;
      fd[k] = (up - down) / (2 * h);
    }
    expect(relError(checked.map((i) => ref.gradient[i]!), fd)).toBeLessThan(1e-6);
    for (const flavor of FLAVORS) {
      for (const scalar of [false, true]) {
        const options = { batchSize: 5, learningRate: 1e-3, loss: config.loss, doubleQ: config.doubleQ, seed: 1, flavor };
        const fused = await FusedQNet.create(spec, scalar ? { ...options, module: await testModule(flavor) } : options);
        fused.setTargetParams(target);
        const got = fused.gradients(batch);
        expect(relError(got.gradient, ref.gradient)).toBeLessThan(1e-5);
        expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
      }
    }
  });

  it("trains in parity with the float64 reference over 200 updates (SIMD and scalar twins)", async () => {
    const config: UpdateConfig = { learningRate: 1e-4, loss: "huber", doubleQ: true, maxGradNorm: 1 };
    const nets = await Promise.all(
      FLAVORS.flatMap((flavor) => [
        FusedQNet.create(spec, { batchSize: 16, ...config, seed: 3, flavor }),
        testModule(flavor).then((module) => FusedQNet.create(spec, { batchSize: 16, ...config, seed: 3, module })),
      ]),
    );
    const ref = new ReferenceQNet(spec, initParams(spec, 3), config);
    const rng = new Rng(103);
    let worst = 0;
    for (let t = 1; t <= 200; t++) {
      const batch = randomBatch(rng, spec, 16, { nSteps: 2, prioritized: true });
      const want = ref.update(batch);
      for (const n of nets) worst = Math.max(worst, Math.abs(n.update(batch).loss - want.loss) / want.loss);
      if (t % 20 === 0) {
        ref.syncTarget();
        for (const n of nets) n.syncTarget();
      }
    }
    expect(worst).toBeLessThan(1e-5);
    for (const n of nets) {
      expect(relError(n.getParams(), ref.params)).toBeLessThan(1e-5);
      expect(relError(n.getOptimizerState().m, ref.m)).toBeLessThan(1e-4);
    }
  });
});
