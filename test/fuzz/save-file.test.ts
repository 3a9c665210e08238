/**
 * Save files of a real agent, exhaustively: every single-byte corruption and
 * every truncation of a small model's file (netArch [4]) is a FormatError
 * from DQN.load and from loadPolicy, and creates nothing (no live arena, no
 * tensor once garbage is collected); a file from a newer format version says
 * so. (test/container.test.ts covers the container on its own.)
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DQN } from "../../src/agent/dqn.ts";
import { make } from "../../src/envs/registry.ts";
import { FormatError } from "../../src/errors.ts";
import { FORMAT_VERSION } from "../../src/io/container.ts";
import { loadPolicy } from "../../src/policy.ts";
import { arenaStats } from "../../src/runtime/wasm.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function liveArenas(): Promise<number> {
  for (let round = 0; round < 4; round++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    gc();
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  return arenaStats().count;
}

let saved: Uint8Array;

beforeAll(async () => {
  (await DQN.create({ observationSize: 1, nActions: 1 }, { backend: "wasm", bufferSize: 1, batchSize: 1 })).dispose();
  const agent = await DQN.create(await make("CartPole-v1"), { netArch: [4], bufferSize: 64, batchSize: 8, learningStarts: 16, trainFreq: 1, seed: 9, backend: "fused" });
  await agent.learn({ totalTimesteps: 40 });
  saved = await agent.save();
  agent.dispose();
});

/** Loads `bytes` with both loaders; each must throw a FormatError. */
async function expectRejected(bytes: Uint8Array, what: string): Promise<void> {
  for (const [loader, load] of [["DQN.load", () => DQN.load(bytes)], ["loadPolicy", () => loadPolicy(bytes)]] as const) {
    let error: unknown;
    try {
      await load();
    } catch (e) {
      error = e;
    }
    if (!(error instanceof FormatError)) expect.fail(`${loader} of ${what}: ${error === undefined ? "loaded" : String(error)}`);
  }
}

describe("save files of a small model (netArch [4])", () => {
  it("the intact file loads, into an agent and a policy that agree", async () => {
    const agent = await DQN.load(saved);
    const policy = await loadPolicy(saved);
    // The policy module and the agent may run different builds (FMA or not): equal up to rounding.
    const [p, a] = [policy.qValues([0.1, 0.2, 0.3, 0.4]), agent.qValues([0.1, 0.2, 0.3, 0.4])];
    p.forEach((q, i) => expect(Math.abs(q - a[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(a[i]!))));
    agent.dispose();
    policy.dispose();
  });

  it("every single-byte corruption and every truncation is a FormatError and creates nothing", { timeout: 300_000 }, async () => {
    const arenas = await liveArenas();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < saved.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = saved.slice();
        bad[i]! ^= flip;
        await expectRejected(bad, `the file with byte ${i} ^ 0x${flip.toString(16)}`);
      }
    }
    for (let n = 0; n < saved.length; n++) await expectRejected(saved.slice(0, n), `the first ${n} of ${saved.length} bytes`);
    expect(tf.memory().numTensors, "tensors").toBe(tensors);
    expect(await liveArenas(), "live arenas").toBe(arenas);
  });

  it("a file from a newer format version says so", async () => {
    const newer = saved.slice();
    new DataView(newer.buffer).setUint32(8, FORMAT_VERSION + 1, true);
    await expect(DQN.load(newer)).rejects.toThrow(new RegExp(`format version ${FORMAT_VERSION + 1}, written by a newer deepq`));
    await expect(loadPolicy(newer)).rejects.toThrow(/newer deepq.*Upgrade deepq/);
  });
});
