/**
 * Run-to-run determinism of training: the same seed gives the same episode
 * returns, losses and final Q-values on the fused engine and on tfjs wasm,
 * for a single env and a vector env. (test/agent.test.ts checks the fused
 * single-env case on its own; runtimes are compared in
 * test/runtimes/determinism.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { DQN } from "../src/agent/dqn.ts";
import { make, makeVec } from "../src/envs/registry.ts";

async function trainingRun(backend: "fused" | "wasm", vector: boolean, seed: number) {
  const env = vector ? await makeVec("CartPole-v1", { numEnvs: 4 }) : await make("CartPole-v1");
  const agent = await DQN.create(env, { backend, seed, netArch: [16], bufferSize: 2000, batchSize: 16, learningStarts: 100, trainFreq: 1, targetUpdateInterval: 200, prioritizedReplay: vector, nSteps: vector ? 3 : 1 });
  const returns: number[] = [];
  const losses: number[] = [];
  const evals: number[][] = []; // the eval env is unseeded: learn seeds its first evaluation
  await agent.learn({
    totalTimesteps: backend === "wasm" ? 700 : 2000,
    eval: { env: await make("CartPole-v1"), freq: 300, nEpisodes: 3 },
    callback: (e) => {
      if (e.episodeReturn !== undefined) returns.push(e.episodeReturn);
      if (e.eval) evals.push([e.eval.mean, e.eval.std]);
      losses.push(e.loss);
    },
  });
  const q = Array.from(agent.qValues([0.01, -0.02, 0.03, 0.04]));
  agent.dispose();
  return { returns, losses, q, evals };
}

describe("determinism: the same seed trains the same agent, run to run", () => {
  for (const backend of ["fused", "wasm"] as const) {
    for (const vector of [false, true]) {
      it(`${backend}, ${vector ? "vector env (4 envs, prioritized, 3-step)" : "single env"}: identical episode returns, losses, evaluations and Q-values`, async () => {
        const a = await trainingRun(backend, vector, 11);
        expect(a.returns.length).toBeGreaterThan(5);
        expect(a.losses.some(Number.isFinite)).toBe(true);
        expect(a.evals.length).toBeGreaterThanOrEqual(2);
        expect(await trainingRun(backend, vector, 11)).toEqual(a);
        // And the seed matters: another seed gives other episodes.
        expect((await trainingRun(backend, vector, 12)).returns).not.toEqual(a.returns);
      });
    }
  }
});
