import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { DQN, evaluate, make, makeVec, exponentialSchedule, FormatError, InvalidArgumentError, MissingFunctionError, type DQNOptions } from "../src/index.ts";
import { decodeContainer, encodeContainer } from "../src/io/container.ts";

/** Small enough for a few seconds on tfjs wasm; the 300-row buffer wraps around twice. */
const small: DQNOptions = { netArch: [32], learningStarts: 100, batchSize: 32, bufferSize: 300, trainFreq: 1, targetUpdateInterval: 50, seed: 7 };
const N = 700;
const M = 300;

type EnvOf = () => Promise<Awaited<ReturnType<typeof make>> | Awaited<ReturnType<typeof makeVec>>>;
const single: EnvOf = () => make("CartPole-v1");

/** What a save file holds about the networks and Adam. */
async function state(agent: DQN) {
  const { meta, arrays } = decodeContainer(await agent.save());
  return { params: arrays.params, targetParams: arrays.targetParams, adamM: arrays.adamM, adamV: arrays.adamV, adamStep: meta.adamStep, timesteps: agent.timesteps };
}

/**
 * Trains N steps, then M more with resetNumTimesteps false, once straight
 * through and once with save -> load (same env object) in between. The
 * schedules span N, then N + M, in both runs, so the two must agree bit for bit.
 */
async function straightAndRoundTrip(options: DQNOptions, envOf: EnvOf, saveReplay = true) {
  const straight = await DQN.create(await envOf(), options);
  await straight.learn({ totalTimesteps: N });
  await straight.learn({ totalTimesteps: M, resetNumTimesteps: false });

  const env = await envOf();
  const first = await DQN.create(env, options);
  await first.learn({ totalTimesteps: N });
  const bytes = await first.save({ replay: saveReplay });
  first.dispose();
  const loaded = await DQN.load(bytes, { env, epsilonSchedule: options.epsilonSchedule });
  await loaded.learn({ totalTimesteps: M, resetNumTimesteps: false });
  const result = { straight: await state(straight), roundTrip: await state(loaded), files: [await straight.save({ replay: true }), await loaded.save({ replay: true })] };
  straight.dispose();
  loaded.dispose();
  return result;
}

describe("save -> load -> continue", () => {
  const cases: [string, DQNOptions, EnvOf][] = [
    ["fused", { ...small, backend: "fused" }, single],
    ["fused, prioritized replay + 3-step returns", { ...small, backend: "fused", prioritizedReplay: true, nSteps: 3 }, single],
    ["fused, 4 vector envs, prioritized replay + 2-step returns", { ...small, backend: "fused", prioritizedReplay: true, nSteps: 2 }, () => makeVec("CartPole-v1", { numEnvs: 4 })],
    ["fused, an epsilonSchedule function given back to load", { ...small, backend: "fused", epsilonSchedule: exponentialSchedule(1, 0.05, 300) }, single],
    ["tfjs wasm", { ...small, backend: "wasm" }, single],
    ["tfjs wasm, prioritized replay + 3-step returns, double Q, soft updates", { ...small, backend: "wasm", prioritizedReplay: true, nSteps: 3, doubleQ: true, tau: 0.1, targetUpdateInterval: 1 }, single],
  ];
  for (const [name, options, envOf] of cases) {
    it(`with the replay buffer gives bit-identical weights, target and Adam state (${name})`, async () => {
      const { straight, roundTrip, files } = await straightAndRoundTrip(options, envOf);
      expect(roundTrip.timesteps).toBe(straight.timesteps);
      expect(roundTrip.timesteps).toBeGreaterThanOrEqual(N + M);
      expect(roundTrip.adamStep).toBe(straight.adamStep);
      for (const k of ["params", "targetParams", "adamM", "adamV"] as const) {
        expect(roundTrip[k]).toBeInstanceOf(Float32Array);
        expect(roundTrip[k], k).toEqual(straight[k]);
      }
      // The whole state, replay buffer included, is the same file.
      expect(files[1]).toEqual(files[0]);
    }, 60_000);
  }

  it("an agent saved with an epsilonSchedule function loads without it to play, and refuses only to train", async () => {
    const options: DQNOptions = { ...small, backend: "fused", epsilonSchedule: exponentialSchedule(1, 0.01, 500) };
    const env = await make("CartPole-v1");
    const trained = await DQN.create(env, options);
    await trained.learn({ totalTimesteps: 400 });
    const bytes = await trained.save();
    const obs = env.reset({ seed: 3 }).observation;
    const action = trained.predict(obs);
    const exported = await trained.exportSafetensors();
    trained.dispose();

    const before = tf.memory().numTensors;
    const agent = await DQN.load(bytes);
    // For use: predict, evaluate, save and export, as the trained agent would.
    expect(agent.predict(obs)).toBe(action);
    expect((await evaluate(agent, await make("CartPole-v1"), { nEpisodes: 2, seed: 1 })).returns).toHaveLength(2);
    expect(await agent.exportSafetensors()).toEqual(exported);
    const resaved = await agent.save();
    // The new file still records that training needs the function, and still loads for use.
    expect(decodeContainer(resaved).meta.options).toMatchObject({ epsilonSchedule: "function" });
    const again = await DQN.load(resaved);
    expect(again.predict(obs)).toBe(action);
    // To train: a MissingFunctionError naming the option, before anything changes.
    for (const a of [agent, again]) {
      await expect(a.learn({ totalTimesteps: 100 })).rejects.toThrow(MissingFunctionError);
      await expect(a.learn({ totalTimesteps: 100 })).rejects.toThrow(/epsilonSchedule/);
      expect(() => a.act(obs)).toThrow(/epsilonSchedule/);
      expect(() => a.predict(obs, { deterministic: false })).toThrow(/epsilonSchedule/);
      expect(a.timesteps).toBe(400);
      expect(decodeContainer(await a.save()).arrays.params).toEqual(decodeContainer(bytes).arrays.params);
    }
    // The error is typed and names the option as a property too.
    const err = await agent.learn({ totalTimesteps: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingFunctionError);
    expect((err as MissingFunctionError).option).toBe("epsilonSchedule");
    // Given back, it trains.
    const resumed = await DQN.load(resaved, { env, epsilonSchedule: options.epsilonSchedule });
    await resumed.learn({ totalTimesteps: 100, resetNumTimesteps: false });
    expect(resumed.timesteps).toBe(500);
    for (const a of [agent, again, resumed]) a.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(DQN.load(bytes, { epsilonSchedule: 0.1 as never })).rejects.toThrow(/epsilonSchedule/);
  });

  it("without the replay buffer, training continues but not identically (the test above can fail)", async () => {
    const { straight, roundTrip } = await straightAndRoundTrip({ ...small, backend: "fused" }, single, false);
    expect(roundTrip.timesteps).toBe(straight.timesteps);
    expect(roundTrip.params).not.toEqual(straight.params);
  });

  it("the file grows with the rows filled, not with bufferSize", async () => {
    const sizes: number[] = [];
    for (const bufferSize of [1000, 100_000]) {
      const agent = await DQN.create(await make("CartPole-v1"), { ...small, bufferSize, backend: "fused" });
      await agent.learn({ totalTimesteps: 500 });
      sizes.push((await agent.save({ replay: true })).length - (await agent.save()).length);
      agent.dispose();
    }
    // 500 transitions and a row per episode end at 25 B a row, plus a small header.
    expect(sizes[0]).toBeGreaterThan(500 * 25);
    expect(sizes[0]).toBeLessThan(1000 * 25);
    expect(sizes[1]).toBe(sizes[0]);
  });
});

describe("loading a replay buffer that does not fit", () => {
  async function savedWithReplay(options: DQNOptions) {
    const agent = await DQN.create(await make("CartPole-v1"), { ...small, ...options, backend: "wasm" });
    await agent.learn({ totalTimesteps: 200 });
    const bytes = await agent.save({ replay: true });
    agent.dispose();
    return decodeContainer(bytes);
  }

  it("another bufferSize, nSteps or observation size: FormatError, and no tensors left behind", async () => {
    const base = await savedWithReplay({});
    const otherBuffer = structuredClone(base);
    (otherBuffer.meta.options as DQNOptions).bufferSize = 500;
    const otherSteps = structuredClone(base);
    (otherSteps.meta.options as DQNOptions).nSteps = 2;
    // A 6-dimensional agent's file carrying the 4-dimensional agent's buffer.
    const wide = await DQN.create({ observationSize: 6, nActions: 2 }, { ...small, backend: "wasm" });
    const wideFile = decodeContainer(await wide.save());
    wide.dispose();
    const replayArrays = Object.fromEntries(Object.entries(base.arrays).filter(([k]) => k.startsWith("replay.")));
    const grafted = { meta: { ...wideFile.meta, replay: base.meta.replay }, arrays: { ...wideFile.arrays, ...replayArrays } };

    const before = tf.memory().numTensors;
    for (const [file, re] of [[otherBuffer, /capacity/], [otherSteps, /nSteps/], [grafted, /observationSize/]] as const) {
      const bytes = encodeContainer(file);
      await expect(DQN.load(bytes)).rejects.toThrow(FormatError);
      await expect(DQN.load(bytes)).rejects.toThrow(re);
    }
    expect(tf.memory().numTensors).toBe(before);
    // The untouched file loads.
    (await DQN.load(encodeContainer(base))).dispose();
  });

  it("corrupted, truncated or foreign bytes: FormatError, and no tensors left behind", async () => {
    const bytes = encodeContainer(await savedWithReplay({ prioritizedReplay: true }));
    const before = tf.memory().numTensors;
    for (const at of [0, 9, 20, bytes.length >> 2, bytes.length >> 1, bytes.length - 30, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at]! ^= 0x04;
      await expect(DQN.load(bad), `byte ${at}`).rejects.toThrow(FormatError);
    }
    for (const n of [0, 19, 100, bytes.length - 1]) await expect(DQN.load(bytes.slice(0, n))).rejects.toThrow(FormatError);
    const agent = await DQN.create({ observationSize: 4, nActions: 2 }, { netArch: [8], backend: "fused" });
    await expect(DQN.load(await agent.exportSafetensors())).rejects.toThrow(FormatError);
    agent.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("save({ replay }) takes a boolean", async () => {
    const agent = await DQN.create({ observationSize: 4, nActions: 2 }, { netArch: [8], backend: "fused" });
    await expect(agent.save({ replay: "yes" as never })).rejects.toThrow(InvalidArgumentError);
    agent.dispose();
  });
});

describe("AbortSignal", () => {
  it("stops learn() between steps; the stopped agent saves, loads and trains on exactly as it would have", async () => {
    const options: DQNOptions = { ...small, backend: "fused" };
    const env = await make("CartPole-v1");
    const agent = await DQN.create(env, options);
    const controller = new AbortController();
    let stoppedAt = -1;
    await agent.learn({
      totalTimesteps: 5000,
      signal: controller.signal,
      callback: (e) => {
        if (stoppedAt < 0 && e.timesteps >= 400) {
          stoppedAt = e.timesteps;
          controller.abort();
        }
      },
    });
    expect(stoppedAt).toBeGreaterThanOrEqual(400);
    expect(agent.timesteps).toBe(stoppedAt);

    const loaded = await DQN.load(await agent.save({ replay: true }), { env });
    expect(loaded.timesteps).toBe(stoppedAt);
    // An already aborted signal takes no step.
    await loaded.learn({ totalTimesteps: 100, resetNumTimesteps: false, signal: AbortSignal.abort() });
    expect(loaded.timesteps).toBe(stoppedAt);
    await loaded.learn({ totalTimesteps: 300, resetNumTimesteps: false });
    expect(loaded.timesteps).toBe(stoppedAt + 300);

    // The same continuation without the round trip (a fresh env replayed to the same point).
    const straightEnv = await make("CartPole-v1");
    const straight = await DQN.create(straightEnv, options);
    const again = new AbortController();
    await straight.learn({ totalTimesteps: 5000, signal: again.signal, callback: (e) => void (e.timesteps === stoppedAt && again.abort()) });
    await straight.learn({ totalTimesteps: 300, resetNumTimesteps: false });
    expect((await state(loaded)).params).toEqual((await state(straight)).params);
    for (const a of [agent, loaded, straight]) a.dispose();
  });

  it("a timer can abort a long run (learn yields to the event loop)", async () => {
    const agent = await DQN.create(await make("CartPole-v1"), { ...small, backend: "fused" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    await agent.learn({ totalTimesteps: 10_000_000, signal: controller.signal });
    expect(agent.timesteps).toBeGreaterThan(0);
    expect(agent.timesteps).toBeLessThan(10_000_000);
    await expect(agent.learn({ totalTimesteps: 10, signal: {} as never })).rejects.toThrow(InvalidArgumentError);
    agent.dispose();
  });
});
