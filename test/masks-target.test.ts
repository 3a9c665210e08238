// Action masks in training: the TD target's max (Double DQN: argmax) runs over
// the next state's legal actions on the fused engine and both tfjs kernel
// paths, equal to a brute-force computation; the replay buffer keeps each next
// observation's mask (bit-packed), through n-step returns and save files.
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { FusedQNet } from "../src/nn/fused.ts";
import { TfjsEngine } from "../src/nn/tfjs/engine.ts";
import { netFromFlat } from "../src/nn/tfjs/net.ts";
import { tdAndGradient, uploadBatch } from "../src/nn/tfjs/update.ts";
import { initParams, type NetSpec } from "../src/nn/spec.ts";
import { Rng } from "../src/runtime/rng.ts";
import { PrioritizedReplayBuffer, ReplayBuffer, type ReplayBatch } from "../src/replay/buffer.ts";
import { ReferenceReplayBuffer } from "./oracles/replay-reference.ts";
import { packMasks } from "../src/masks.ts";
import { referenceForward, referenceLossAndGradient, type TransitionBatch } from "./oracles/nn-reference.ts";
import { randomBatch, relError } from "./support/batches.ts";
import { DQN } from "deepq";

const N_ACTIONS = 11; // two mask bytes
const B = 48;

/** Random byte masks: most rows with some legal actions, a few with none (every action stays legal), packed. */
function randomMasks(rng: Rng, rows: number, nActions: number): { bytes: Uint8Array; packed: Uint8Array } {
  const bytes = new Uint8Array(rows * nActions);
  for (let r = 0; r < rows; r++) {
    if (rng.nextDouble() < 0.1) continue;
    for (let a = 0; a < nActions; a++) bytes[r * nActions + a] = rng.nextDouble() < 0.4 ? 1 : 0;
    bytes[r * nActions + rng.int(nActions)] = 1;
  }
  const packed = new Uint8Array(rows * Math.ceil(nActions / 8));
  packMasks(bytes, nActions, rows, packed);
  return { bytes, packed };
}

/** td_i = Q(s_i, a_i) - (r_i + (1 - d_i) g_i Q_t(s'_i, a*)) with a* by brute force over the legal actions in `bytes`. */
function bruteForceTd(spec: NetSpec, params: ArrayLike<number>, target: ArrayLike<number>, b: TransitionBatch, bytes: Uint8Array, doubleQ: boolean): Float64Array {
  const A = spec.nActions;
  const q = referenceForward(spec, params, b.observations, B);
  const qt = referenceForward(spec, target, b.nextObservations, B);
  const qo = referenceForward(spec, params, b.nextObservations, B);
  return Float64Array.from({ length: B }, (_, i) => {
    const row = bytes.subarray(i * A, (i + 1) * A);
    const free = b.dones[i] === 1 || row.every((x) => x === 0);
    const pick = doubleQ ? qo : qt;
    let best = -1;
    for (let a = 0; a < A; a++) if ((free || row[a]) && (best < 0 || pick[i * A + a]! > pick[i * A + best]!)) best = a;
    const y = b.rewards[i]! + (1 - b.dones[i]!) * b.discounts[i]! * qt[i * A + best]!;
    return q[i * A + b.actions[i]!]! - y;
  });
}

describe("masked TD target", () => {
  for (const dueling of [false, true]) {
    for (const doubleQ of [false, true]) {
      it(`equals brute force on fused and tfjs (dueling ${dueling}, doubleQ ${doubleQ})`, async () => {
        const spec: NetSpec = { observationSize: 5, nActions: N_ACTIONS, hidden: [16, 12], dueling };
        const rng = new Rng(dueling ? 11 : 12);
        const batch = randomBatch(rng, spec, B);
        const { bytes, packed } = randomMasks(rng, B, N_ACTIONS);
        const masked = { ...batch, nextMasks: packed };
        const params = initParams(spec, 1);
        const target = initParams(spec, 2);
        const want = bruteForceTd(spec, params, target, batch, bytes, doubleQ);
        const config = { learningRate: 1e-3, loss: "huber" as const, doubleQ };

        const reference = referenceLossAndGradient(spec, params, target, masked, config);
        expect(relError(reference.tdErrors, want)).toBeLessThan(1e-12);
        // The masks matter: the unmasked target differs on rows whose best action is illegal.
        const unmasked = referenceLossAndGradient(spec, params, target, batch, config);
        expect(relError(unmasked.tdErrors, want)).toBeGreaterThan(1e-3);

        const net = await FusedQNet.create(spec, { batchSize: B, learningRate: 1e-3, loss: "huber", doubleQ, seed: 1 });
        net.setTargetParams(target);
        expect(relError(net.gradients(masked).tdErrors, want)).toBeLessThan(1e-5);
        expect(relError(net.gradients(batch).tdErrors, unmasked.tdErrors)).toBeLessThan(1e-5);

        const engine = await TfjsEngine.create({ spec, learningRate: 1e-3, gamma: 0.99, doubleQ, loss: "huber", seed: 1 }, "wasm");
        try {
          for (const path of ["ops", "host"] as const) {
            const td = tf.tidy(() => {
              const [on, tg] = [netFromFlat(spec, tf.tensor1d(params)), netFromFlat(spec, tf.tensor1d(target))];
              return tdAndGradient(spec, { ...engine.config }, on, tg, uploadBatch(spec, engine.config, masked), path).td;
            });
            expect(relError(td.dataSync(), want), path).toBeLessThan(1e-5);
            td.dispose();
          }
        } finally {
          engine.dispose();
        }
      });
    }
  }

  it("keeps tfjs's tensor count flat over masked updates", async () => {
    const spec: NetSpec = { observationSize: 4, nActions: N_ACTIONS, hidden: [8], dueling: false };
    const engine = await TfjsEngine.create({ spec, learningRate: 1e-3, gamma: 0.9, doubleQ: true, loss: "mse", seed: 3 }, "wasm");
    const rng = new Rng(5);
    const batch = { ...randomBatch(rng, spec, 16), nextMasks: randomMasks(rng, 16, N_ACTIONS).packed };
    engine.update(batch).loss();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) engine.update(batch).loss();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => engine.update({ ...batch, nextMasks: new Uint8Array(3) })).toThrow(expect.objectContaining({ name: "InvalidArgumentError", argument: "batch.nextMasks" }));
    engine.dispose();
  });
});

describe("replay with next masks", () => {
  const D = 3;
  /** The mask of the observation whose first float is `id`: a fixed function, so a sample can be checked against it. */
  const maskOf = (id: number) => Uint8Array.from({ length: N_ACTIONS }, (_, a) => ((id * 7 + a * 3) % 5 < 2 || a === id % N_ACTIONS ? 1 : 0));
  const obsOf = (id: number) => Float32Array.from([id, id / 2, 1]);

  for (const nSteps of [1, 3]) {
    it(`samples each next observation's own mask (nSteps ${nSteps})`, async () => {
      const rb = await ReplayBuffer.create({ capacity: 200, observationSize: D, nActions: N_ACTIONS, nSteps, seed: 1, maxBatchSize: 64 });
      const unmaskedRb = await ReplayBuffer.create({ capacity: 200, observationSize: D, nSteps, seed: 1, maxBatchSize: 64 });
      let id = 0;
      for (let t = 0; t < 300; t++) {
        const end = t % 13 === 12;
        rb.add(obsOf(id), t % N_ACTIONS, 1, obsOf(id + 1), end, false, maskOf(id + 1));
        unmaskedRb.add(obsOf(id), t % N_ACTIONS, 1, obsOf(id + 1), end, false);
        id = end ? id + 2 : id + 1;
      }
      expect(unmaskedRb.sample(8).nextMasks).toBeUndefined();
      expect(unmaskedRb.exportState().arrays.nextMasks).toBeUndefined();
      const b = rb.sample(64);
      const packed = new Uint8Array(2);
      for (let i = 0; i < 64; i++) {
        packMasks(maskOf(b.nextObservations[i * D]!), N_ACTIONS, 1, packed);
        expect(Array.from(b.nextMasks!.subarray(i * 2, i * 2 + 2))).toEqual(Array.from(packed));
      }
      // A state round trip keeps the masks: a copy samples the same batch.
      const copy = await ReplayBuffer.create({ capacity: 200, observationSize: D, nActions: N_ACTIONS, nSteps, seed: 9, maxBatchSize: 64 });
      copy.importState(rb.exportState());
      const [x, y] = [rb.sample(32), copy.sample(32)].map((s) => ({ obs: s.nextObservations.slice(), masks: s.nextMasks!.slice() }));
      expect(y).toEqual(x);
    });
  }

  for (const prioritized of [false, true]) {
    it(`samples as the plain-TS twin does, masks included (vector env, nSteps 2, ${prioritized ? "prioritized" : "uniform"})`, async () => {
      const options = { capacity: 120, observationSize: D, nActions: N_ACTIONS, nSteps: 2, numEnvs: 3, seed: 4, maxBatchSize: 32, autoreset: "next-step" as const };
      const per = { alpha: 0.6, beta: 0.4 };
      const wasm = prioritized ? await PrioritizedReplayBuffer.create({ ...options, ...per }) : await ReplayBuffer.create(options);
      const twin = prioritized ? ReferenceReplayBuffer.prioritized({ ...options, ...per }) : ReferenceReplayBuffer.uniform(options);
      const rng = new Rng(8);
      const obs = new Float32Array(3 * D);
      const copy = (b: ReplayBatch) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)]));
      for (let t = 0; t < 200; t++) {
        const next = Float32Array.from({ length: 3 * D }, () => rng.int(50));
        const ends = Uint8Array.from({ length: 3 }, () => (rng.nextDouble() < 0.1 ? 1 : 0));
        const masks = new Uint8Array(3 * N_ACTIONS);
        for (let e = 0; e < 3; e++) masks.set(maskOf(next[e * D]!), e * N_ACTIONS);
        const args = [obs, Int32Array.from({ length: 3 }, () => rng.int(N_ACTIONS)), Float32Array.from({ length: 3 }, () => rng.uniform(-1, 1)), next, ends, undefined, t < 20 ? undefined : masks] as const;
        wasm.addBatch(...args);
        twin.addBatch(...args);
        obs.set(next);
        if (t >= 10 && t % 10 === 0) expect(copy(wasm.sample(32))).toEqual(copy(twin.sample(32)));
      }
      expect(wasm.sample(32).nextMasks).toBeDefined();
    });
  }

  it("rejects bad next masks, naming them, and leaves the buffer as it was", async () => {
    const rb = await ReplayBuffer.create({ capacity: 50, observationSize: D, nActions: 4, seed: 1 });
    const plain = await ReplayBuffer.create({ capacity: 50, observationSize: D, seed: 1 });
    const add = (mask: unknown, terminated = false) => () => rb.add(obsOf(0), 0, 0, obsOf(1), terminated, false, mask as Uint8Array);
    expect(add(new Uint8Array(3))).toThrow(expect.objectContaining({ argument: "nextMask" }));
    expect(add(new Uint8Array(4))).toThrow(expect.objectContaining({ argument: "nextMask" })); // no legal action, not terminated
    expect(add(Uint8Array.of(1, 0, 2, 0))).toThrow(expect.objectContaining({ argument: "nextMask[2]" }));
    expect(rb.size).toBe(0);
    add(new Uint8Array(4), true)(); // a terminal state may have no legal action
    expect(rb.size).toBe(1);
    expect(() => plain.add(obsOf(0), 0, 0, obsOf(1), false, false, Uint8Array.of(1))).toThrow(expect.objectContaining({ argument: "nextMask" }));
  });
});

describe("agents with masks", () => {
  it("keep the replay's masks in save files and train on them", async () => {
    const agent = await DQN.create({ observationSize: 3, nActions: N_ACTIONS }, { seed: 2, learningStarts: 10, batchSize: 8, netArch: [8] });
    for (let t = 0; t < 40; t++) {
      const obs = [t % 5, 1, 0];
      const mask = Uint8Array.from({ length: N_ACTIONS }, (_, a) => (a % 3 === t % 3 ? 1 : 0));
      const action = agent.act(obs, { mask: Uint8Array.from({ length: N_ACTIONS }, (_, a) => (a % 3 === (t + 2) % 3 ? 1 : 0)) });
      agent.observe(obs, action, 1, [(t + 1) % 5, 1, 0], t % 10 === 9, false, { nextMask: mask });
      await agent.trainStep();
    }
    const bytes = await agent.save({ replay: true });
    const loaded = await DQN.load(bytes);
    expect(await loaded.save({ replay: true })).toEqual(bytes);
    expect(() => agent.observe([0, 0, 0], 0, 0, [0, 0, 0], false, false, { nextMask: new Uint8Array(N_ACTIONS) })).toThrow(expect.objectContaining({ argument: "nextMask" }));
    // Without masks the save file holds no mask array.
    const plain = await DQN.create({ observationSize: 3, nActions: N_ACTIONS }, { seed: 2, netArch: [8] });
    plain.observe([0, 0, 0], 0, 1, [1, 0, 0], false, false);
    const masked = await DQN.create({ observationSize: 3, nActions: N_ACTIONS }, { seed: 2, netArch: [8] });
    masked.observe([0, 0, 0], 0, 1, [1, 0, 0], false, false, { nextMask: new Uint8Array(N_ACTIONS).fill(1) });
    expect((await masked.save({ replay: true })).length).toBeGreaterThan((await plain.save({ replay: true })).length);
    for (const a of [agent, loaded, plain, masked]) a.dispose();
  });
});
