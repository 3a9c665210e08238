import { describe, expect, it } from "vitest";
import { PrioritizedReplayBuffer, ReplayBuffer } from "../src/replay/buffer.ts";
import { DeepQError, InvalidArgumentError, InvalidStateError } from "../src/errors.ts";
import { makeStream } from "./replay/streams.ts";
import { addStream, planned, snapshot, type Planned } from "./replay/harness.ts";

/** Expects `call` to throw `kind` and leave the buffer's state and last batch byte for byte as they were. */
function rejects(p: Planned<ReplayBuffer>, kind: new (...args: never[]) => DeepQError, call: () => unknown): void {
  const before = snapshot(p);
  const size = p.rb.size;
  expect(call).toThrow(kind);
  expect(p.rb.size).toBe(size);
  const after = snapshot(p);
  expect(after.every((region, i) => Buffer.compare(region, before[i]!) === 0), "state unchanged").toBe(true);
}

const obs = [0.1, 0.2, 0.3, 0.4];

describe("replay: bad input changes nothing", () => {
  it("add: observations, action, reward, flags", async () => {
    const p = await planned(ReplayBuffer, { capacity: 32, observationSize: 4, nSteps: 2, seed: 1 });
    addStream(p.rb, makeStream({ numEnvs: 1, observationSize: 4, steps: 20, seed: 1 }));
    p.rb.sample(16);
    const add = (...args: unknown[]) => () => (p.rb.add as (...a: unknown[]) => void)(...args);
    const bad: [string, () => unknown][] = [
      ["obs too short", add([1, 2, 3], 0, 1, obs, false)],
      ["nextObs too long", add(obs, 0, 1, [...obs, 1], false)],
      ["obs not an array", add("abcd", 0, 1, obs, false)],
      ["NaN in obs", add([0, NaN, 0, 0], 0, 1, obs, false)],
      ["Infinity in nextObs", add(obs, 0, 1, [0, 0, Infinity, 0], false)],
      ["obs beyond float32", add([1e39, 0, 0, 0], 0, 1, obs, false)],
      ["string in obs", add(["1", 0, 0, 0], 0, 1, obs, false)],
      ["NaN reward", add(obs, 0, NaN, obs, false)],
      ["Infinity reward", add(obs, 0, -Infinity, obs, false)],
      ["action 1.5", add(obs, 1.5, 1, obs, false)],
      ["action -1", add(obs, -1, 1, obs, false)],
      ["action 2^31", add(obs, 2 ** 31, 1, obs, false)],
      ["action NaN", add(obs, NaN, 1, obs, false)],
      ["action '1'", add(obs, "1", 1, obs, false)],
      ["terminated 'yes'", add(obs, 0, 1, obs, "yes")],
      ["truncated 2", add(obs, 0, 1, obs, false, 2)],
    ];
    for (const [what, call] of bad) {
      try {
        rejects(p, InvalidArgumentError, call);
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
    }
    p.rb.add(obs, 2 ** 31 - 1, 1, obs, true); // the limits themselves are fine
  });

  it("addBatch: lengths and elements", async () => {
    const p = await planned(ReplayBuffer, { capacity: 30, observationSize: 2, numEnvs: 3, seed: 1 });
    const o = new Float32Array(6);
    addStream(p.rb, makeStream({ numEnvs: 3, observationSize: 2, steps: 15, seed: 2 }));
    const a = Int32Array.of(0, 1, 2);
    const r = Float32Array.of(0, 1, 2);
    const f = Uint8Array.of(0, 0, 1);
    rejects(p, InvalidArgumentError, () => p.rb.addBatch(new Float32Array(5), a, r, o, f));
    rejects(p, InvalidArgumentError, () => p.rb.addBatch(o, Int32Array.of(0, 1), r, o, f));
    rejects(p, InvalidArgumentError, () => p.rb.addBatch(o, [0, 1, -2], r, o, f));
    rejects(p, InvalidArgumentError, () => p.rb.addBatch(o, a, Float64Array.of(0, NaN, 0), o, f));
    rejects(p, InvalidArgumentError, () => p.rb.addBatch(o, a, r, Float64Array.of(0, 0, 0, 0, 0, Infinity), f));
    rejects(p, InvalidArgumentError, () => p.rb.addBatch(o, a, r, o, Uint8Array.of(0, 2, 0)));
    rejects(p, InvalidArgumentError, () => p.rb.addBatch(o, a, r, o, f, [false, true]));
    rejects(p, InvalidStateError, () => p.rb.add([0, 0], 0, 0, [0, 0], false));
    p.rb.addBatch(o, a, r, o, f, [false, true, false]);
  });

  it("sample: batch size and an empty buffer", async () => {
    const p = await planned(ReplayBuffer, { capacity: 32, observationSize: 4, nSteps: 3, seed: 1, maxBatchSize: 64 });
    rejects(p, InvalidStateError, () => p.rb.sample(1));
    p.rb.add(obs, 0, 1, obs, false);
    p.rb.add(obs, 1, 1, obs, false);
    rejects(p, InvalidStateError, () => p.rb.sample(1)); // both still wait for their 3-step return
    p.rb.add(obs, 2, 1, obs, false);
    for (const bad of [0, -1, 1.5, NaN, 65, "8"]) rejects(p, InvalidArgumentError, () => p.rb.sample(bad as number));
    expect(p.rb.sample(64).indices.length).toBe(64);
  });

  it("updatePriorities: lengths, values, indices", async () => {
    const p = await planned(PrioritizedReplayBuffer, { capacity: 32, observationSize: 4, alpha: 0.6, beta: 0.4, seed: 1, maxBatchSize: 8 });
    addStream(p.rb, makeStream({ numEnvs: 1, observationSize: 4, steps: 40, seed: 3 }));
    p.rb.sample(8);
    p.rb.updatePriorities([0, 1], [0.5, 2]);
    const per = p.rb;
    const bad: [unknown, unknown][] = [
      [[0, 1], [1]],
      [[0], [1, 2]],
      [[0], [-1]],
      [[0], [NaN]],
      [[0], [Infinity]],
      [[0], ["1"]],
      [[32], [1]],
      [[-1], [1]],
      [[1.5], [1]],
      [new Array(9).fill(0), new Array(9).fill(1)],
      [7, [1]],
    ];
    for (const [i, q] of bad) rejects(p, InvalidArgumentError, () => per.updatePriorities(i as number[], q as number[]));
    rejects(p, InvalidArgumentError, () => (per.beta = -0.1));
  });

  it("options", async () => {
    const base = { capacity: 10, observationSize: 4 };
    const bad: object[] = [
      { ...base, capacity: 0 },
      { ...base, capacity: 1.5 },
      { ...base, capacity: 3, nSteps: 3 }, // fewer rows than the n-step window needs
      { ...base, capacity: 2 ** 40 },
      { ...base, observationSize: 0 },
      { ...base, gamma: 1.1 },
      { ...base, nSteps: 0 },
      { ...base, nSteps: 128, capacity: 1000 },
      { ...base, numEnvs: 0 },
      { ...base, maxBatchSize: 0 },
      { ...base, seed: -1 },
      { ...base, autoreset: "never" },
      { ...base, batchSize: 32 },
    ];
    for (const o of bad) await expect(ReplayBuffer.create(o as never), JSON.stringify(o)).rejects.toThrow(InvalidArgumentError);
    await expect(ReplayBuffer.create(undefined as never)).rejects.toThrow(InvalidArgumentError);
    const per = { ...base, alpha: 0.6, beta: 0.4 };
    for (const o of [{ ...base, beta: 0.4 }, { ...per, alpha: -1 }, { ...per, beta: 2 }, { ...per, epsilon: 0 }]) {
      await expect(PrioritizedReplayBuffer.create(o as never), JSON.stringify(o)).rejects.toThrow(InvalidArgumentError);
    }
    await expect(ReplayBuffer.create({ ...per } as never)).rejects.toThrow(InvalidArgumentError); // alpha is not a uniform option
  });

  it("a disposed buffer refuses every call", async () => {
    const rb = await ReplayBuffer.create({ capacity: 10, observationSize: 4, seed: 1 });
    rb.add(obs, 0, 1, obs, true);
    rb.dispose();
    expect(() => rb.add(obs, 0, 1, obs, true)).toThrow(InvalidStateError);
    expect(() => rb.sample(1)).toThrow(InvalidStateError);
    expect(rb.size).toBe(1);
  });
});
