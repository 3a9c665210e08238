/** checkEnv on CartPole and on a custom env, correct and broken in each way the checker looks for. */
import { describe, expect, it } from "vitest";
import { checkEnv } from "../src/envs/check-env.ts";
import { make } from "../src/envs/registry.ts";
import { CartPoleReferenceEnv } from "./oracles/cartpole-reference.ts";
import { Box, Discrete } from "../src/envs/spaces.ts";
import { DeepQError, InvalidArgumentError } from "../src/errors.ts";
import { Rng } from "../src/runtime/rng.ts";
import type { Env, ResetArgs, StepResult } from "../src/envs/env.ts";

/** A small game: walk a corridor of 10 cells to the goal; the start cell is random. */
class Corridor implements Env {
  observationSpace = new Box(0, 1, [1]);
  actionSpace = new Discrete(2);
  protected rng = new Rng(0);
  protected pos = 0;

  reset({ seed }: ResetArgs = {}) {
    if (seed != null) this.rng = new Rng(Number(seed));
    this.pos = this.rng.int(5);
    return { observation: new Float32Array([this.pos / 10]), info: {} };
  }

  step(action: number): StepResult {
    this.pos = Math.max(0, this.pos + (action === 1 ? 1 : -1));
    return { observation: new Float32Array([this.pos / 10]), reward: -1, terminated: this.pos === 10, truncated: false, info: {} };
  }
}

function problem(env: object): DeepQError {
  try {
    checkEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(DeepQError);
    return e as DeepQError;
  }
  throw new Error("checkEnv accepted a broken env");
}

describe("checkEnv", () => {
  it("accepts CartPole (WASM and reference) and a correct custom env", async () => {
    checkEnv(await make("CartPole-v1"));
    checkEnv(new CartPoleReferenceEnv({ suttonBartoReward: true }));
    checkEnv(new Corridor());
  });

  it.each<[string, () => object, string, RegExp]>([
    ["no observation space", () => Object.assign(new Corridor(), { observationSpace: undefined }), "env.observationSpace", /a Box or a Discrete space/],
    ["a duck-typed action space", () => Object.assign(new Corridor(), { actionSpace: { n: 2 } }), "env.actionSpace", /a Box or a Discrete space/],
    ["a Box mutated to low > high", () => {
      const env = new Corridor();
      env.observationSpace.low[0] = 2;
      return env;
    }, "env.observationSpace", /well-formed Box/],
    ["no step method", () => Object.assign(new Corridor(), { step: 1 }), "env.step", /a method/],
    ["reset returning a bare observation", () => Object.assign(new Corridor(), { reset: () => new Float32Array([0]) }), "env.reset({ seed: 123 })", /an object \{ observation, info \}/],
    ["an observation of the wrong size", () => Object.assign(new Corridor(), { reset: () => ({ observation: [0, 0], info: {} }) }), "env.reset().observation", /1 numbers/],
    ["an observation outside the box", () => Object.assign(new Corridor(), { reset: () => ({ observation: [1.5], info: {} }) }), "env.reset().observation[0]", /in \[0, 1\]/],
    ["info that is not an object", () => Object.assign(new Corridor(), { reset: () => ({ observation: [0], info: null }) }), "env.reset().info", /plain object/],
    ["a NaN reward", () => {
      const env = new Corridor();
      const step = env.step.bind(env);
      return Object.assign(env, { step: (a: number) => ({ ...step(a), reward: NaN }) });
    }, "env.step().reward", /finite number/],
    ["a string reward", () => {
      const env = new Corridor();
      const step = env.step.bind(env);
      return Object.assign(env, { step: (a: number) => ({ ...step(a), reward: "1" }) });
    }, "env.step().reward", /finite number/],
    ["terminated as 0/1", () => {
      const env = new Corridor();
      const step = env.step.bind(env);
      return Object.assign(env, { step: (a: number) => ({ ...step(a), terminated: 0 }) });
    }, "env.step().terminated", /true or false/],
    ["truncated missing", () => {
      const env = new Corridor();
      const step = env.step.bind(env);
      return Object.assign(env, { step: (a: number) => ({ ...step(a), truncated: undefined }) });
    }, "env.step().truncated", /true or false/],
  ])("names the problem: %s", (_, build, argument, allowed) => {
    const e = problem(build());
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as InvalidArgumentError).argument).toBe(argument);
    expect(e.message).toMatch(allowed);
  });

  it("flags seeding that does not reproduce", () => {
    class Unseeded extends Corridor {
      override reset() {
        this.pos = Math.floor(Math.random() * 1e9) % 5;
        this.rng = new Rng(Math.floor(Math.random() * 1e9));
        return { observation: new Float32Array([this.pos / 10 + Math.random() * 0.05]), info: {} };
      }
    }
    expect(problem(new Unseeded()).message).toMatch(/reset\(\{ seed: 123 \}\) twice gave different observations/);
  });

  it("flags steps that depend on more than the seed and the actions", () => {
    class Noisy extends Corridor {
      override step(action: number) {
        return { ...super.step(action), reward: Math.random() };
      }
    }
    expect(problem(new Noisy()).message).toMatch(/same actions gave different results at step 1/);
  });

  it("flags an observation object reused across calls", () => {
    class Reusing extends Corridor {
      obs = new Float32Array(1);
      override reset(args?: ResetArgs) {
        this.obs[0] = super.reset(args).observation[0]!;
        return { observation: this.obs, info: {} };
      }
      override step(action: number) {
        this.obs[0] = super.step(action).observation[0]!;
        return { observation: this.obs, reward: -1, terminated: false, truncated: false, info: {} };
      }
    }
    expect(problem(new Reusing()).message).toMatch(/same observation object/);
  });

  it("checks every step of the seeded episode, naming the step", () => {
    class LateNaN extends Corridor {
      t = 0;
      override reset(args?: ResetArgs) {
        this.t = 0;
        return super.reset(args);
      }
      override step(action: number) {
        return { ...super.step(action), reward: ++this.t === 3 ? NaN : -1 };
      }
    }
    const e = problem(new LateNaN()) as InvalidArgumentError;
    expect(e.argument).toBe("env.step() #3 after reset.reward");
    expect(e.message).toMatch(/finite number; got NaN/);
  });

  it.each([Infinity, 1e39])("flags an observation of %s in an unbounded Box (not finite in float32)", (value) => {
    const env = Object.assign(new Corridor(), { observationSpace: new Box(-Infinity, Infinity, [1]), reset: () => ({ observation: [value], info: {} }) });
    const e = problem(env) as InvalidArgumentError;
    expect(e.argument).toBe("env.reset().observation[0]");
    expect(e.message).toContain(`a finite number within float32 range; got ${value}`);
  });

  it("flags a step observation reused from the step before", () => {
    class ReusingSteps extends Corridor {
      obs = new Float32Array(1);
      override step(action: number) {
        this.obs[0] = super.step(action).observation[0]!;
        return { observation: this.obs, reward: -1, terminated: false, truncated: false, info: {} };
      }
    }
    expect(problem(new ReusingSteps()).message).toMatch(/env.step\(\) #2 after reset returned the same observation object as the call before it/);
  });

  it("flags a reset that refuses { options: {} }, as Gymnasium's check_reset_options", () => {
    class NoOptions extends Corridor {
      override reset(args: ResetArgs = {}) {
        if (args.options) throw new TypeError("unexpected options");
        return super.reset(args);
      }
    }
    expect(problem(new NoOptions()).message).toMatch(/env.reset\(\{ options: \{\} \}\) threw TypeError: unexpected options/);
  });

  it("flags an unseeded reset that draws fresh entropy instead of continuing the seeded generator", () => {
    class Reseeding extends Corridor {
      override reset({ seed }: ResetArgs = {}) {
        this.rng = new Rng(seed == null ? Math.floor(Math.random() * 1e9) : Number(seed));
        this.pos = this.rng.int(5);
        return { observation: new Float32Array([this.pos / 10]), info: {} };
      }
    }
    // Five positions: retry so a chance match of two fresh draws cannot hide the problem.
    const messages = Array.from({ length: 8 }, () => {
      try {
        checkEnv(new Reseeding());
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(messages.some((m) => /must continue the generator the last seed set/.test(m))).toBe(true);
  });

  it("flags a close that is not a method", () => {
    const e = problem(Object.assign(new Corridor(), { close: true })) as InvalidArgumentError;
    expect(e.argument).toBe("env.close");
  });

  it("reports what a throwing env threw", () => {
    const env = Object.assign(new Corridor(), {
      step: () => {
        throw new TypeError("boom");
      },
    });
    expect(problem(env).message).toMatch(/env.step\(\d\) threw TypeError: boom/);
    expect(problem(42 as unknown as object).message).toMatch(/env must be an object implementing Env/);
  });
});
