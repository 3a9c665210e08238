import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { DQN, DivergenceError, make, type DQNOptions } from "../src/index.ts";
import { decodeContainer } from "../src/io/container.ts";

/**
 * Adam at learning rate 1e6 on an unclipped MSE loss: the first update moves
 * every weight by about 1e6, and the second one's gradient (or loss) is past
 * f32. Exploration is constant (explorationFraction 0), so a run does not
 * depend on totalTimesteps and a second agent can be stopped one step before
 * the first one failed.
 */
const blowUp: DQNOptions = { netArch: [64, 64], learningRate: 1e6, learningStarts: 32, batchSize: 32, trainFreq: 1, loss: "mse", maxGradNorm: Infinity, explorationFraction: 0, seed: 4 };

async function snapshot(agent: DQN) {
  const { meta, arrays } = decodeContainer(await agent.save());
  return { params: arrays.params!, targetParams: arrays.targetParams!, adamM: arrays.adamM!, adamV: arrays.adamV!, adamStep: meta.adamStep };
}

describe("divergence", () => {
  for (const backend of ["fused", "wasm"] as const) {
    it(`a blown-up learning rate stops learn() with DivergenceError and keeps the weights of the last finite update (${backend})`, async () => {
      const options = { ...blowUp, backend };
      const failing = await DQN.create(await make("CartPole-v1"), options);
      await failing.learn({ totalTimesteps: 33 }); // one finite update (learningStarts 32)
      // tfjs memory stays flat through the failing updates (the fused engine has no tensors).
      const tensors = () => (backend === "wasm" ? tf.memory().numTensors : 0);
      const held = tensors();
      const error = await failing.learn({ totalTimesteps: 20_000, resetNumTimesteps: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DivergenceError);
      expect(Number.isFinite(failing.lastLoss)).toBe(false);
      expect(tensors()).toBe(held);
      const failedAt = failing.timesteps;
      expect(failedAt).toBeGreaterThan(33);
      expect(failedAt).toBeLessThan(20_000);

      // The same agent stopped one step earlier, just before the failing update.
      const before = await DQN.create(await make("CartPole-v1"), options);
      await before.learn({ totalTimesteps: failedAt - 1 });
      expect(Number.isFinite(before.lastLoss)).toBe(true);
      const [a, b] = [await snapshot(failing), await snapshot(before)];
      for (const k of ["params", "adamM", "adamV"] as const) {
        expect(a[k], k).toEqual(b[k]);
        expect(a[k].every(Number.isFinite), k).toBe(true);
      }
      // The skipped update is not counted as an Adam step.
      expect(a.adamStep).toBe(b.adamStep);
      failing.dispose();
      before.dispose();
    }, 60_000);
  }
});
