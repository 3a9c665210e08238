/**
 * CartPole against Gymnasium 1.4's own numbers (test/fixtures/cartpole-v1.json,
 * format in its header): every seeded reset, and every step of every episode
 * and of the vector section, one step at a time from the golden previous
 * state written into `env.state` (long replays diverge: the system is
 * chaotic). Runs on the WASM env (both builds), the SIMD vector kernel and
 * its scalar twin, and the TypeScript reference.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { CartPoleEnv, CartPoleVecEnv } from "../src/envs/cartpole.ts";
import { CartPoleReferenceEnv, CartPoleVecReferenceEnv } from "./oracles/cartpole-reference.ts";
import { testModule } from "./support/test-wasm.ts";
import type { CartPoleBase, CartPoleVecBase } from "../src/envs/cartpole-common.ts";

/** One env's outputs after a step. */
interface GoldenEnvStep {
  obs: number[];
  state: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
interface GoldenStep extends GoldenEnvStep {
  t: number;
  action: number;
}
interface GoldenEpisode {
  name: string;
  instance: number;
  seed: number | null;
  options: { low?: number; high?: number } | null;
  sutton_barto_reward: boolean;
  wrapped: boolean;
  extra_steps_after_termination: number;
  reset: { obs: number[]; state: number[] };
  steps: GoldenStep[];
}
interface GoldenVector {
  num_envs: number;
  seed: number;
  options: { low?: number; high?: number } | null;
  sutton_barto_reward: boolean;
  max_episode_steps: number;
  reset: { obs: number[][]; state: number[][] };
  steps: Array<{ t: number; actions: number[]; obs: number[][]; state: number[][]; reward: number[]; terminated: boolean[]; truncated: boolean[] }>;
}
interface Golden {
  pcg64_checks: Array<{ seed: string; uniform_m005_005_x4: number[] }>;
  episodes: GoldenEpisode[];
  vector: GoldenVector[];
}

const golden = JSON.parse(readFileSync(new URL("./fixtures/cartpole-v1.json", import.meta.url), "utf8")) as Golden;

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
function bits(x: number): bigint {
  f64[0] = x;
  return i64[0]!;
}
/** Distance in units in the last place between two doubles of the same sign. */
function ulps(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  if (Math.sign(a) !== Math.sign(b)) return Infinity;
  const d = bits(a) - bits(b);
  return Number(d < 0n ? -d : d);
}

/** Tallies of one implementation's run over the golden data. */
class Tally {
  resets = 0;
  resetsExact = 0;
  steps = 0;
  /** observation, reward, terminated and truncated all exactly Gymnasium's. */
  outputsExact = 0;
  stateExact = 0;
  stateWithin1Ulp = 0;
  maxUlps = 0;

  reset(obs: ArrayLike<number>, state: ArrayLike<number>, want: { obs: number[]; state: number[] }): void {
    this.resets++;
    if (sameValues(obs, want.obs) && sameValues(state, want.state)) this.resetsExact++;
  }

  /** One env's step: outputs must be exactly Gymnasium's, the state within 1 ulp. */
  step(got: { obs: ArrayLike<number>; reward: number; terminated: boolean; truncated: boolean; state: ArrayLike<number> }, want: GoldenEnvStep): void {
    this.steps++;
    if (sameValues(got.obs, want.obs) && Object.is(got.reward, want.reward) && got.terminated === want.terminated && got.truncated === want.truncated) this.outputsExact++;
    let worst = 0;
    const { state } = got;
    for (let i = 0; i < 4; i++) worst = Math.max(worst, ulps(state[i]!, want.state[i]!));
    this.maxUlps = Math.max(this.maxUlps, worst);
    if (worst === 0) this.stateExact++;
    if (worst <= 1) this.stateWithin1Ulp++;
  }

  line(name: string): string {
    const pct = (k: number, n: number) => `${k}/${n} (${((100 * k) / n).toFixed(3)}%)`;
    return `${name.padEnd(34)} ${String(this.steps).padStart(5)} env-steps: resets ${pct(this.resetsExact, this.resets)}  outputs ${pct(this.outputsExact, this.steps)}  state bit-exact ${pct(this.stateExact, this.steps)}  <=1 ulp ${pct(this.stateWithin1Ulp, this.steps)}  max ${this.maxUlps} ulp`;
  }

  /** DESIGN's bar is every state within 1 ulp and >= 99.9% bit-exact; with glibc-identical sin/cos deepq is bit-exact on all. */
  expectGymnasium(): void {
    expect(this.resetsExact).toBe(this.resets);
    expect(this.outputsExact).toBe(this.steps);
    expect(this.stateWithin1Ulp).toBe(this.steps);
    expect(this.stateExact).toBe(this.steps);
  }
}

function sameValues(got: ArrayLike<number>, want: readonly number[]): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return false;
  return true;
}

const report: string[] = [];
afterAll(() => console.log(`CartPole golden figures (Gymnasium 1.4):\n${report.join("\n")}`));

type MakeEnv = (o: { suttonBartoReward: boolean; maxEpisodeSteps?: number }) => Promise<CartPoleBase>;

const singles: Array<[string, MakeEnv]> = [
  ["wasm simd", (o) => CartPoleEnv.create(o, "CartPole-v1", { build: "simd" })],
  ["wasm relaxed-simd", (o) => CartPoleEnv.create(o, "CartPole-v1", { build: "relaxed-simd" })],
  ["ts reference", async (o) => new CartPoleReferenceEnv(o)],
];

describe.each(singles)("CartPole-v1 episodes, %s", (name, create) => {
  it("matches every seeded reset and every step", async () => {
    const tally = new Tally();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    let warnedEpisodes = 0;
    const instances = new Map<number, CartPoleBase>();
    for (const ep of golden.episodes) {
      let env = instances.get(ep.instance);
      if (!env) {
        env = await create({ suttonBartoReward: ep.sutton_barto_reward, ...(ep.wrapped ? {} : { maxEpisodeSteps: Infinity }) });
        instances.set(ep.instance, env);
      }
      const r = env.reset({ seed: ep.seed, options: ep.options });
      tally.reset(r.observation, env.state, ep.reset);
      let prev = ep.reset.state;
      const warnsBefore = warn.mock.calls.length;
      for (const want of ep.steps) {
        env.state = prev;
        const got = env.step(want.action);
        tally.step({ obs: got.observation, reward: got.reward, terminated: got.terminated, truncated: got.truncated, state: env.state }, want);
        prev = want.state;
      }
      if (warn.mock.calls.length > warnsBefore) warnedEpisodes++;
    }
    warn.mockRestore();
    // Gymnasium warns on the first step after termination; deepq once per env.
    expect(warnedEpisodes).toBe(golden.episodes.filter((e) => e.extra_steps_after_termination > 0).length);
    report.push(tally.line(`episodes, ${name}`));
    tally.expectGymnasium();
  });

  it("reproduces numpy's PCG64 streams: reset(seed) = uniform(-0.05, 0.05, 4), seeds up to 2^128", async () => {
    const env = await create({ suttonBartoReward: false });
    for (const c of golden.pcg64_checks) {
      const seed = BigInt(c.seed) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(c.seed) : BigInt(c.seed);
      env.reset({ seed });
      expect([...env.state]).toEqual(c.uniform_m005_005_x4);
    }
  });
});

type MakeVec = (o: { numEnvs: number; suttonBartoReward: boolean; maxEpisodeSteps: number }) => Promise<CartPoleVecBase>;

const vectors: Array<[string, MakeVec]> = [
  ["wasm simd kernel", (o) => CartPoleVecEnv.create(o)],
  ["wasm scalar twin", async (o) => CartPoleVecEnv.create(o, "CartPole-v1", { build: await testModule("simd") })],
  ["wasm relaxed-simd build", (o) => CartPoleVecEnv.create(o, "CartPole-v1", { build: "relaxed-simd" })],
  // The kernel's sincos2 on the emulated fma, where the build above fuses relaxed_madd.
  ["wasm relaxed-simd build, software fma", (o) => CartPoleVecEnv.create(o, "CartPole-v1", { build: "relaxed-simd", softwareFma: true })],
  ["ts reference", async (o) => new CartPoleVecReferenceEnv(o)],
];

describe.each(vectors)("CartPole-v1 vector env, %s", (name, create) => {
  it("matches the reset and every step, autoresets included", async () => {
    const tally = new Tally();
    for (const v of golden.vector) {
      const env = await create({ numEnvs: v.num_envs, suttonBartoReward: v.sutton_barto_reward, maxEpisodeSteps: v.max_episode_steps });
      const r = env.reset({ seed: v.seed, options: v.options });
      tally.reset(r.observation, env.state, { obs: v.reset.obs.flat(), state: v.reset.state.flat() });
      let prev = v.reset.state.flat();
      for (const want of v.steps) {
        env.state = prev;
        const got = env.step(Int32Array.from(want.actions));
        for (let i = 0; i < v.num_envs; i++) {
          const at = (a: Float32Array | Float64Array) => a.subarray(4 * i, 4 * i + 4);
          tally.step(
            { obs: at(got.observation), reward: got.reward[i]!, terminated: got.terminated[i] === 1, truncated: got.truncated[i] === 1, state: at(env.state) },
            { obs: want.obs[i]!, state: want.state[i]!, reward: want.reward[i]!, terminated: want.terminated[i]!, truncated: want.truncated[i]! },
          );
        }
        prev = want.state.flat();
      }
    }
    report.push(tally.line(`vector, ${name}`));
    tally.expectGymnasium();
  });
});
