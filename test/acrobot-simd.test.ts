/**
 * Acrobot's f64x2 vector kernel (blocks of pairs, assembly/acrobot.ts)
 * against its scalar twin (the test module), far outside the golden data:
 * random states over wide ranges (angles past +-pi, up to 1e4 and past
 * 1e8, multiples of pi/2, zeros of either sign), random
 * actions, short time limits and frequent autoresets, so envs reset in
 * the middle of blocks, on odd and even numbers of envs across block
 * boundaries (a block is 32 envs), with relaxed_madd where it fuses and
 * with the emulated fma. Every output must agree bit for bit.
 */
import { describe, expect, it } from "vitest";
import { ACROBOT } from "../src/envs/acrobot.ts";
import { ClassicVecEnv } from "../src/envs/classic.ts";
import { Rng } from "../src/runtime/rng.ts";
import { testModule } from "./support/test-wasm.ts";

const SPECIAL = [0, -0, Math.PI, -Math.PI, Math.PI / 2, -Math.PI / 2, 3 * Math.PI, 1e-300];

/**
 * A random state: angles mostly within +-pi, sometimes up to 1e4 or
 * special, rarely past 105414336 (where libm's vector path hands the pair
 * to the scalar functions); velocities up to 40 (larger ones blow up
 * within one rk4 step to angles that wrap() takes forever to bring back,
 * in Gymnasium too).
 */
function state(r: Rng, numEnvs: number): Float64Array {
  const out = new Float64Array(4 * numEnvs);
  for (let i = 0; i < out.length; i++) {
    const angle = i % 4 < 2;
    const u = r.nextDouble();
    if (u < 0.05) out[i] = SPECIAL[r.int(SPECIAL.length)]!;
    else if (angle && u < 0.052) out[i] = r.uniform(1.1e8, 1.2e8);
    else if (u < 0.1) out[i] = angle ? r.uniform(-1e4, 1e4) : r.uniform(-40, 40);
    else out[i] = r.uniform(-Math.PI, Math.PI);
  }
  return out;
}

/** Exact values (round-trip strings, -0 apart from 0). */
const bits = (a: Float32Array | Float64Array) => [...a].map((v) => (Object.is(v, -0) ? "-0" : String(v)));

describe("Acrobot vector kernel: SIMD blocks = scalar twin", () => {
  it.each([1, 2, 3, 31, 32, 33, 64, 131])("%i envs, random states and actions", async (numEnvs) => {
    const options = { numEnvs, maxEpisodeSteps: 3 };
    const envs = [
      await ClassicVecEnv.create(ACROBOT, options, { build: await testModule("simd") }),
      await ClassicVecEnv.create(ACROBOT, options),
      await ClassicVecEnv.create(ACROBOT, options, { build: "relaxed-simd" }),
      await ClassicVecEnv.create(ACROBOT, options, { build: "relaxed-simd", softwareFma: true }),
    ];
    for (const env of envs) env.reset({ seed: numEnvs });
    const r = new Rng(numEnvs);
    for (let t = 0; t < 60; t++) {
      const start = state(r, numEnvs);
      const actions = Int32Array.from({ length: numEnvs }, () => r.int(3));
      const keep = r.nextDouble() < 0.5; // else let the physics run on
      const outs = envs.map((env) => {
        if (keep) env.state = start;
        const s = env.step(actions);
        return [bits(s.observation), bits(s.reward), [...s.terminated], [...s.truncated], bits(env.state)];
      });
      for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
    }
  });

  it("rejects a bad action in any block, having changed nothing", async () => {
    const env = await ClassicVecEnv.create(ACROBOT, { numEnvs: 67 });
    env.reset({ seed: 1 });
    const before = env.state.slice();
    const actions = new Int32Array(67).fill(1);
    actions[40] = 3;
    expect(() => env.step(actions)).toThrow(/actions\[40\]/);
    expect([...env.state]).toEqual([...before]);
  });
});
