/**
 * Fuzzing make / makeVec and random sequences of reset, step and state
 * writes against the plain-TS CartPole (src/envs/cartpole-reference.ts):
 * the WASM env returns the reference's results bit for bit, both reject
 * exactly what the independent table of expected errors
 * (./expected-errors.ts) says (with a DeepQError, changing nothing), and
 * neither hands out a NaN or an infinity.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { make, makeVec } from "../../src/envs/registry.ts";
import { CartPoleReferenceEnv, CartPoleVecReferenceEnv } from "../oracles/cartpole-reference.ts";
import { InvalidStateError } from "../../src/errors.ts";
import type { CartPoleEnv, CartPoleVecEnv } from "../../src/envs/cartpole.ts";
import { attempt, attemptAsync, expectBits, expectFinite, expectSameOutcome, junk, mostly, runs, timeout } from "./arbitraries.ts";
import { cartpoleOptionsVerdict, cartpoleResetVerdict, cartpoleStepVerdict, cartpoleVecStepVerdict, expectVerdict } from "./expected-errors.ts";

// Sequences step past termination, which warns once per env.
beforeAll(() => void vi.spyOn(console, "warn").mockImplementation(() => {}));
afterAll(() => vi.restoreAllMocks());

const seed = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.bigInt({ min: 0n, max: 2n ** 130n }));
/** Reset bounds: Gymnasium's default region, a wider one, either side of the +-100 limit, and (rarely) anything finite. */
const bound = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -0.5, max: 0.5, noNaN: true }) },
  fc.double({ min: -1e3, max: 1e3, noNaN: true }),
  fc.constantFrom(-100, 100, -100.5, 100.5),
  fc.double({ noNaN: true }),
);
const resetArgs = mostly(
  fc.record({ seed: mostly(seed), options: mostly(fc.record({ low: bound, high: bound }, { requiredKeys: [] })) }, { requiredKeys: [] }),
  fc.oneof(junk, fc.constant(undefined)),
);
/** A state a game might write: within a few times CartPole's thresholds. */
const state = (n: number) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 4 * n, maxLength: 4 * n });
const makeOptions = mostly(
  fc.record({ suttonBartoReward: mostly(fc.boolean()), maxEpisodeSteps: mostly(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(Infinity))) }, { requiredKeys: [] }),
);

/**
 * A fresh env refuses to step; then both are reset with the same seed (an
 * unseeded first reset draws from entropy, which no twin can share).
 */
function start(env: { reset(a: object): unknown }, twin: { reset(a: object): unknown }, step: () => unknown, s0: number | bigint): void {
  expect(step).toThrow(InvalidStateError);
  env.reset({ seed: s0 });
  twin.reset({ seed: s0 });
}

interface Driven {
  reset(args: object): object;
  step(action: never): object;
  state: Float64Array;
}

/** What reset and step must reject (./expected-errors.ts). */
interface Verdicts {
  reset(args: unknown): string | undefined;
  step(action: unknown): string | undefined;
}

/**
 * Runs `cmds` on the env and its twin: results compared by `same`, both
 * rejecting what `verdict` says, a rejected call leaving the state as it
 * was, and the states equal bit for bit after every command.
 */
function drive(env: Driven, twin: Driven, cmds: Command[], verdict: Verdicts, same: (x: object, y: object) => void): void {
  for (const cmd of cmds) {
    const before = env.state.slice();
    let a, b;
    if ("reset" in cmd) {
      a = attempt(() => env.reset(cmd.reset as object));
      b = attempt(() => twin.reset(cmd.reset as object));
      for (const o of [a, b]) expectVerdict(o, verdict.reset(cmd.reset), "reset");
    } else if ("step" in cmd) {
      a = attempt(() => env.step(cmd.step as never));
      b = attempt(() => twin.step(cmd.step as never));
      for (const o of [a, b]) expectVerdict(o, verdict.step(cmd.step), "step");
    } else {
      env.state = Float64Array.from(cmd.state);
      twin.state = Float64Array.from(cmd.state);
      continue;
    }
    expectSameOutcome(a, b, same);
    if (!a.ok) expectBits("state after a rejected call", env.state, before);
    expectBits("state", env.state, twin.state);
  }
}

type Command = { reset: unknown } | { step: unknown } | { state: number[] };
const commands = (n: number, action: fc.Arbitrary<unknown>) =>
  fc.array(fc.oneof({ weight: 1, arbitrary: resetArgs.map((r) => ({ reset: r })) }, { weight: 8, arbitrary: action.map((a) => ({ step: a })) }, { weight: 1, arbitrary: state(n).map((s) => ({ state: s })) }), { maxLength: 60 });

describe("fuzz: make(\"CartPole-v1\") reset/step", () => {
  it("matches the TS reference bit for bit, both reject what the table of expected errors says (changing nothing), emit only finite numbers", { timeout: timeout(300, 20) }, async () => {
    await fc.assert(
      fc.asyncProperty(makeOptions, seed, commands(1, mostly(fc.constantFrom(0, 1), fc.oneof(junk, fc.integer({ min: -2, max: 3 })))), async (options, s0, cmds) => {
        const made = await attemptAsync(() => make("CartPole-v1", options as object));
        const ref = attempt(() => new CartPoleReferenceEnv(options as object));
        for (const o of [made, ref]) expectVerdict(o, cartpoleOptionsVerdict(options, false), "make");
        expectSameOutcome(made, ref, () => {});
        if (!made.ok || !ref.ok) return;
        const env = made.value as CartPoleEnv;
        const twin = ref.value;
        start(env, twin, () => env.step(0), s0);
        drive(env, twin, cmds, { reset: cartpoleResetVerdict, step: cartpoleStepVerdict }, (x, y) => {
          expect({ ...x, observation: undefined }).toEqual({ ...y, observation: undefined });
          const obs = (x as { observation: Float32Array }).observation;
          expectBits("observation", obs, (y as { observation: Float32Array }).observation);
          expectFinite("observation", obs);
          if ("reward" in x) expectFinite("reward", x.reward as number);
        });
      }),
      runs(300),
    );
  });
});

describe("fuzz: makeVec(\"CartPole-v1\") reset/step", () => {
  const actions = (n: number) =>
    mostly(
      fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }).map((a) => Int32Array.from(a)),
      fc.oneof(
        // One action out of range: the whole step is refused.
        fc.tuple(fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }), fc.nat(n - 1), fc.integer()).map(([a, i, x]) => {
          const out = Int32Array.from(a);
          out[i] = x;
          return out;
        }),
        fc.array(fc.constantFrom(0, 1), { maxLength: n + 2 }).map((a) => Int32Array.from(a)),
        fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
        junk,
      ),
    );
  const vecOptions = fc.record({ numEnvs: mostly(fc.integer({ min: 1, max: 9 }), fc.oneof(junk, fc.integer({ max: 0 }))), rest: makeOptions });
  const scenario = vecOptions.chain((o) => {
    const n = typeof o.numEnvs === "number" && Number.isInteger(o.numEnvs) && o.numEnvs >= 1 && o.numEnvs <= 9 ? o.numEnvs : 1;
    return fc.tuple(fc.constant(o), commands(n, actions(n)));
  });

  it("matches the TS reference bit for bit, both reject what the table of expected errors says (changing nothing), emit only finite numbers", { timeout: timeout(200, 30) }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, seed, async ([o, cmds], s0) => {
        const options = o.rest !== null && typeof o.rest === "object" ? { ...o.rest, numEnvs: o.numEnvs } : o.rest;
        const made = await attemptAsync(() => makeVec("CartPole-v1", options as { numEnvs: number }));
        const ref = attempt(() => new CartPoleVecReferenceEnv(options as { numEnvs: number }));
        for (const o of [made, ref]) expectVerdict(o, cartpoleOptionsVerdict(options, true), "makeVec");
        expectSameOutcome(made, ref, () => {});
        if (!made.ok || !ref.ok) return;
        const env = made.value as CartPoleVecEnv;
        const twin = ref.value;
        start(env, twin, () => env.step(new Int32Array(env.numEnvs)), s0);
        drive(env, twin, cmds, { reset: cartpoleResetVerdict, step: (actions) => cartpoleVecStepVerdict(actions, env.numEnvs) }, (x, y) => {
          for (const key of ["observation", "reward", "terminated", "truncated"] as const) {
            if (!(key in y)) continue;
            const got = (x as Record<string, ArrayLike<number>>)[key]!;
            expectBits(key, got, (y as Record<string, ArrayLike<number>>)[key]!);
            expectFinite(key, got);
          }
        });
      }),
      runs(200),
    );
  });
});
