/**
 * Acrobot-v1 and MountainCar-v0 against Gymnasium 1.4's own numbers
 * (test/fixtures/acrobot-v1.json, mountaincar-v0.json; format in their
 * headers): every seeded and unseeded reset, every step of every episode
 * and of the vector section, one step at a time from the golden previous
 * state written into `env.state`. Runs each WASM build on the single env,
 * the SIMD vector kernel and its scalar twin, and in the relaxed-SIMD build
 * both fma paths (relaxed_madd where it fuses, and the emulation). The target is every
 * value exact: observations, rewards, flags, resets and float64 states.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { ACROBOT } from "../src/envs/acrobot.ts";
import { ClassicEnv, ClassicVecEnv, type ClassicModel } from "../src/envs/classic.ts";
import { MOUNTAINCAR } from "../src/envs/mountaincar.ts";
import { FLAVORS } from "./support/relaxed-simd.ts";
import { testModule } from "./support/test-wasm.ts";

interface GoldenEnvStep {
  obs: number[];
  state: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
}
interface GoldenEpisode {
  name: string;
  instance: number;
  seed: number | null;
  options: { low?: number; high?: number } | null;
  wrapped: boolean;
  reset: { obs: number[]; state: number[] };
  steps: Array<GoldenEnvStep & { t: number; action: number }>;
}
interface GoldenVector {
  num_envs: number;
  seed: number;
  max_episode_steps: number;
  reset: { obs: number[][]; state: number[][] };
  steps: Array<{ t: number; actions: number[]; obs: number[][]; state: number[][]; reward: number[]; terminated: boolean[]; truncated: boolean[] }>;
}
interface Golden {
  pcg64_checks: Array<Record<string, unknown> & { seed: string }>;
  episodes: GoldenEpisode[];
  vector: GoldenVector[];
}

const load = (file: string) => JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8")) as Golden;
const ENVS: Array<[ClassicModel, Golden, string]> = [
  [ACROBOT, load("acrobot-v1.json"), "uniform_-0.1_0.1_x4"],
  [MOUNTAINCAR, load("mountaincar-v0.json"), "uniform_-0.6_-0.4_x1"],
];

function same(got: ArrayLike<number>, want: readonly number[]): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return false;
  return true;
}

/** Counts of exact matches; the first few mismatches, for the failure message. */
class Tally {
  resets = 0;
  resetsExact = 0;
  steps = 0;
  outputsExact = 0;
  stateExact = 0;
  misses: string[] = [];

  reset(obs: ArrayLike<number>, state: ArrayLike<number>, want: { obs: number[]; state: number[] }, where: string): void {
    this.resets++;
    if (same(obs, want.obs) && same(state, want.state)) this.resetsExact++;
    else this.miss(`${where} reset: obs ${Array.from(obs)} state ${Array.from(state)}, want ${want.obs} / ${want.state}`);
  }

  step(got: { obs: ArrayLike<number>; state: ArrayLike<number>; reward: number; terminated: boolean; truncated: boolean }, want: GoldenEnvStep, where: string): void {
    this.steps++;
    const outputs = same(got.obs, want.obs) && Object.is(got.reward, want.reward) && got.terminated === want.terminated && got.truncated === want.truncated;
    const state = same(got.state, want.state);
    if (outputs) this.outputsExact++;
    if (state) this.stateExact++;
    if (!outputs || !state) this.miss(`${where}: obs ${Array.from(got.obs)} state ${Array.from(got.state)} r ${got.reward} ${got.terminated}/${got.truncated}, want ${want.obs} / ${want.state} r ${want.reward} ${want.terminated}/${want.truncated}`);
  }

  private miss(line: string): void {
    if (this.misses.length < 5) this.misses.push(line);
  }

  line(name: string): string {
    return `${name.padEnd(44)} resets ${this.resetsExact}/${this.resets}  outputs ${this.outputsExact}/${this.steps}  states ${this.stateExact}/${this.steps}`;
  }

  expectExact(): void {
    expect(this.misses).toEqual([]);
    expect(this.resetsExact).toBe(this.resets);
    expect(this.outputsExact).toBe(this.steps);
    expect(this.stateExact).toBe(this.steps);
  }
}

const report: string[] = [];
afterAll(() => console.log(`Acrobot/MountainCar golden figures (Gymnasium 1.4):\n${report.join("\n")}`));

describe.each(ENVS)("%s golden", (model, golden, drawKey) => {
  const S = model.stateSize;
  const O = model.obsSize;

  const singles = [...FLAVORS.map((flavor) => [flavor, { build: flavor }] as const), ["relaxed-simd, software fma", { build: "relaxed-simd" as const, softwareFma: true }] as const];
  it.each(singles)("single env (%s): every reset and every step", async (flavor, wasm) => {
    const tally = new Tally();
    const instances = new Map<number, ClassicEnv>();
    for (const ep of golden.episodes) {
      let env = instances.get(ep.instance);
      if (!env) {
        env = await ClassicEnv.create(model, ep.wrapped ? {} : { maxEpisodeSteps: Infinity }, wasm);
        instances.set(ep.instance, env);
      }
      const r = env.reset({ seed: ep.seed, options: ep.options });
      tally.reset(r.observation, env.state, ep.reset, ep.name);
      let prev = ep.reset.state;
      for (const want of ep.steps) {
        env.state = prev;
        const got = env.step(want.action);
        tally.step({ obs: got.observation, state: env.state, reward: got.reward, terminated: got.terminated, truncated: got.truncated }, want, `${ep.name} t=${want.t}`);
        prev = want.state;
      }
    }
    report.push(tally.line(`${model.id} episodes, ${flavor}`));
    tally.expectExact();
  });

  it("reproduces numpy's reset draws for seeds up to 2^64", async () => {
    const env = await ClassicEnv.create(model);
    for (const c of golden.pcg64_checks) {
      const seed = BigInt(c.seed) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(c.seed) : BigInt(c.seed);
      env.reset({ seed });
      const draws = c[drawKey] as number[];
      // Acrobot's state starts float32; MountainCar's is (position, 0).
      const want = S === 4 ? draws.map(Math.fround) : [draws[0]!, 0];
      expect([...env.state]).toEqual(want);
    }
  });

  const kernels = [
    ["simd kernel", async () => ({})],
    ["scalar twin (test module)", async () => ({ build: await testModule("simd") })],
    ["relaxed-simd build", async () => ({ build: "relaxed-simd" as const })],
    ["relaxed-simd build, software fma", async () => ({ build: "relaxed-simd" as const, softwareFma: true })],
  ] as const;
  it.each(kernels)("vector env (%s): reset (env i seeded s + i) and every step, autoresets included", async (name, choice) => {
    const tally = new Tally();
    const wasm = await choice();
    for (const v of golden.vector) {
      const env = await ClassicVecEnv.create(model, { numEnvs: v.num_envs, maxEpisodeSteps: v.max_episode_steps }, wasm);
      const r = env.reset({ seed: v.seed });
      tally.reset(r.observation, env.state, { obs: v.reset.obs.flat(), state: v.reset.state.flat() }, "vector");
      let prev = v.reset.state.flat();
      for (const want of v.steps) {
        env.state = prev;
        const got = env.step(Int32Array.from(want.actions));
        for (let i = 0; i < v.num_envs; i++) {
          tally.step(
            { obs: got.observation.subarray(O * i, O * i + O), state: env.state.subarray(S * i, S * i + S), reward: got.reward[i]!, terminated: got.terminated[i] === 1, truncated: got.truncated[i] === 1 },
            { obs: want.obs[i]!, state: want.state[i]!, reward: want.reward[i]!, terminated: want.terminated[i]!, truncated: want.truncated[i]! },
            `vector t=${want.t} env ${i}`,
          );
        }
        prev = want.state.flat();
      }
    }
    report.push(tally.line(`${model.id} vector, ${name}`));
    tally.expectExact();
  });
});
