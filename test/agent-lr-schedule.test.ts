/**
 * Learning-rate schedules, as SB3's `learning_rate` callable: a function of
 * the remaining progress (1 at the start of `learn`, 0 at its end), applied
 * before each training round on every engine.
 */
import { describe, expect, it } from "vitest";
import { DQN, InvalidArgumentError, MissingFunctionError, make, type DQNOptions } from "../src/index.ts";
import { decodeContainer } from "../src/io/container.ts";

const small: DQNOptions = { netArch: [16], learningStarts: 50, batchSize: 16, bufferSize: 500, trainFreq: 1, targetUpdateInterval: 50, seed: 5 };

async function trainedParams(options: DQNOptions, steps = 400): Promise<Float32Array> {
  const agent = await DQN.create(await make("CartPole-v1"), options);
  await agent.learn({ totalTimesteps: steps });
  const params = decodeContainer(await agent.save()).arrays.params as Float32Array;
  agent.dispose();
  return params;
}

describe("learningRate schedules", () => {
  for (const backend of ["fused", "wasm"] as const) {
    it(`a constant schedule trains exactly as the number; a step schedule differs; the schedule sees progress 1 -> 0 (${backend})`, async () => {
      const seen: number[] = [];
      const constant = await trainedParams({ ...small, backend, learningRate: (p) => (seen.push(p), 1e-3) });
      expect(constant).toEqual(await trainedParams({ ...small, backend, learningRate: 1e-3 }));
      expect(seen[0]).toBe(1); // at creation
      const during = seen.slice(1);
      expect(during.length).toBeGreaterThan(300); // one call per training round (trainFreq 1 after learningStarts)
      expect(during.every((p, i) => p >= 0 && p <= 1 && (i === 0 || p <= during[i - 1]!))).toBe(true);
      expect(during.at(-1)!).toBeLessThan(0.01);
      // The same rate at creation: only applying the schedule while training can tell them apart.
      const stepped = await trainedParams({ ...small, backend, learningRate: (p) => (p > 0.5 ? 1e-3 : 1e-5) });
      expect(stepped).not.toEqual(constant);
    });
  }

  it("a schedule returning a bad value is an InvalidArgumentError naming options.learningRate, at create or when it happens", async () => {
    await expect(DQN.create({ observationSize: 4, nActions: 2 }, { ...small, learningRate: () => NaN })).rejects.toThrow(/options\.learningRate/);
    const agent = await DQN.create(await make("CartPole-v1"), { ...small, learningRate: (p) => (p > 0.5 ? 1e-3 : -1) });
    await expect(agent.learn({ totalTimesteps: 400 })).rejects.toThrow(InvalidArgumentError);
    expect(agent.timesteps).toBeGreaterThan(150);
    expect(agent.timesteps).toBeLessThan(260);
    agent.dispose();
  });

  it("a save file records that the rate was a schedule; DQN.load asks for it, and then continues bit for bit", async () => {
    const schedule = (p: number) => 1e-3 * p + 1e-5;
    const options: DQNOptions = { ...small, backend: "fused", learningRate: schedule };
    const straight = await DQN.create(await make("CartPole-v1"), options);
    await straight.learn({ totalTimesteps: 300 });
    await straight.learn({ totalTimesteps: 200, resetNumTimesteps: false });

    const env = await make("CartPole-v1");
    const first = await DQN.create(env, options);
    await first.learn({ totalTimesteps: 300 });
    const bytes = await first.save({ replay: true });
    first.dispose();
    // Loaded without it, the agent plays, and training names the missing schedule without taking a step.
    const player = await DQN.load(bytes, { env });
    expect([0, 1]).toContain(player.predict((await make("CartPole-v1")).reset({ seed: 1 }).observation));
    expect(decodeContainer(await player.save()).arrays.params).toEqual(decodeContainer(bytes).arrays.params);
    await expect(player.learn({ totalTimesteps: 200, resetNumTimesteps: false })).rejects.toThrow(MissingFunctionError);
    await expect(player.trainStep()).rejects.toThrow(/learningRate/);
    expect(player.timesteps).toBe(300);
    player.dispose();
    await expect(DQN.load(bytes, { env, learningRate: 1e-3 as never })).rejects.toThrow(InvalidArgumentError);
    const loaded = await DQN.load(bytes, { env, learningRate: schedule });
    await loaded.learn({ totalTimesteps: 200, resetNumTimesteps: false });
    expect(decodeContainer(await loaded.save()).arrays.params).toEqual(decodeContainer(await straight.save()).arrays.params);
    straight.dispose();
    loaded.dispose();
  });
});
