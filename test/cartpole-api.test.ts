/** CartPole's Gymnasium semantics beyond the golden data: specs, spaces, time limits, rewards, state views, vector results. */
import { describe, expect, it, vi } from "vitest";
import { make, makeVec, registeredEnvs } from "../src/envs/registry.ts";
import { CartPoleReferenceEnv, CartPoleVecReferenceEnv } from "./oracles/cartpole-reference.ts";
import { InvalidStateError } from "../src/errors.ts";
import { Box, Discrete } from "../src/envs/spaces.ts";

const upright = [0, 0, 0, 0];

describe("make", () => {
  it("is exported from the package entry with makeVec, checkEnv and the spaces", async () => {
    const deepq = await import("../src/index.ts");
    for (const name of ["make", "makeVec", "checkEnv", "Box", "Discrete"] as const) expect(typeof deepq[name]).toBe("function");
  });

  it("registers CartPole-v1 and CartPole-v0 with Gymnasium's specs", async () => {
    expect(registeredEnvs()).toEqual(["CartPole-v1", "CartPole-v0", "Acrobot-v1", "MountainCar-v0", "MinAtar/Breakout-v1"]);
    expect((await make("CartPole-v1")).spec).toEqual({ id: "CartPole-v1", maxEpisodeSteps: 500, rewardThreshold: 475 });
    expect((await make("CartPole-v0")).spec).toEqual({ id: "CartPole-v0", maxEpisodeSteps: 200, rewardThreshold: 195 });
    expect((await make("CartPole-v1", { maxEpisodeSteps: Infinity })).spec.maxEpisodeSteps).toBe(Infinity);
  });

  it("has Gymnasium's spaces: Box(-high, high, (4,), float32) and Discrete(2)", async () => {
    const env = await make("CartPole-v1");
    expect(env.observationSpace).toBeInstanceOf(Box);
    expect(env.observationSpace.shape).toEqual([4]);
    expect(env.observationSpace.dtype).toBe("float32");
    // np.array([2.4 * 2, inf, theta_threshold * 2, inf], dtype=np.float32)
    expect([...env.observationSpace.high]).toEqual([4.800000190734863, Infinity, 0.41887903213500977, Infinity]);
    expect([...env.observationSpace.low]).toEqual([-4.800000190734863, -Infinity, -0.41887903213500977, -Infinity]);
    expect(env.actionSpace).toBeInstanceOf(Discrete);
    expect(env.actionSpace.n).toBe(2);
    expect(String(env.actionSpace)).toBe("Discrete(2)");
  });
});

describe.each([
  ["wasm", (o?: object) => make("CartPole-v1", o)],
  ["ts reference", async (o?: object) => new CartPoleReferenceEnv(o)],
])("CartPole-v1 (%s)", (_, create) => {
  it("returns fresh float32 observations, reward 1 and {} info", async () => {
    const env = await create();
    const r = env.reset({ seed: 3 });
    expect(r.observation).toBeInstanceOf(Float32Array);
    expect(r.info).toEqual({});
    const s = env.step(1);
    expect(s.observation).not.toBe(r.observation);
    expect(env.step(0).observation).not.toBe(s.observation);
    expect(s).toMatchObject({ reward: 1, terminated: false, truncated: false, info: {} });
  });

  it("state is a live view: writing it sets the state, the observation is its float32 rounding", async () => {
    const env = await create();
    env.reset({ seed: 0 });
    const view = env.state;
    view[2] = 0.3; // past 12 degrees
    expect(env.step(0).terminated).toBe(true);
    env.state = [0.1, 0.2, 0.05, -0.1];
    expect(env.state).toBe(view);
    const { observation } = env.step(1);
    expect([...observation]).toEqual([...view].map(Math.fround));
  });

  it("truncates at maxEpisodeSteps (TimeLimit), never with Infinity", async () => {
    for (const [options, limit] of [[undefined, 500], [{ maxEpisodeSteps: 7 }, 7]] as const) {
      const env = await create(options);
      env.reset({ seed: 1 });
      for (let t = 1; t <= limit; t++) {
        env.state = upright;
        expect(env.step(t & 1).truncated).toBe(t === limit);
      }
      env.reset();
      env.state = upright;
      expect(env.step(0).truncated).toBe(false);
    }
    const unwrapped = await create({ maxEpisodeSteps: Infinity });
    unwrapped.reset({ seed: 1 });
    for (let t = 1; t <= 1000; t++) {
      unwrapped.state = upright;
      expect(unwrapped.step(t & 1).truncated).toBe(false);
    }
  });

  it("after termination keeps integrating with reward 0 (-1 Sutton-Barto) and warns once", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const [suttonBartoReward, alive, fell, after] of [[false, 1, 1, 0], [true, 0, -1, -1]] as const) {
      const env = await create({ suttonBartoReward, maxEpisodeSteps: Infinity });
      for (let episode = 0; episode < 2; episode++) {
        env.reset({ seed: 5 });
        expect(env.step(1).reward).toBe(alive);
        env.state[2] = 1.0;
        const theta = env.state[2]!;
        expect(env.step(0)).toMatchObject({ reward: fell, terminated: true });
        for (let i = 0; i < 3; i++) expect(env.step(0)).toMatchObject({ reward: after, terminated: true });
        expect(env.state[2]).not.toBe(theta);
      }
    }
    expect(warn).toHaveBeenCalledTimes(2); // once per env
    expect(String(warn.mock.calls[0]![0])).toContain("already returned terminated = True");
    warn.mockRestore();
  });

  it("seeds reproducibly: same seed, same state; unseeded resets continue the generator; bigint seeds", async () => {
    const a = await create();
    const b = await create();
    a.reset({ seed: 2 ** 40 + 3 });
    b.reset({ seed: 2 ** 40 + 3 });
    expect([...a.state]).toEqual([...b.state]);
    const second = a.reset().observation;
    expect(second).not.toEqual(b.reset({ seed: 2 ** 40 + 3 }).observation);
    expect(b.reset().observation).toEqual(second);
    expect(a.reset({ seed: 7n }).observation).toEqual(b.reset({ seed: 7 }).observation);
    // Never seeded: each env draws its own seed from crypto.getRandomValues.
    const c = await create();
    const d = await create();
    expect(c.reset().observation).not.toEqual(d.reset().observation);
  });

  it("reset options set the bounds of the initial state (low/high as Gymnasium's maybe_parse_reset_bounds)", async () => {
    const env = await create();
    env.reset({ seed: 9, options: { low: 0.2, high: 0.3 } });
    for (const v of env.state) expect(v >= 0.2 && v < 0.3).toBe(true);
    env.reset({ options: { low: -0.01 } });
    for (const v of env.state) expect(v >= -0.01 && v < 0.05).toBe(true);
    env.reset({ options: { low: 1, high: 1 } });
    expect([...env.state]).toEqual([1, 1, 1, 1]);
  });

  it("enforces order: step before reset or after close is an InvalidStateError", async () => {
    const env = await create();
    expect(() => env.step(0)).toThrow(InvalidStateError);
    env.reset({ seed: 0 });
    env.close();
    expect(() => env.step(0)).toThrow(/closed/);
    expect(() => env.reset()).toThrow(InvalidStateError);
  });
});

describe.each([
  ["wasm", (o: { numEnvs: number; maxEpisodeSteps?: number; suttonBartoReward?: boolean }) => makeVec("CartPole-v1", o)],
  ["ts reference", async (o: { numEnvs: number; maxEpisodeSteps?: number; suttonBartoReward?: boolean }) => new CartPoleVecReferenceEnv(o)],
])("CartPole-v1 vector env (%s)", (_, create) => {
  it("returns reused views into its memory, env i at [4i, 4i + 4)", async () => {
    const env = await create({ numEnvs: 5 });
    expect(env.numEnvs).toBe(5);
    expect(env.singleObservationSpace.shape).toEqual([4]);
    expect(env.observationSpace.shape).toEqual([5, 4]);
    expect(env.singleActionSpace.n).toBe(2);
    const r = env.reset({ seed: 1 });
    expect(r.observation.length).toBe(20);
    expect(env.state.length).toBe(20);
    const s1 = env.step(new Int32Array(5));
    const s2 = env.step(new Int32Array(5).fill(1));
    expect(s2).toBe(s1);
    expect(s1.observation).toBe(r.observation);
    expect(s1.reward).toBeInstanceOf(Float32Array);
    expect(s1.terminated).toBeInstanceOf(Uint8Array);
    expect(s1.truncated).toBeInstanceOf(Uint8Array);
    expect([...s1.observation]).toEqual([...env.state].map(Math.fround));
    env.state[4 * 3 + 2] = -0.5;
    expect(env.step(new Int32Array(5)).terminated[3]).toBe(1);
  });

  it("autoresets on the next step: action ignored, reward 0, not done, fresh state within the reset bounds", async () => {
    const env = await create({ numEnvs: 3, suttonBartoReward: true });
    env.reset({ seed: 4, options: { low: -0.02, high: 0.02 } });
    env.state[4 + 2] = 0.3;
    let r = env.step(new Int32Array([0, 1, 0]));
    expect([...r.terminated]).toEqual([0, 1, 0]);
    expect(Object.is(r.reward[0], -0)).toBe(true); // -float32(terminated)
    expect(r.reward[1]).toBe(-1);
    r = env.step(new Int32Array([0, 1, 0]));
    expect([...r.terminated, ...r.truncated]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Object.is(r.reward[1], 0)).toBe(true);
    for (const v of env.state.subarray(4, 8)) expect(Math.abs(v)).toBeLessThan(0.02);
  });

  it("truncates each env at maxEpisodeSteps and resets it on the next step", async () => {
    const env = await create({ numEnvs: 2, maxEpisodeSteps: 3 });
    env.reset({ seed: 0 });
    const zero = new Float64Array(8);
    const flags: number[][] = [];
    for (let t = 0; t < 5; t++) {
      env.state = zero;
      flags.push([...env.step(new Int32Array([0, 1])).truncated]);
    }
    expect(flags).toEqual([[0, 0], [0, 0], [1, 1], [0, 0], [0, 0]]);
  });
});
