import { afterAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { TfjsEngine } from "../src/nn/tfjs/engine.ts";
import { flatten, netFromFlat, netTensors } from "../src/nn/tfjs/net.ts";
import { applyAdam, tdAndGradient, uploadBatch } from "../src/nn/tfjs/update.ts";
import type { KernelPath } from "../src/nn/tfjs/host-kernels.ts";
import { baselineBatch, baselineLoss, baselineTargets, layersFromFlat } from "./oracles/tfjs-baseline.ts";
import { initParams, paramCount, type NetSpec } from "../src/nn/spec.ts";
import type { EngineConfig, QEngine, UpdateBatch } from "../src/nn/engine.ts";
import { DeepQError, InvalidArgumentError, InvalidStateError } from "../src/errors.ts";
import { Rng } from "../src/runtime/rng.ts";
import { randomBatches, type BatchOptions } from "./helpers/batches.ts";
import { ReferenceQNet, referenceBatch } from "./oracles/nn-reference.ts";
import { CONV_SPECS } from "./support/conv-nets.ts";

const tiny: NetSpec = { observationSize: 3, nActions: 4, hidden: [5, 6], dueling: false };
const base: EngineConfig = { spec: tiny, learningRate: 0.01, gamma: 0.9, doubleQ: false, loss: "mse", seed: 3 };

const engines: QEngine[] = [];
async function engine(config: EngineConfig, backend: "wasm" | "cpu" = "wasm"): Promise<TfjsEngine> {
  const e = await TfjsEngine.create(config, backend);
  engines.push(e);
  return e;
}
afterAll(() => engines.forEach((e) => e.dispose()));

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};
const maxAbs = (a: ArrayLike<number>) => maxAbsDiff(a, new Float64Array(a.length));

interface Case {
  name: string;
  config: Partial<EngineConfig> & { spec?: NetSpec };
  batch?: BatchOptions;
  /** Soft target update every 3 updates with this tau (else the target stays at the initial weights). */
  tau?: number;
  /** Start the target network from these initial weights instead of the online network's. */
  targetSeed?: number;
  /** The same run with the feature off: the test must tell the two apart. */
  without: Partial<EngineConfig> & { spec?: NetSpec; tau?: number; batch?: BatchOptions };
}

const cases: Case[] = [
  { name: "mse", config: {}, without: { loss: "huber" } },
  { name: "huber", config: { loss: "huber" }, batch: { rewardScale: 4 }, without: { loss: "mse" } },
  { name: "double DQN", config: { doubleQ: true }, targetSeed: 99, without: { doubleQ: false } },
  { name: "dueling", config: { spec: { ...tiny, dueling: true } }, without: { spec: tiny } },
  { name: "gradient clipping", config: { maxGradNorm: 0.05 }, without: { maxGradNorm: undefined } },
  { name: "PER weights", config: {}, batch: { weights: true }, without: { batch: {} } },
  { name: "n-step discounts", config: {}, batch: { discounts: true }, without: { batch: {} } },
  { name: "soft target update", config: {}, tau: 0.2, without: { tau: 1 } },
  {
    name: "everything at once",
    config: { spec: { ...tiny, dueling: true }, doubleQ: true, loss: "huber", maxGradNorm: 0.1 },
    batch: { weights: true, discounts: true, rewardScale: 3 },
    tau: 0.5,
    targetSeed: 98,
    without: { doubleQ: false },
  },
];

/** Runs the float64 reference over `batches`. */
function runReference(config: EngineConfig, batches: UpdateBatch[], tau: number | undefined, targetSeed: number | undefined): { ref: ReferenceQNet; steps: ReturnType<ReferenceQNet["update"]>[] } {
  const ref = new ReferenceQNet(config.spec, initParams(config.spec, config.seed), config);
  if (targetSeed !== undefined) ref.targetParams.set(initParams(config.spec, targetSeed));
  const steps = batches.map((b, i) => {
    const step = ref.update(referenceBatch(b, config.gamma));
    if (tau !== undefined && i % 3 === 2) ref.syncTarget(tau);
    return step;
  });
  return { ref, steps };
}

describe("tfjs engine against the float64 reference", () => {
  it.each(cases)("$name", async (c) => {
    const config = { ...base, ...c.config };
    const batches = randomBatches(config.spec, 8, 20, 11, c.batch);
    const ref = runReference(config, batches, c.tau, c.targetSeed);
    const e = await engine(config);
    if (c.targetSeed !== undefined) e.setParams(initParams(config.spec, c.targetSeed), "target");
    for (let i = 0; i < batches.length; i++) {
      const r = e.update(batches[i]!);
      const want = ref.steps[i]!;
      expect(Math.abs(r.loss() - want.loss)).toBeLessThan(1e-5 * Math.max(1, want.loss));
      expect(maxAbsDiff(r.tdErrors(), want.tdErrors)).toBeLessThan(1e-5);
      if (i === 0) {
        // After one step m = (1 - beta1) g: the gradient itself, which Adam's first step would hide.
        const { m } = await e.getOptimizerState();
        expect(maxAbsDiff(m, want.gradient.map((g) => 0.1 * g))).toBeLessThan(1e-6 * Math.max(1, maxAbs(m)));
      }
      if (c.tau !== undefined && i % 3 === 2) e.syncTarget(c.tau);
    }
    expect(maxAbsDiff(await e.getParams(), ref.ref.params)).toBeLessThan(1e-5);
    expect(maxAbsDiff(await e.getParams("target"), ref.ref.targetParams)).toBeLessThan(1e-5);

    // The feature under test changed the outcome (the comparison above could tell).
    const { batch: otherBatch, tau: otherTau, ...otherConfig } = c.without;
    const other = runReference({ ...config, ...otherConfig }, otherBatch ? randomBatches(config.spec, 8, 20, 11, otherBatch) : batches, "tau" in c.without ? otherTau : c.tau, c.targetSeed);
    expect(maxAbsDiff(other.ref.params, ref.ref.params)).toBeGreaterThan(1e-3);
    if (c.name === "huber") expect(ref.steps.some((s) => s.tdErrors.some((d) => Math.abs(d) > 1))).toBe(true);
    if (c.name === "gradient clipping") expect(ref.steps.every((s) => s.gradNorm > 0.05)).toBe(true);
  });
});

describe("hand-written gradients", () => {
  it("equal tfjs autodiff (tf.grads) on random tiny networks", async () => {
    await engine(base, "cpu"); // loads and activates the cpu backend: exact float32 arithmetic, no XNNPACK blocking
    const rng = new Rng(5);
    for (let trial = 0; trial < 12; trial++) {
      const dueling = rng.nextDouble() < 0.4;
      const spec: NetSpec = {
        observationSize: 1 + rng.int(5),
        nActions: 1 + rng.int(4),
        hidden: Array.from({ length: (dueling ? 1 : 0) + rng.int(3) }, () => 1 + rng.int(7)),
        dueling,
      };
      const config: EngineConfig = { spec, learningRate: 1e-3, gamma: 0.95, doubleQ: rng.nextDouble() < 0.5, loss: rng.nextDouble() < 0.5 ? "mse" : "huber", seed: trial };
      const [batch] = randomBatches(spec, 1 + rng.int(9), 1, 100 + trial, { weights: true, discounts: true, rewardScale: 3 });
      const online = initParams(spec, trial);
      const target = initParams(spec, trial + 1000);

      const autodiff = tf.tidy(() => {
        const layers = layersFromFlat(spec, online);
        const b = baselineBatch(spec, config, batch!);
        const y = baselineTargets(spec, config, layers, layersFromFlat(spec, target), b);
        const grads = tf.grads((...t: tf.Tensor[]) => baselineLoss(spec, config, layers.map((_, i) => ({ W: t[2 * i]!, b: t[2 * i + 1]! })), b, y))(layers.flatMap((l) => [l.W, l.b]));
        return tf.concat(grads.map((g) => tf.reshape(g, [-1])));
      });
      const want = autodiff.dataSync();
      for (const path of ["ops", "host"] as const) {
        const mine = tf.tidy(() => {
          const [on, tg] = [netFromFlat(spec, tf.tensor1d(online)), netFromFlat(spec, tf.tensor1d(target))];
          return flatten(tdAndGradient(spec, config, on, tg, uploadBatch(spec, config, batch!), path).grads);
        });
        const got = mine.dataSync();
        expect(got.length).toBe(paramCount(spec));
        expect(maxAbsDiff(got, want), `${path} ${JSON.stringify(config)}`).toBeLessThan(1e-6 * Math.max(1, maxAbs(want)));
        mine.dispose();
      }
      autodiff.dispose();
    }
  });
});

describe("host kernels", () => {
  it.each(["wasm", "cpu"] as const)("Adam with clipping and the divergence guard equals the tfjs-op composition (%s)", async (backend) => {
    await engine(base, backend); // loads, activates and registers the backend's host kernels
    const rng = new Rng(8);
    const uniform = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    const n = paramCount(tiny);
    const [params, grad, m, td] = [uniform(n), uniform(n), uniform(n), uniform(5)];
    const v = uniform(n).map(Math.abs);
    // ||g||² = 2.5e38: past the guard's half of f32's range, yet a sum tfjs's float32 ops still hold.
    const overflowing = grad.map((g) => g * Math.sqrt(2.5e38 / grad.reduce((s, x) => s + x * x, 0)));
    const cases = [
      { maxGradNorm: undefined, g: grad, skipped: false },
      { maxGradNorm: 0.5, g: grad, skipped: false },
      { maxGradNorm: 0.5, g: overflowing, skipped: false }, // clipped first, so it is taken
      { maxGradNorm: undefined, g: overflowing, skipped: true },
      { maxGradNorm: 0.5, g: grad.map((g, i) => (i === 3 ? NaN : g)), skipped: true },
    ];
    for (const { maxGradNorm, g, skipped } of cases) {
      const config = { ...base, maxGradNorm };
      const step = (path: KernelPath) =>
        tf.tidy(() => {
          const grads = netTensors(netFromFlat(tiny, tf.tensor1d(g)));
          const next = applyAdam(tiny, config, { net: netFromFlat(tiny, tf.tensor1d(params)), m: tf.tensor1d(m), v: tf.tensor1d(v) }, grads, tf.tensor1d(td), 7, path);
          return [flatten(netTensors(next.net)), next.m, next.v, next.td].map((t) => t.dataSync());
        });
      const [host, ops] = [step("host"), step("ops")];
      const label = `maxGradNorm ${maxGradNorm}, skipped ${skipped}`;
      if (skipped) {
        [params, m, v].forEach((before, i) => {
          expect(Array.from(host[i]!), label).toEqual(Array.from(before));
          expect(Array.from(ops[i]!), label).toEqual(Array.from(before));
        });
        for (const out of [host, ops]) expect(out[3]!.every(Number.isNaN), label).toBe(true);
        continue;
      }
      expect(maxAbsDiff(host[0]!, params), label).toBeGreaterThan(1e-4); // it stepped
      expect(Array.from(host[3]!), label).toEqual(Array.from(td));
      host.forEach((h, i) => expect(maxAbsDiff(h, ops[i]!), `output ${i}, ${label}`).toBeLessThan(2e-6));
    }
  });
});

describe("wasm and cpu", () => {
  it("give the same losses and weights over 200 updates (within 1e-5)", async () => {
    const config: EngineConfig = { spec: { observationSize: 4, nActions: 2, hidden: [32, 32], dueling: true }, learningRate: 1e-3, gamma: 0.99, doubleQ: true, loss: "huber", maxGradNorm: 10, seed: 9 };
    const batches = randomBatches(config.spec, 32, 200, 21, { weights: true });
    const [w, c] = [await engine(config, "wasm"), await engine(config, "cpu")];
    let worstLoss = 0;
    for (let i = 0; i < batches.length; i++) {
      const [lw, lc] = [w.update(batches[i]!).loss(), c.update(batches[i]!).loss()];
      worstLoss = Math.max(worstLoss, Math.abs(lw - lc));
      if (i % 50 === 49) [w, c].forEach((e) => e.syncTarget(1));
    }
    const worstWeight = maxAbsDiff(await w.getParams(), await c.getParams());
    console.log(`wasm vs cpu over 200 updates: max |loss diff| ${worstLoss.toExponential(2)}, max |weight diff| ${worstWeight.toExponential(2)}`);
    expect(worstLoss).toBeLessThan(1e-5);
    expect(worstWeight).toBeLessThan(1e-5);
  });
});

describe("memory", () => {
  it.each([
    ["an MLP", { observationSize: 4, nActions: 2, hidden: [8], dueling: true }, 10_000],
    ["a conv net", CONV_SPECS[1]![1], 1_000],
  ] as Array<[string, NetSpec, number]>)("holds the same number of tensors after many updates as after 100 (%s)", async (_, spec, updates) => {
    const config: EngineConfig = { ...base, spec, doubleQ: true, maxGradNorm: 1 };
    const e = await engine(config);
    const batches = randomBatches(config.spec, 8, 16, 3);
    const obs = new Float32Array(spec.observationSize);
    const run = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const r = e.update(batches[i % 16]!);
        if (i % 10 === 0) r.loss();
        if (i % 100 === 0) e.syncTarget(i % 200 === 0 ? 1 : 0.5);
        if (i % 10 === 0) e.act(obs);
      }
    };
    run(0, 100);
    const after100 = tf.memory().numTensors;
    run(100, updates);
    expect(tf.memory().numTensors).toBe(after100);
  });
});

describe("engine API", () => {
  it("reads update results lazily until the next update", async () => {
    const e = await engine(base);
    const [b1, b2] = randomBatches(tiny, 4, 2, 1);
    const first = e.update(b1!);
    const read = await first.read();
    expect(read.loss).toBeCloseTo(first.loss(), 6);
    const unread = e.update(b2!);
    expect(first.tdErrors()).toEqual(read.tdErrors); // read before the next update: still there
    e.update(b1!);
    expect(() => unread.loss()).toThrow(InvalidStateError);
  });

  it("acts greedily, consistent with qValues; ties go to the lowest index", async () => {
    const e = await engine({ ...base, spec: { observationSize: 2, nActions: 3, hidden: [4], dueling: false } });
    const obs = Float32Array.of(0.5, -1, 2, 0.25, -0.3, 0.1);
    const q = e.qValues(obs, 3);
    const greedy = e.actBatch(obs, 3);
    for (let r = 0; r < 3; r++) expect(q[r * 3 + greedy[r]!]).toBe(Math.max(...q.subarray(r * 3, r * 3 + 3)));
    expect(e.act([0.5, -1])).toBe(greedy[0]);
    expect(await e.qValuesAsync(obs, 3)).toEqual(q);
    e.setParams(new Float32Array(paramCount(e.spec))); // all zeros: every Q-value ties
    expect(e.act([1, 2])).toBe(0);
  });

  it("moves parameters and Adam state between engines unchanged", async () => {
    const [a, b] = [await engine({ ...base, seed: 1 }, "wasm"), await engine({ ...base, seed: 2 }, "cpu")];
    const batches = randomBatches(tiny, 8, 4, 2);
    for (const batch of batches.slice(0, 3)) a.update(batch);
    a.syncTarget(0.5);
    b.setParams(await a.getParams());
    b.setParams(await a.getParams("target"), "target");
    b.setOptimizerState(await a.getOptimizerState());
    expect((await b.getOptimizerState()).step).toBe(3);
    const [la, lb] = [a.update(batches[3]!).loss(), b.update(batches[3]!).loss()];
    expect(Math.abs(la - lb)).toBeLessThan(1e-6);
    expect(maxAbsDiff(await a.getParams(), await b.getParams())).toBeLessThan(1e-6);
  });

  it("rejects bad input, naming the argument, and changes nothing", async () => {
    const e = await engine(base);
    const before = await e.getParams();
    const expectError = (f: () => unknown, argument: string) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(DeepQError);
        expect((err as InvalidArgumentError).argument).toBe(argument);
        return;
      }
      expect.unreachable(`no error for ${argument}`);
    };
    expectError(() => e.act([1, 2]), "observation");
    expectError(() => e.act([1, 2, NaN]), "observation[2]");
    expectError(() => e.qValues(new Float32Array(5), 2), "observations");
    const [good] = randomBatches(tiny, 4, 1, 1);
    expectError(() => e.update({ ...good!, actions: [0, 1, 4, 0] }), "batch.actions[2]");
    expectError(() => e.update({ ...good!, rewards: [1, 2] }), "batch.rewards");
    expectError(() => e.setParams(new Float32Array(3)), "params");
    expectError(() => e.syncTarget(0), "tau");
    expectError(() => e.setOptimizerState({ step: 1.5, m: new Float32Array(0), v: new Float32Array(0) }), "state.step");
    expect(await e.getParams()).toEqual(before);
    expect((await e.getOptimizerState()).step).toBe(0);
    await expect(TfjsEngine.create({ ...base, learningRate: NaN }, "wasm")).rejects.toMatchObject({ argument: "options.learningRate" });
    await expect(TfjsEngine.create({ ...base, spec: { ...tiny, hidden: [0] } }, "wasm")).rejects.toMatchObject({ argument: "options.netArch[0]" });
    e.dispose();
    expect(() => e.act([1, 2, 3])).toThrow(InvalidStateError);
  });
});
