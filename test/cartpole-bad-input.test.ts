/**
 * Bad input to make, makeVec, reset and step: each is an InvalidArgumentError
 * naming the argument and what is allowed, and changes nothing. "Nothing" is
 * checked against a twin env that never saw the bad call: same state now,
 * and the same results (generator, time limit, flags) from then on.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectRejected } from "./support/rejected.ts";
import { make, makeVec } from "../src/envs/registry.ts";
import { CartPoleReferenceEnv, CartPoleVecReferenceEnv } from "./oracles/cartpole-reference.ts";
import { DeepQError, InvalidArgumentError } from "../src/errors.ts";
import type { Env, VecEnv } from "../src/envs/env.ts";

// The fixed runs below step past termination, which warns (once per env).
beforeAll(() => void vi.spyOn(console, "warn").mockImplementation(() => {}));
afterAll(() => vi.restoreAllMocks());

/** The results of a fixed run of good calls, to compare an env with its twin. */
function future(env: Env & { state: Float64Array }): unknown[] {
  const out: unknown[] = [[...env.state]];
  for (let i = 0; i < 40; i++) out.push(env.step(i % 3 === 0 ? 1 : 0));
  out.push(env.reset().observation, [...env.state]);
  return out;
}

function vecFuture(env: VecEnv): unknown[] {
  const out: unknown[] = [[...env.state]];
  for (let i = 0; i < 40; i++) {
    const r = env.step(Int32Array.from({ length: env.numEnvs }, (_, j) => (i + j) % 2));
    out.push([...r.observation, ...r.reward, ...r.terminated, ...r.truncated]);
  }
  return out;
}

describe.each([
  ["wasm", () => make("CartPole-v1", { maxEpisodeSteps: 30 })],
  ["ts reference", async () => new CartPoleReferenceEnv({ maxEpisodeSteps: 30 })],
])("CartPole-v1 (%s)", (_, create) => {
  const twins = async () => {
    const [env, twin] = [await create(), await create()];
    for (const e of [env, twin]) {
      e.reset({ seed: 11 });
      for (let i = 0; i < 5; i++) e.step(i & 1);
    }
    return [env, twin] as const;
  };

  it.each([2, -1, 0.5, NaN, "1", true, undefined, null, [1]])("step(%s) is rejected and changes nothing", async (action) => {
    const [env, twin] = await twins();
    expectRejected(() => env.step(action as number), "action", /0 or 1/);
    expect(future(env)).toEqual(future(twin));
  });

  it("bigint action and seed (-1n) are rejected and change nothing", async () => {
    const [env, twin] = await twins();
    expectRejected(() => env.step(1n as unknown as number), "action", /0 or 1/);
    expectRejected(() => env.reset({ seed: -1n }), "seed", /non-negative integer/);
    expect(future(env)).toEqual(future(twin));
  });

  it.each([
    [{ seed: -1 }, "seed", /non-negative integer/],
    [{ seed: 1.5 }, "seed", /non-negative integer/],
    [{ seed: "1" }, "seed", /non-negative integer/],
    [{ seed: NaN }, "seed", /non-negative integer/],
    [{ seed: 2 ** 53 }, "seed", /non-negative integer/],
    [{ options: { low: 0.1, high: -0.1 } }, "options.low", /<= options.high \(-0.1\)/],
    [{ options: { low: 0.2 } }, "options.low", /<= options.high \(0.05\)/],
    [{ options: { low: NaN } }, "options.low", /finite number/],
    [{ options: { high: "0.1" } }, "options.high", /finite number/],
    [{ options: { low: -1e308, high: 1e308 } }, "options.low", /in \[-100, 100\]/],
    [{ options: { high: 300 } }, "options.high", /in \[-100, 100\]/],
    [{ options: { lo: -0.1 } }, "options.lo", /unknown option \(known: low, high\)/],
    [{ options: 5 }, "options", /options object/],
    [{ sed: 1 }, "reset(args).sed", /unknown option \(known: seed, options\)/],
    ["seed", "reset(args)", /options object/],
  ])("reset(%j) is rejected and changes nothing", async (args, argument, allowed) => {
    const [env, twin] = await twins();
    expectRejected(() => env.reset(args as never), argument, allowed);
    expect(future(env)).toEqual(future(twin));
  });
});

describe("make", () => {
  it("rejects unknown env ids, listing the known ones", async () => {
    for (const id of ["CartPole-v2", "cartpole-v1", "", 42]) {
      const e = await make(id as string).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DeepQError);
      expect((e as Error).message).toContain('"CartPole-v1", "CartPole-v0"');
    }
    await expect(makeVec("Pendulum-v1", { numEnvs: 2 })).rejects.toThrow(/CartPole-v1/);
  });

  it.each([
    [{ suttonBartoReward: "yes" }, "options.suttonBartoReward"],
    [{ maxEpisodeSteps: 0 }, "options.maxEpisodeSteps"],
    [{ maxEpisodeSteps: 1.5 }, "options.maxEpisodeSteps"],
    [{ maxEpisodeSteps: -Infinity }, "options.maxEpisodeSteps"],
    [{ maxEpisodeSteps: NaN }, "options.maxEpisodeSteps"],
    [{ numEnvs: 2 }, "options.numEnvs"],
    [{ renderMode: "human" }, "options.renderMode"],
  ])("make options %j are rejected", async (options, argument) => {
    const e = await make("CartPole-v1", options as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as InvalidArgumentError).argument).toBe(argument);
  });

  it.each([0, -1, 1.5, NaN, "4", undefined, 2 ** 21])("makeVec numEnvs %s is rejected", async (numEnvs) => {
    const e = await makeVec("CartPole-v1", { numEnvs: numEnvs as number }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as InvalidArgumentError).argument).toBe("options.numEnvs");
    expect((e as Error).message).toMatch(/an integer in \[1, 1048576\]/);
  });
});

describe.each([
  ["wasm", (n: number) => makeVec("CartPole-v1", { numEnvs: n, maxEpisodeSteps: 25 })],
  ["ts reference", async (n: number) => new CartPoleVecReferenceEnv({ numEnvs: n, maxEpisodeSteps: 25 })],
])("CartPole-v1 vector env (%s)", (_, create) => {
  const N = 9;
  const twins = async () => {
    const [env, twin] = [await create(N), await create(N)];
    for (const e of [env, twin]) {
      e.reset({ seed: 3 });
      for (let i = 0; i < 12; i++) e.step(Int32Array.from({ length: N }, (_, j) => (i * j) % 2));
    }
    return [env, twin] as const;
  };
  const ok = new Int32Array(N);
  const withAt = (i: number, v: number) => {
    const a = new Int32Array(N);
    a[i] = v;
    return a;
  };

  it.each([
    ["too short", new Int32Array(N - 1)],
    ["too long", new Int32Array(N + 1)],
    ["Float32Array", new Float32Array(N)],
    ["Uint8Array", new Uint8Array(N)],
    ["number[]", Array.from(ok)],
    ["a number", 1],
  ])("step(%s) is rejected and changes nothing", async (_, actions) => {
    const [env, twin] = await twins();
    expectRejected(() => env.step(actions as Int32Array), "actions", /Int32Array of 9 actions, each 0 or 1/);
    expect(vecFuture(env)).toEqual(vecFuture(twin));
  });

  it.each([
    [0, 2],
    [4, -1],
    [8, 3],
    [7, 2 ** 31 - 1],
  ])("step with actions[%i] = %i is rejected and changes nothing", async (i, v) => {
    const [env, twin] = await twins();
    expectRejected(() => env.step(withAt(i, v)), `actions[${i}]`, /0 or 1/);
    expect(vecFuture(env)).toEqual(vecFuture(twin));
  });

  it("reset with bad arguments changes nothing", async () => {
    const [env, twin] = await twins();
    expectRejected(() => env.reset({ seed: -3 }), "seed", /non-negative integer/);
    expectRejected(() => env.reset({ options: { low: 1, high: 0 } }), "options.low", /<= options.high/);
    expect(vecFuture(env)).toEqual(vecFuture(twin));
  });
});
