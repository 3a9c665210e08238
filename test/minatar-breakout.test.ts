/**
 * MinAtar Breakout's rules, each set up by writing the game state and brick
 * map (sticky actions off), and its bad-input contract: typed errors naming
 * the argument, and a rejected call changes nothing (checked against a twin
 * env that never saw it).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectRejected } from "./support/rejected.ts";
import { make } from "../src/envs/registry.ts";
import { checkEnv } from "../src/envs/check-env.ts";
import { BreakoutEnv } from "../src/envs/minatar-breakout.ts";
import { DeepQError, InvalidStateError } from "../src/errors.ts";

beforeAll(() => void vi.spyOn(console, "warn").mockImplementation(() => {}));
afterAll(() => vi.restoreAllMocks());

const [N, L, R] = [0, 1, 2];
const NO_BRICKS = new Array<number>(100).fill(0);
/** Game scalars in env.state order. */
function game(g: { x: number; y: number; dir: number; pos?: number; strike?: number; terminal?: number }): number[] {
  return [g.x, g.y, g.dir, g.pos ?? 4, g.strike ?? 0, g.x, g.y, g.terminal ?? 0, 0];
}
async function setUp(g: Parameters<typeof game>[0], bricks: number[] = NO_BRICKS): Promise<BreakoutEnv> {
  const env = await make("MinAtar/Breakout-v1", { stickyActionProb: 0 });
  env.reset({ seed: 0 });
  env.bricks = bricks;
  env.state = game(g);
  return env;
}
const ball = (env: BreakoutEnv) => [...env.state.subarray(0, 3)];

describe("MinAtar/Breakout-v1 rules", () => {
  it("has the reference's spaces, spec and first observation", async () => {
    const env = await make("MinAtar/Breakout-v1");
    expect(env.observationSpace.shape).toEqual([10, 10, 4]);
    expect([env.observationSpace.low[0], env.observationSpace.high[399]]).toEqual([0, 1]);
    expect(env.actionSpace.n).toBe(3);
    expect(env.spec).toEqual({ id: "MinAtar/Breakout-v1", maxEpisodeSteps: Infinity });
    const { observation } = env.reset({ seed: 0 });
    const cells = (ch: number) => [...Array(100).keys()].filter((i) => observation[i * 4 + ch] === 1);
    expect(cells(0)).toEqual([94]); // paddle at row 9, column 4
    expect(cells(3)).toEqual([...Array(30).keys()].map((i) => i + 10)); // bricks fill rows 1-3
    expect(cells(1).length + cells(2).length).toBe(2);
    expect(checkEnv(env)).toBeUndefined();
  });

  it("bounces the ball off the side walls and the top", async () => {
    const env = await setUp({ x: 9, y: 5, dir: 1 }); // up-right into the right wall
    env.step(N);
    expect(ball(env)).toEqual([9, 4, 0]); // now up-left
    const top = await setUp({ x: 5, y: 0, dir: 0 });
    top.step(N);
    expect(ball(top)).toEqual([4, 0, 3]); // reflected down-left, stays in row 0
    const left = await setUp({ x: 0, y: 5, dir: 3 });
    left.step(N);
    expect(ball(left)).toEqual([0, 6, 2]);
  });

  it("breaks a brick for +1, reflects, and passes through the next brick in the same strike", async () => {
    const bricks = [...NO_BRICKS];
    bricks[4 * 10 + 4] = 1;
    bricks[3 * 10 + 3] = 1;
    const env = await setUp({ x: 5, y: 5, dir: 0 }, bricks);
    const r = env.step(N);
    expect(r.reward).toBe(1);
    expect(env.bricks[44]).toBe(0);
    expect(r.observation[44 * 4 + 3]).toBe(0);
    expect(ball(env)).toEqual([4, 5, 3]); // stays in its row, heading down-left
    const pass = await setUp({ x: 4, y: 4, dir: 0, strike: 1 }, bricks);
    expect(pass.step(N).reward).toBe(0); // strike still set: the ball enters the brick's cell
    expect(ball(pass)).toEqual([3, 3, 0]);
    expect(pass.bricks[33]).toBe(1);
  });

  it("bounces off the paddle: straight back from above it, sideways off its corner", async () => {
    const above = await setUp({ x: 4, y: 8, dir: 2, pos: 4 });
    expect(above.step(N).terminated).toBe(false);
    expect(ball(above)).toEqual([5, 8, 1]);
    const corner = await setUp({ x: 3, y: 8, dir: 2, pos: 4 });
    corner.step(N);
    expect(ball(corner)).toEqual([4, 8, 0]);
  });

  it("refills the three brick rows when the ball comes down with none left", async () => {
    const env = await setUp({ x: 4, y: 8, dir: 2, pos: 4 });
    const r = env.step(N);
    expect([...env.bricks]).toEqual([...Array(100).keys()].map((i) => (i >= 10 && i < 40 ? 1 : 0)));
    expect(r.observation[10 * 4 + 3]).toBe(1);
    const some = [...NO_BRICKS];
    some[0] = 1; // a brick anywhere counts: no refill
    const kept = await setUp({ x: 4, y: 8, dir: 2, pos: 4 }, some);
    kept.step(N);
    expect(kept.bricks.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("stops the paddle at the walls", async () => {
    const env = await setUp({ x: 5, y: 3, dir: 0, pos: 0 });
    env.step(L);
    expect(env.state[3]).toBe(0);
    env.step(R);
    expect(env.state[3]).toBe(1);
    const right = await setUp({ x: 5, y: 3, dir: 0, pos: 9 });
    right.step(R);
    expect(right.state[3]).toBe(9);
  });

  it("terminates when the ball falls past the paddle; later steps give 0 and stay terminated", async () => {
    const env = await setUp({ x: 2, y: 8, dir: 2, pos: 7 });
    const r = env.step(N);
    expect([r.reward, r.terminated, r.truncated]).toEqual([0, true, false]);
    expect(ball(env)).toEqual([3, 9, 2]);
    const after = env.step(L);
    expect([after.reward, after.terminated]).toEqual([0, true]);
    expect(env.state[3]).toBe(7); // the game no longer moves
    expect(env.state[8]).toBe(L); // but the action is recorded, as the reference's wrapper does
  });

  it("repeats the last action with the sticky probability, drawing every step", async () => {
    const always = await make("MinAtar/Breakout-v1", { stickyActionProb: 1 });
    always.reset({ seed: 3 });
    always.step(R);
    expect(always.state[3]).toBe(4); // the last action (n) repeats forever
    const sticky = await make("MinAtar/Breakout-v1", { stickyActionProb: 0.5 });
    sticky.reset({ seed: 3 });
    let repeats = 0;
    for (let i = 0; i < 400 && !sticky.state[7]; i++) {
      const want = i % 2 ? L : R;
      sticky.step(want);
      if (sticky.state[8] !== want) repeats++;
    }
    expect(repeats).toBeGreaterThan(0);
  });

  it("reproduces an episode from the same seed, and truncates at maxEpisodeSteps", async () => {
    const run = async () => {
      const env = await make("MinAtar/Breakout-v1", { maxEpisodeSteps: 7 });
      const out: unknown[] = [env.reset({ seed: 42 }).observation];
      for (let i = 0; i < 7; i++) out.push(env.step(i % 3));
      return out;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect((a[7] as { truncated: boolean }).truncated).toBe(true);
    expect((a[6] as { truncated: boolean }).truncated).toBe(false);
  });
});

/** The results of a fixed run of good calls, to compare an env with its twin. */
function future(env: BreakoutEnv): unknown[] {
  const out: unknown[] = [[...env.state], [...env.bricks]];
  for (let i = 0; i < 40; i++) out.push(env.step(i % 3));
  out.push(env.reset().observation, [...env.state]);
  return out;
}

describe("MinAtar/Breakout-v1 bad input", () => {
  const twins = async () => {
    const [env, twin] = [await make("MinAtar/Breakout-v1"), await make("MinAtar/Breakout-v1")];
    for (const e of [env, twin]) {
      e.reset({ seed: 11 });
      for (let i = 0; i < 5; i++) e.step(i % 3);
    }
    return [env, twin] as const;
  };

  it.each([3, -1, 0.5, NaN, "1", true, undefined, null, [1], 1n])("step(%s) is rejected and changes nothing", async (action) => {
    const [env, twin] = await twins();
    expectRejected(() => env.step(action as number), "action", /0, 1 or 2/);
    expect(future(env)).toEqual(future(twin));
  });

  it.each([
    [{ seed: -1 }, "seed", /non-negative integer/],
    [{ seed: 1.5 }, "seed", /non-negative integer/],
    [{ seed: "1" }, "seed", /non-negative integer/],
    [{ seed: 2 ** 32 }, "seed", /\[0, 2\^32 - 1\]/],
    [{ seed: 2n ** 40n }, "seed", /\[0, 2\^32 - 1\]/],
    [{ options: { low: 1 } }, "options.low", /unknown option/],
    [{ sed: 1 }, "reset(args).sed", /unknown option/],
  ])("reset(%o) is rejected and changes nothing", async (args, argument, allowed) => {
    const [env, twin] = await twins();
    expectRejected(() => env.reset(args as never), argument, allowed);
    expect(future(env)).toEqual(future(twin));
  });

  it.each([
    [[1, 2, 3], "state", /9/],
    [[0, 3, 4, 4, 0, 0, 3, 0, 0], "state[2] (ballDir)", /\[0, 3\]/],
    [[10, 3, 2, 4, 0, 0, 3, 0, 0], "state[0] (ballX)", /\[0, 9\]/],
    [[0, 3, 2, 4, 0, 0, 3, 0, 3], "state[8] (lastAction)", /\[0, 2\]/],
    [[0, 9, 2, 4, 0, 0, 8, 0, 0], "state[1] (ballY)", /unless terminal/],
    [[0, 3, 2, 4.5, 0, 0, 3, 0, 0], "state[3] (pos)", /integer/],
  ])("state = %j is rejected and changes nothing", async (value, argument, allowed) => {
    const [env, twin] = await twins();
    expectRejected(() => (env.state = value), argument, allowed);
    expect(future(env)).toEqual(future(twin));
  });

  it("bricks of the wrong length or values are rejected and change nothing", async () => {
    const [env, twin] = await twins();
    expectRejected(() => (env.bricks = [1, 0]), "bricks", /100/);
    expectRejected(() => (env.bricks = [...NO_BRICKS.slice(1), 2]), "bricks[99]", /\[0, 1\]/);
    expect(future(env)).toEqual(future(twin));
  });

  it.each([
    [{ stickyActionProb: 1.5 }, "options.stickyActionProb", /\[0, 1\]/],
    [{ stickyActionProb: NaN }, "options.stickyActionProb", /\[0, 1\]/],
    [{ stickyActionProb: "0.1" }, "options.stickyActionProb", /\[0, 1\]/],
    [{ maxEpisodeSteps: 0 }, "options.maxEpisodeSteps", />= 1/],
    [{ maxEpisodeSteps: 2.5 }, "options.maxEpisodeSteps", /integer/],
    [{ suttonBartoReward: true }, "options.suttonBartoReward", /unknown option/],
  ])("make(%o) is rejected", async (options, argument, allowed) => {
    await expect(make("MinAtar/Breakout-v1", options as never)).rejects.toMatchObject({ argument, message: expect.stringMatching(allowed) });
    await expect(make("MinAtar/Breakout-v1", options as never)).rejects.toBeInstanceOf(DeepQError);
  });

  it("steps before reset and calls after close are InvalidStateErrors", async () => {
    const env = await make("MinAtar/Breakout-v1");
    expect(() => env.step(0)).toThrow(InvalidStateError);
    env.reset();
    env.close();
    expect(() => env.step(0)).toThrow(/closed/);
    expect(() => env.reset()).toThrow(InvalidStateError);
  });
});
