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
import { cos } from "./oracles/libm.ts";
import { ArenaPlan } from "../src/runtime/wasm.ts";
import { testArena, testModule } from "./support/test-wasm.ts";

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

/** The float32 rounding midpoint nearest to y (0 < |y| < 1): where a float32 observation of y could round either way. */
function midpoint32(y: number): number {
  const a = Math.fround(y);
  const other = new Float32Array([a]);
  new Int32Array(other.buffer)[0]! += (a < y) === (a > 0) ? 1 : -1;
  return (a + other[0]!) / 2;
}

/**
 * States whose next theta1 has a cos whose float32 the approximation of
 * assembly/lib/libm-near.ts (within 2^-44 of glibc's, most often equal)
 * rounds the other way: the exact cos lies within an ulp or two of a
 * float32 rounding midpoint, and the approximation, an ulp off, across it.
 * Newton's method on the first angle, with the scalar twin stepping, finds
 * a midpoint; the angles an ulp or so around it are the candidates.
 */
async function misroundingStates(count: number): Promise<Float64Array[]> {
  const twin = await ClassicVecEnv.create(ACROBOT, { numEnvs: 1 }, { build: await testModule("simd") });
  twin.reset({ seed: 0 });
  const nextTheta1 = (s: Float64Array) => {
    twin.state = s;
    twin.step(Int32Array.of(1));
    return twin.state[0]!;
  };
  const plan = new ArenaPlan();
  const at = { x: plan.region(8 * 64), s: plan.region(8 * 64), c: plan.region(8 * 64) };
  const math = await testArena(plan, "relaxed-simd");
  const r = new Rng(7);
  const found: Float64Array[] = [];
  while (found.length < count) {
    const s = Float64Array.of(r.uniform(0.3, 1.2), r.uniform(-0.5, 0.5), r.uniform(-1, 1), r.uniform(-1, 1));
    const target = midpoint32(cos(nextTheta1(s)));
    for (let i = 0; i < 4; i++) {
      const y = cos(nextTheta1(s));
      const h = 1e-7;
      s[0] = s[0]! + ((target - y) * h) / (cos(nextTheta1(Float64Array.of(s[0]! + h, s[1]!, s[2]!, s[3]!))) - y);
    }
    const candidates = Array.from({ length: 64 }, (_, k) => Float64Array.of(s[0]! + (k - 32) * Number.EPSILON * Math.abs(s[0]!), s[1]!, s[2]!, s[3]!));
    const theta1 = math.f64(at.x, 64);
    candidates.forEach((c, k) => (theta1[k] = nextTheta1(c)));
    math.kernels.nearBatch(at.x, at.s, at.c, 64);
    const approx = math.f64(at.c, 64);
    candidates.forEach((c, k) => {
      if (found.length < count && Math.fround(approx[k]!) !== Math.fround(cos(theta1[k]!))) found.push(c);
    });
  }
  return found;
}

describe("Acrobot vector kernel: the exact path behind the observation's approximations", () => {
  it("gives the scalar twin's float32 observation where the approximation of cos(theta1) rounds the other way", async () => {
    const states = await misroundingStates(4);
    const numEnvs = 2 * states.length;
    const start = new Float64Array(4 * numEnvs);
    // Each state beside an ordinary one, first or second in its pair.
    states.forEach((s, i) => {
      start.set(s, 4 * (2 * i + (i & 1)));
      start.set([0.1, -0.2, 0.3, -0.4], 4 * (2 * i + 1 - (i & 1)));
    });
    const actions = new Int32Array(numEnvs).fill(1);
    const envs = [await ClassicVecEnv.create(ACROBOT, { numEnvs }, { build: await testModule("simd") }), await ClassicVecEnv.create(ACROBOT, { numEnvs }, { build: "relaxed-simd" })];
    const outs = envs.map((env) => {
      env.reset({ seed: 0 });
      env.state = start;
      const s = env.step(actions);
      return [bits(s.observation), [...s.terminated], bits(env.state)];
    });
    expect(outs[1]).toEqual(outs[0]);
  });
});
