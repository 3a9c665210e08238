/** The shrunk counterexamples the fuzz suites found, kept as fixed cases. */
import { describe, expect, it } from "vitest";
import { DQN } from "../../src/agent/dqn.ts";
import { make, makeVec } from "../../src/envs/registry.ts";
import { FormatError, InvalidArgumentError } from "../../src/errors.ts";
import { decodeContainer, encodeContainer } from "../../src/io/container.ts";
import { writeSafetensors } from "../../src/io/safetensors.ts";
import { loadPolicy } from "../../src/policy.ts";
import { ReplayBuffer } from "../../src/replay/buffer.ts";

const F32_MAX = 3.4028234663852886e38;

function argumentOf(call: () => unknown): string {
  try {
    call();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as InvalidArgumentError).argument;
  }
  throw new Error("accepted");
}

describe("fuzz regressions", () => {
  it("CartPole reset({ options: { low: -8.65e38 } }) no longer yields an -Infinity observation", async () => {
    const env = await make("CartPole-v1");
    expect(argumentOf(() => env.reset({ options: { low: -8.650566976277209e38 } }))).toBe("options.low");
    const venv = await makeVec("CartPole-v1", { numEnvs: 2, maxEpisodeSteps: Infinity });
    expect(argumentOf(() => venv.reset({ seed: 0, options: { low: -894565695177175000000 } }))).toBe("options.low");
    // The widest bounds allowed stay finite for thousands of steps.
    venv.reset({ seed: 0, options: { low: -100, high: 100 } });
    for (let t = 0; t < 5000; t++) expect(venv.step(new Int32Array([t & 1, 0])).observation.every(Number.isFinite)).toBe(true);
  });

  it("two float32-max rewards in one 4-step window are refused instead of sampling an Infinity reward", async () => {
    const rb = await ReplayBuffer.create({ capacity: 15, observationSize: 1, nSteps: 4, seed: 7 });
    rb.add([0], 0, F32_MAX / 4, [0], false);
    expect(argumentOf(() => rb.add([0], 0, F32_MAX, [0], true))).toBe("reward");
    rb.add([0], 0, F32_MAX / 4, [0], true);
    expect(rb.sample(8).rewards.every(Number.isFinite)).toBe(true);
  });

  it("predict and qValues refuse [0, 0, 0, 0, 1e39] alike (it used to become Infinity in float32)", async () => {
    for (const backend of ["fused", "wasm"] as const) {
      const agent = await DQN.create({ observationSize: 5, nActions: 3 }, { backend, netArch: [16, 8], seed: 3 });
      expect(argumentOf(() => agent.predict([0, 0, 0, 0, 1e39], { deterministic: false }))).toBe("observation[4]");
      expect(argumentOf(() => agent.qValues([0, 0, 0, 0, 1e39]))).toBe("observation[4]");
      agent.dispose();
    }
  });

  it("a save file with a valid checksum and counters.timesteps \"x\" is a FormatError, not an agent with NaN epsilon", async () => {
    const agent = await DQN.create({ observationSize: 4, nActions: 2 }, { netArch: [4], bufferSize: 10, batchSize: 8, backend: "fused", seed: 1 });
    const { meta, arrays } = decodeContainer(await agent.save());
    (meta.counters as Record<string, unknown>).timesteps = "x";
    await expect(DQN.load(encodeContainer({ meta, arrays }))).rejects.toThrow(FormatError);
    await expect(DQN.load(encodeContainer({ meta, arrays }))).rejects.toThrow(/counters.timesteps/);
    agent.dispose();
  });

  it("a safetensors MLP with finite weights near float32's largest: qValues refuses instead of returning Infinity", async () => {
    const file = writeSafetensors([
      ["layers.0.weight", { shape: [1, 1], data: new Float32Array([3e38]) }],
      ["layers.0.bias", { shape: [1], data: new Float32Array([0]) }],
      ["layers.1.weight", { shape: [1, 1], data: new Float32Array([2]) }],
      ["layers.1.bias", { shape: [1], data: new Float32Array([0]) }],
    ]);
    const policy = await loadPolicy(file);
    expect(Array.from(policy.qValues([1e-30]))).toEqual([Math.fround(Math.fround(Math.fround(3e38) * Math.fround(1e-30)) * 2)]);
    expect(() => policy.qValues([1])).toThrow(/overflow float32/);
    policy.dispose();
  });
});
