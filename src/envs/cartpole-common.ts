/**
 * What every CartPole shares, whoever does the physics (the WASM kernels
 * in cartpole.ts or the plain-TypeScript reference): the registered versions,
 * option parsing, spaces, and the wrappers that give Gymnasium's semantics
 * around a {@link CartPoleCore} — seeding, `TimeLimit`, `OrderEnforcing`,
 * the reward rules and the after-termination warning for one env; argument
 * checks and the reused result views for a vector env.
 */
import { InvalidArgumentError, InvalidStateError } from "../errors.ts";
import { checkBool, checkInt, checkKnownKeys, checkNumber, checkOptions, checkVector } from "../validate.ts";
import { RESET_HIGH, RESET_LOW, THETA_THRESHOLD_RADIANS, X_THRESHOLD } from "../../assembly/lib/cartpole-constants.ts";
import type { Env, EnvSpec, Info, ResetArgs, ResetResult, StepResult, VecEnv, VecStepResult } from "./env.ts";
import { checkSeed, entropySeed, type Seed } from "./seeding.ts";
import { Box, Discrete } from "./spaces.ts";

/** Gymnasium's registrations: time limit and reward threshold per version. */
export const CARTPOLE_VERSIONS = {
  "CartPole-v1": { maxEpisodeSteps: 500, rewardThreshold: 475 },
  "CartPole-v0": { maxEpisodeSteps: 200, rewardThreshold: 195 },
} as const;
/** The registered CartPole versions: "CartPole-v1" (500 steps) and "CartPole-v0" (200 steps). */
export type CartPoleId = keyof typeof CARTPOLE_VERSIONS;

/** Options of `make("CartPole-v1", options)`, as `gymnasium.make`'s keyword arguments. */
export interface CartPoleOptions {
  /** Reward 0 per step and -1 on termination (Sutton & Barto) instead of 1 per step. */
  suttonBartoReward?: boolean;
  /** The time limit (default: the version's, 500 for v1); `Infinity` gives the unwrapped env. */
  maxEpisodeSteps?: number;
}

/** Options of `makeVec("CartPole-v1", options)`. */
export interface CartPoleVecOptions extends CartPoleOptions {
  /** How many envs step together, 1 to 2^20 (1,048,576). */
  numEnvs: number;
}

/** The largest `numEnvs` (about 80 MB of WASM memory). */
export const MAX_NUM_ENVS = 1 << 20;

/** Options resolved against a version: the env's spec and its reward rule. */
export interface CartPoleConfig {
  readonly spec: EnvSpec;
  readonly suttonBartoReward: boolean;
}

/** Checks `make`'s (or, with `vector`, `makeVec`'s) options for CartPole version `id`. */
export function cartpoleConfig(id: CartPoleId, options: unknown, vector = false): CartPoleConfig & { numEnvs: number } {
  const version = CARTPOLE_VERSIONS[id];
  const o = checkOptions("options", options);
  checkKnownKeys("options", o, vector ? ["numEnvs", "suttonBartoReward", "maxEpisodeSteps"] : ["suttonBartoReward", "maxEpisodeSteps"]);
  const numEnvs = vector ? checkInt("options.numEnvs", o.numEnvs, { min: 1, max: MAX_NUM_ENVS }) : 1;
  const suttonBartoReward = o.suttonBartoReward === undefined ? false : checkBool("options.suttonBartoReward", o.suttonBartoReward);
  const max = o.maxEpisodeSteps ?? version.maxEpisodeSteps;
  if (max !== Infinity) checkInt("options.maxEpisodeSteps", max, { min: 1 });
  return { spec: Object.freeze({ id, maxEpisodeSteps: max as number, rewardThreshold: version.rewardThreshold }), suttonBartoReward, numEnvs };
}

/** CartPole's observation space: x in ±4.8, theta in ±24 degrees, velocities unbounded (float32). */
export function cartpoleObservationSpace(shape: readonly number[] = [4]): Box {
  const high = [X_THRESHOLD * 2, Infinity, THETA_THRESHOLD_RADIANS * 2, Infinity];
  const size = shape.reduce((a, b) => a * b, 1);
  const tiled = Array.from({ length: size }, (_, i) => high[i % 4]!);
  return new Box(tiled.map((h) => -h), tiled, shape);
}

/**
 * The widest initial state reset's bounds may ask for. Euler integration of
 * the theta_dot^2 term diverges from |theta_dot| of about 250: such a state
 * reaches an infinite observation within a few tens of steps. From within
 * +-100 the state stays finite (checked over 20,000 steps past termination).
 */
export const MAX_RESET_BOUND = 100;

/** Checks reset's arguments: the seed (if any) and the bounds, as Gymnasium's `maybe_parse_reset_bounds` with the env's default bounds. */
function parseReset(args: unknown, defaultLow: number, defaultHigh: number): { seed: Seed | undefined; low: number; high: number } {
  const a = checkOptions("reset(args)", args ?? undefined);
  checkKnownKeys("reset(args)", a, ["seed", "options"]);
  const seed = a.seed === undefined || a.seed === null ? undefined : checkSeed("seed", a.seed);
  const o = checkOptions("options", a.options ?? undefined);
  checkKnownKeys("options", o, ["low", "high"]);
  const range = { min: -MAX_RESET_BOUND, max: MAX_RESET_BOUND };
  const low = o.low === undefined ? defaultLow : checkNumber("options.low", o.low, range);
  const high = o.high === undefined ? defaultHigh : checkNumber("options.high", o.high, range);
  if (low > high) throw new InvalidArgumentError("options.low", low, `a number <= options.high (${high})`);
  return { seed, low, high };
}

export const AFTER_TERMINATION_WARNING =
  "You are calling 'step()' even though this environment has already returned terminated = True. " +
  "You should always call 'reset()' once you receive 'terminated = True' -- any further steps are undefined behavior.";

/** Every env's arrays, env i's at [4i, 4i + 4) or [i]; the WASM core's are views into its memory. */
export interface VecArrays {
  state: Float64Array;
  observation: Float32Array;
  reward: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

/**
 * The physics side of N CartPoles (a single env is N = 1): the WASM kernels
 * (cartpole.ts) or the TypeScript reference (test/oracles/cartpole-reference.ts).
 */
export interface CartPoleCore {
  readonly arrays: VecArrays;
  /** Reseeds the generator: numpy's `Generator(PCG64(SeedSequence(seed)))`. */
  seed(seed: Seed): void;
  /** Draws every state from uniform(low, high, size=(4, N)) in C order and writes the observations; autoresets reuse the bounds. */
  reset(low: number, high: number): void;
  /** cartpole.py's step of env 0 with `action` (0 or 1); writes its observation, returns terminated. */
  step(action: number): boolean;
  /**
   * CartPoleVectorEnv's step of every env with `actions` (length N):
   * returns -1, or the index of an action outside {0, 1} having changed nothing.
   */
  stepVec(actions: Int32Array): number;
}

/**
 * What single and vector classic-control envs (CartPole, Acrobot,
 * MountainCar) share: the core, reset's seeding and bounds, the order
 * checks, the state view.
 */
export abstract class ClassicShared {
  /** The id, time limit and reward threshold it was made with. */
  readonly spec: EnvSpec;
  protected readonly core: CartPoleCore;
  protected readonly suttonBarto: boolean;
  private seeded = false;
  /** reset() was called and close() was not. */
  protected ready = false;
  private closed = false;

  /** Reset's default bounds (Gymnasium's `maybe_parse_reset_bounds` defaults). */
  private readonly resetBounds: readonly [low: number, high: number];

  protected constructor(config: CartPoleConfig, core: CartPoleCore, resetBounds: readonly [low: number, high: number] = [RESET_LOW, RESET_HIGH]) {
    this.spec = config.spec;
    this.suttonBarto = config.suttonBartoReward;
    this.core = core;
    this.resetBounds = resetBounds;
  }

  /**
   * The live float64 state, Gymnasium's `env.unwrapped.state`: env i's
   * (x, x_dot, theta, theta_dot) at [4i, 4i + 4) for CartPole (other envs:
   * see their class). Writing its elements, or
   * assigning an array of them all, sets the state the next step starts from.
   */
  get state(): Float64Array {
    return this.core.arrays.state;
  }
  /** Sets every element of the state (an array of them all). */
  set state(value: ArrayLike<number>) {
    const { state } = this.core.arrays;
    state.set(checkVector("state", value, state.length));
  }

  /** Checks the arguments, then reseeds (or seeds once from entropy) and draws the initial state. */
  protected resetCore(args: ResetArgs | undefined): void {
    if (this.closed) throw new InvalidStateError("the env is closed");
    const { seed, low, high } = parseReset(args, ...this.resetBounds);
    if (seed !== undefined || !this.seeded) this.core.seed(seed ?? entropySeed());
    this.seeded = true;
    this.core.reset(low, high);
    this.ready = true;
  }

  protected notReady(): InvalidStateError {
    return new InvalidStateError(this.closed ? "the env is closed" : "call reset() before step()");
  }

  /** Ends the env: later calls to reset or step throw an InvalidStateError. */
  close(): void {
    this.closed = true;
    this.ready = false;
  }
}

/**
 * One CartPole with Gymnasium's semantics around a core: `gymnasium.make(id)`
 * = TimeLimit > OrderEnforcing > CartPoleEnv, or the unwrapped env when
 * `maxEpisodeSteps` is Infinity.
 */
export class CartPoleBase extends ClassicShared implements Env {
  readonly observationSpace = cartpoleObservationSpace();
  readonly actionSpace = new Discrete(2);
  private readonly maxEpisodeSteps: number;
  private readonly obs: Float32Array;
  private elapsed = 0;
  /** Gymnasium's steps_beyond_terminated; -1 for None. */
  private stepsBeyondTerminated = -1;
  private warned = false;

  protected constructor(config: CartPoleConfig, core: CartPoleCore) {
    super(config, core);
    this.maxEpisodeSteps = config.spec.maxEpisodeSteps;
    this.obs = core.arrays.observation;
  }

  reset(args?: ResetArgs): ResetResult {
    this.resetCore(args);
    this.elapsed = 0;
    this.stepsBeyondTerminated = -1;
    return { observation: this.observe(), info: {} };
  }

  step(action: number): StepResult {
    if (action !== 0 && action !== 1) throw new InvalidArgumentError("action", action, "0 or 1 (an integer in Discrete(2))");
    if (!this.ready) throw this.notReady();
    const terminated = this.core.step(action);
    let reward = this.suttonBarto ? 0 : 1;
    if (terminated) {
      if (this.stepsBeyondTerminated < 0) {
        this.stepsBeyondTerminated = 0; // the pole just fell
        reward = this.suttonBarto ? -1 : 1;
      } else {
        if (this.stepsBeyondTerminated === 0 && !this.warned) {
          this.warned = true;
          console.warn(`deepq ${this.spec.id}: ${AFTER_TERMINATION_WARNING}`);
        }
        this.stepsBeyondTerminated++;
        reward = this.suttonBarto ? -1 : 0;
      }
    }
    const truncated = ++this.elapsed >= this.maxEpisodeSteps;
    return { observation: this.observe(), reward, terminated, truncated, info: {} };
  }

  /** A fresh copy of the observation (agents keep them): four element copies, about twice as fast as slice() in V8. */
  private observe(): Float32Array {
    const o = this.obs;
    const out = new Float32Array(4);
    out[0] = o[0]!;
    out[1] = o[1]!;
    out[2] = o[2]!;
    out[3] = o[3]!;
    return out;
  }
}

/**
 * A vector of CartPoles around a core, as CartPoleVectorEnv
 * (`gym.make_vec(id, num_envs, vectorization_mode="vector_entry_point")`).
 */
export class CartPoleVecBase extends ClassicShared implements VecEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace = cartpoleObservationSpace();
  readonly singleActionSpace = new Discrete(2);
  readonly observationSpace: Box;
  private readonly result: VecStepResult;

  protected constructor(config: CartPoleConfig & { numEnvs: number }, core: CartPoleCore) {
    super(config, core);
    this.numEnvs = config.numEnvs;
    this.observationSpace = cartpoleObservationSpace([config.numEnvs, 4]);
    const { observation, reward, terminated, truncated } = core.arrays;
    this.result = Object.freeze({ observation, reward, terminated, truncated, info: Object.freeze({}) as Info });
  }

  /** Resets every env; the observation is the same view `step` returns. */
  reset(args?: ResetArgs): {
    /** Env i's first observation at [4i, 4i + 4). */
    readonly observation: Float32Array;
    /** Diagnostics ({}). */
    readonly info: Info;
  } {
    this.resetCore(args);
    return { observation: this.result.observation, info: {} };
  }

  /**
   * Steps every env. Returns the same frozen object every time, holding
   * views that the next step overwrites.
   */
  step(actions: Int32Array): VecStepResult {
    if (!(actions instanceof Int32Array) || actions.length !== this.numEnvs) {
      throw new InvalidArgumentError("actions", actions, `an Int32Array of ${this.numEnvs} actions, each 0 or 1`);
    }
    if (!this.ready) throw this.notReady();
    const bad = this.core.stepVec(actions);
    if (bad >= 0) throw new InvalidArgumentError(`actions[${bad}]`, actions[bad], "0 or 1 (an integer in Discrete(2))");
    return this.result;
  }
}
