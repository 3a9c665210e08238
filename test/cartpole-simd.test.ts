/**
 * The f64x2 vector kernel against its scalar twin and the TypeScript
 * reference, far outside the golden data: random states over wide ranges
 * (large angles and velocities, exact thresholds, infinities and NaN),
 * random actions, short time limits and frequent autoresets, odd and even
 * numbers of envs. Every output must agree bit for bit.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CartPoleEnv, CartPoleVecEnv } from "../src/envs/cartpole.ts";
import { CartPoleReferenceEnv, CartPoleVecReferenceEnv } from "./oracles/cartpole-reference.ts";
import { testModule } from "./support/test-wasm.ts";
import { THETA_THRESHOLD_RADIANS, X_THRESHOLD } from "../assembly/lib/cartpole-constants.ts";
import { Rng } from "../src/runtime/rng.ts";

// Random states step past termination, which warns (once per env).
beforeAll(() => void vi.spyOn(console, "warn").mockImplementation(() => {}));
afterAll(() => vi.restoreAllMocks());

const SPECIAL = [0, -0, X_THRESHOLD, -X_THRESHOLD, THETA_THRESHOLD_RADIANS, -THETA_THRESHOLD_RADIANS, 1e300, -1e-300, Infinity, -Infinity, NaN];

/** A random state value: mostly CartPole-sized, sometimes huge, sometimes special. */
function value(r: Rng): number {
  const u = r.nextDouble();
  if (u < 0.05) return SPECIAL[r.int(SPECIAL.length)]!;
  if (u < 0.2) return r.uniform(-1e4, 1e4);
  return r.uniform(-0.3, 0.3);
}

/**
 * Exact values (round-trip strings, -0 apart from 0); NaNs compare equal
 * whatever their sign and payload, which WebAssembly leaves unspecified.
 */
const bits = (a: Float32Array | Float64Array) => [...a].map((v) => (Object.is(v, -0) ? "-0" : String(v)));

describe("CartPole vector kernel: SIMD = scalar twin = TS reference", () => {
  it.each([1, 2, 3, 8, 33, 131])("%i envs, random states and actions", async (numEnvs) => {
    for (const suttonBartoReward of [false, true]) {
      const options = { numEnvs, suttonBartoReward, maxEpisodeSteps: 4 };
      const envs = [
        await CartPoleVecEnv.create(options),
        await CartPoleVecEnv.create(options, "CartPole-v1", { build: await testModule("simd") }),
        await CartPoleVecEnv.create(options, "CartPole-v1", { build: "relaxed-simd" }),
        await CartPoleVecEnv.create(options, "CartPole-v1", { build: "relaxed-simd", softwareFma: true }),
        new CartPoleVecReferenceEnv(options),
      ];
      for (const env of envs) env.reset({ seed: numEnvs });
      const r = new Rng(numEnvs);
      for (let t = 0; t < 300; t++) {
        const state = Float64Array.from({ length: 4 * numEnvs }, () => value(r));
        const actions = Int32Array.from({ length: numEnvs }, () => r.int(2));
        const keep = r.nextDouble() < 0.5; // else let the physics run on
        const outs = envs.map((env) => {
          if (keep) env.state.set(state);
          const s = env.step(actions);
          return [bits(s.observation), bits(s.reward), [...s.terminated], [...s.truncated], bits(env.state)];
        });
        for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
      }
    }
  });
});

describe("CartPole single env: WASM = TS reference", () => {
  it("agrees on random states", async () => {
    const wasm = await CartPoleEnv.create({ maxEpisodeSteps: Infinity });
    const ref = new CartPoleReferenceEnv({ maxEpisodeSteps: Infinity });
    const r = new Rng(99);
    for (const env of [wasm, ref]) env.reset({ seed: 1 });
    for (let t = 0; t < 2000; t++) {
      const state = Array.from({ length: 4 }, () => value(r));
      const action = r.int(2);
      const [a, b] = [wasm, ref].map((env) => {
        env.state.set(state);
        const s = env.step(action);
        return { ...s, observation: bits(s.observation), state: bits(env.state) };
      });
      expect(a).toEqual(b);
    }
  });
});
