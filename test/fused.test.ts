/** FusedQNet's API: limits, bad input, state round trips, shared arenas, memory. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { FUSED_LIMITS, FusedQNet, fusedSupport, type FusedQNetOptions } from "../src/nn/fused.ts";
import type { BatchAddresses } from "../src/batch.ts";
import { initParams, paramCount, type NetSpec } from "../src/nn/spec.ts";
import { ArenaPlan } from "../src/runtime/wasm.ts";
import { Rng } from "../src/runtime/rng.ts";
import { BackendError, DeepQError, InvalidArgumentError, InvalidStateError } from "../src/errors.ts";
import { randomBatch } from "./support/batches.ts";
import { FLAVORS } from "./support/relaxed-simd.ts";

const SPEC: NetSpec = { observationSize: 4, nActions: 2, hidden: [16, 16], dueling: false };
const OPTIONS: FusedQNetOptions = { batchSize: 8, learningRate: 1e-3 };

describe("fusedSupport and limits", () => {
  it("accepts the networks deepq trains, up to the documented limits", () => {
    expect(fusedSupport(SPEC)).toEqual({ ok: true });
    expect(fusedSupport({ observationSize: 4, nActions: 2, hidden: [256, 256], dueling: true })).toEqual({ ok: true });
    const widest = FUSED_LIMITS.maxWidth;
    expect(fusedSupport({ observationSize: widest, nActions: widest, hidden: [1000], dueling: false })).toEqual({ ok: true });
  });

  it("names the limit an unsupported network passes", () => {
    const cases: [NetSpec, RegExp][] = [
      [{ ...SPEC, hidden: [FUSED_LIMITS.maxWidth + 1] }, /FUSED_LIMITS\.maxWidth.*netArch\[0\] is 2049/],
      [{ ...SPEC, observationSize: 5000 }, /FUSED_LIMITS\.maxWidth.*observationSize is 5000/],
      [{ ...SPEC, nActions: FUSED_LIMITS.maxWidth, dueling: true }, /maxWidth.*dueling head/],
      [{ ...SPEC, hidden: new Array(FUSED_LIMITS.maxHiddenLayers + 1).fill(8) }, /FUSED_LIMITS\.maxHiddenLayers/],
      [{ ...SPEC, hidden: [2048, 2048, 2048] }, /FUSED_LIMITS\.maxParams/],
    ];
    for (const [spec, reason] of cases) {
      const support = fusedSupport(spec);
      expect(support.ok).toBe(false);
      if (!support.ok) expect(support.reason).toMatch(reason);
    }
  });

  it("forcing an unsupported network throws a DeepQError naming the limit", async () => {
    const spec = { ...SPEC, hidden: [2048, 2048, 2048] };
    await expect(FusedQNet.create(spec, OPTIONS)).rejects.toThrow(BackendError);
    await expect(FusedQNet.create(spec, OPTIONS)).rejects.toThrow(DeepQError);
    await expect(FusedQNet.create(spec, OPTIONS)).rejects.toThrow(/FUSED_LIMITS\.maxParams/);
  });
});

describe("bad input", () => {
  it("rejects invalid specs and hyperparameters with InvalidArgumentError", async () => {
    const bad: [NetSpec, Record<string, unknown>, RegExp][] = [
      [SPEC, { ...OPTIONS, learningRate: Number.NaN }, /options\.learningRate/],
      [SPEC, { ...OPTIONS, learningRate: -1 }, /options\.learningRate/],
      [SPEC, { ...OPTIONS, batchSize: 0 }, /options\.batchSize/],
      [SPEC, { ...OPTIONS, batchSize: 2.5 }, /options\.batchSize/],
      [SPEC, { ...OPTIONS, batchSize: FUSED_LIMITS.maxBatchSize + 1 }, /options\.batchSize/],
      [SPEC, { ...OPTIONS, maxGradNorm: Number.NaN }, /options\.maxGradNorm/],
      [SPEC, { ...OPTIONS, maxGradNorm: 0 }, /options\.maxGradNorm/],
      [SPEC, { ...OPTIONS, loss: "l1" }, /options\.loss/],
      [SPEC, { ...OPTIONS, doubleQ: 1 }, /options\.doubleQ/],
      [SPEC, { ...OPTIONS, seed: -1 }, /options\.seed/],
      [SPEC, { ...OPTIONS, flavor: "avx" }, /options\.flavor/],
      [SPEC, { ...OPTIONS, gamma: 0.99 }, /options\.gamma.*unknown option/],
      [{ ...SPEC, hidden: [0] }, OPTIONS, /spec\.netArch\[0\]/],
      [{ ...SPEC, nActions: Number.NaN }, OPTIONS, /spec\.nActions/],
    ];
    for (const [spec, options, message] of bad) {
      const error = await FusedQNet.create(spec, options as unknown as FusedQNetOptions).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("rejects bad observations, batches, tau and state", async () => {
    const net = await FusedQNet.create(SPEC, OPTIONS);
    const rng = new Rng(1);
    expect(() => net.act([1, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => net.qValues(new Float32Array(7))).toThrow(/multiple of 4/);
    expect(() => net.actBatch([0, 0, 0, Number.NaN])).toThrow(/observations\[3\]/);
    expect(() => net.syncTarget(0)).toThrow(/tau/);
    expect(() => net.syncTarget(Number.NaN)).toThrow(/tau/);
    expect(() => net.setParams(new Float32Array(3))).toThrow(/params/);
    const good = randomBatch(rng, SPEC, 8);
    const before = net.getParams();
    const tooBig = randomBatch(rng, SPEC, 9);
    expect(() => net.update(tooBig)).toThrow(/batch\.actions/);
    expect(() => net.update({ ...good, actions: Int32Array.of(0, 1, 2, 0, 0, 0, 0, 0) })).toThrow(/batch\.actions\[2\]/);
    expect(() => net.update({ ...good, rewards: good.rewards.map((r, i) => (i === 3 ? Number.POSITIVE_INFINITY : r)) })).toThrow(/batch\.rewards\[3\]/);
    expect(() => net.update({ ...good, dones: new Float32Array(3) })).toThrow(/batch\.dones/);
    expect(() => net.updateFrom(net.batchAddresses, 0)).toThrow(/size/);
    expect(() => net.setOptimizerState({ step: -1, m: new Float32Array(paramCount(SPEC)), v: new Float32Array(paramCount(SPEC)) })).toThrow(/state\.step/);
    // Nothing was half-applied.
    expect(net.getParams()).toEqual(before);
    expect(net.getOptimizerState().step).toBe(0);
  });

  it("throws InvalidStateError after dispose", async () => {
    const net = await FusedQNet.create(SPEC, OPTIONS);
    net.dispose();
    expect(() => net.act([0, 0, 0, 0])).toThrow(InvalidStateError);
    expect(() => net.getParams()).toThrow(InvalidStateError);
    expect(() => net.update(randomBatch(new Rng(1), SPEC, 8))).toThrow(InvalidStateError);
  });
});

describe("state", () => {
  it("starts from spec.ts initParams in the canonical layout, target equal to online", async () => {
    for (const spec of [SPEC, { observationSize: 5, nActions: 3, hidden: [7], dueling: true }]) {
      const net = await FusedQNet.create(spec, { ...OPTIONS, seed: 42 });
      expect(net.getParams()).toEqual(initParams(spec, 42));
      expect(net.getTargetParams()).toEqual(initParams(spec, 42));
    }
  });

  it("round-trips parameters, target parameters and Adam state", async () => {
    const spec: NetSpec = { observationSize: 5, nActions: 3, hidden: [7, 9], dueling: true };
    const a = await FusedQNet.create(spec, OPTIONS);
    const rng = new Rng(2);
    for (let i = 0; i < 5; i++) a.update(randomBatch(rng, spec, 8));
    const b = await FusedQNet.create(spec, { ...OPTIONS, seed: 9 });
    b.setParams(a.getParams());
    b.setTargetParams(a.getTargetParams());
    b.setOptimizerState(a.getOptimizerState());
    expect(b.getOptimizerState()).toEqual(a.getOptimizerState());
    expect(b.getOptimizerState().step).toBe(5);
    const batch = randomBatch(rng, spec, 8);
    expect(b.update(batch).loss).toBe(a.update(batch).loss);
    expect(b.getParams()).toEqual(a.getParams());
  });

  it("hard and soft target updates", async () => {
    const net = await FusedQNet.create(SPEC, OPTIONS);
    net.update(randomBatch(new Rng(3), SPEC, 8));
    const online = net.getParams();
    const before = net.getTargetParams();
    net.syncTarget(0.25);
    const soft = net.getTargetParams();
    for (let i = 0; i < online.length; i++) expect(soft[i]).toBeCloseTo(0.25 * online[i]! + 0.75 * before[i]!, 7);
    net.syncTarget();
    expect(net.getTargetParams()).toEqual(online);
  });
});

describe("shared arenas", () => {
  it("updates from a batch already in the arena, as a replay buffer's sample region", async () => {
    const spec: NetSpec = { observationSize: 6, nActions: 3, hidden: [12], dueling: false };
    const rows = 10;
    const options: FusedQNetOptions = { batchSize: rows, learningRate: 1e-3, doubleQ: true, loss: "mse" };
    // The "replay buffer" plans its sample region before the network, in the same arena.
    const plan = new ArenaPlan();
    const D = spec.observationSize;
    const at: BatchAddresses = {
      observations: plan.region(rows * D * 4),
      actions: plan.region(rows * 4),
      rewards: plan.region(rows * 4),
      nextObservations: plan.region(rows * D * 4),
      dones: plan.region(rows * 4),
      discounts: plan.region(rows * 4),
      weights: plan.region(rows * 4),
    };
    const td = plan.region(rows * 4);
    const planned = FusedQNet.plan(plan, spec, options);
    const arena = await plan.instantiate();
    const shared = planned.attach(arena);
    const alone = await FusedQNet.create(spec, options);
    const rng = new Rng(4);
    for (let t = 0; t < 20; t++) {
      const batch = randomBatch(rng, spec, rows, { nSteps: 2, prioritized: true });
      arena.f32(at.observations, rows * D).set(batch.observations);
      arena.i32(at.actions, rows).set(batch.actions);
      arena.f32(at.rewards, rows).set(batch.rewards);
      arena.f32(at.nextObservations, rows * D).set(batch.nextObservations);
      arena.f32(at.dones, rows).set(batch.dones);
      arena.f32(at.discounts, rows).set(batch.discounts);
      arena.f32(at.weights, rows).set(batch.weights);
      const loss = shared.updateFrom(at, rows, td);
      const want = alone.update(batch);
      expect(loss).toBe(want.loss);
      expect(arena.f32(td, rows)).toEqual(want.tdErrors);
    }
    expect(shared.getParams()).toEqual(alone.getParams());
  });

  it("refuses an arena that was not instantiated from its plan", async () => {
    const plan = new ArenaPlan();
    const planned = FusedQNet.plan(plan, SPEC, OPTIONS);
    const small = await new ArenaPlan().instantiate();
    expect(() => planned.attach(small)).toThrow(InvalidArgumentError);
  });
});

describe("memory", () => {
  for (const flavor of FLAVORS) {
    it(`stays flat over 100,000 updates (${flavor})`, async () => {
      const spec: NetSpec = { observationSize: 4, nActions: 2, hidden: [8, 8], dueling: true };
      const net = await FusedQNet.create(spec, { batchSize: 4, learningRate: 1e-4, loss: "huber", doubleQ: true, maxGradNorm: 10, flavor });
      expect(net.arena.flavor).toBe(flavor);
      const bytes = net.arena.buffer.byteLength;
      const buffer = net.arena.buffer;
      const rng = new Rng(5);
      const batch = randomBatch(rng, spec, 4, { nSteps: 3, prioritized: true });
      const a = net.batchAddresses;
      const obs = net.arena.f32(a.observations, 16);
      const next = net.arena.f32(a.nextObservations, 16);
      net.update(batch);
      let loss = 0;
      for (let t = 1; t < 100_000; t++) {
        // Fresh observations every update without leaving WASM memory.
        for (let i = 0; i < 16; i++) {
          obs[i] = next[i]!;
          next[i] = Math.sin(t * 0.37 + i);
        }
        loss = net.updateFrom(a, 4);
        if (t % 100 === 0) net.syncTarget(0.05);
      }
      expect(net.arena.buffer).toBe(buffer);
      expect(net.arena.buffer.byteLength).toBe(bytes);
      expect(Number.isFinite(loss)).toBe(true);
      expect(net.getParams().every(Number.isFinite)).toBe(true);
      expect(net.getOptimizerState().step).toBe(100_000);
    });
  }

  it("creating and disposing 1,000 networks leaks nothing", async () => {
    // A fresh context picks up --expose-gc set at run time.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const collected = new Set<number>();
    const registry = new FinalizationRegistry<number>((i) => collected.add(i));
    // In a function of its own, so that no register of this frame still holds the last network.
    const churn = async (i: number) => {
      const net = await FusedQNet.create(SPEC, { ...OPTIONS, seed: i });
      net.act([0.1, 0.2, 0.3, 0.4]);
      net.update(randomBatch(new Rng(i), SPEC, 8));
      registry.register(net.arena.memory, i);
      net.dispose();
    };
    for (let i = 0; i < 1000; i++) await churn(i);
    // Each network's memory (its whole arena) must become garbage: nothing in
    // deepq keeps a reference after dispose().
    for (let round = 0; round < 20 && collected.size < 1000; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(collected.size).toBe(1000);
  });
});
