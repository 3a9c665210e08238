/**
 * MinAtar's Breakout (Young & Tian 2019) as `gymnasium.make("MinAtar/Breakout-v1")`
 * builds it from the reference package (minimal action set, sticky actions),
 * on deepq's WebAssembly kernel (assembly/minatar-breakout.ts). Seeded
 * episodes match the reference step by step: the same MT19937 `RandomState`
 * draws, in the same order.
 */
import {
  BG_BALL_Y, BG_INTS, BG_TERMINAL, BK_BRICKS, BK_GAME, BK_HEADER_SLOTS, BK_OBS, BK_RNG, BK_STICKY, MT19937_BYTES, SLOT,
} from "../../assembly/layout.ts";
import { InvalidArgumentError, InvalidStateError } from "../errors.ts";
import { ENVS, RegionPlan, type WasmFlavor } from "../runtime/wasm.ts";
import { Header } from "../runtime/header.ts";
import { checkInt, checkKnownKeys, checkNumber, checkOptions, checkVector } from "../validate.ts";
import { AFTER_TERMINATION_WARNING } from "./cartpole-common.ts";
import type { Env, EnvSpec, ResetArgs, ResetResult, StepResult } from "./env.ts";
import { checkSeed, entropySeed } from "./seeding.ts";
import { Box, Discrete } from "./spaces.ts";

/** The registered id. */
export const BREAKOUT_ID = "MinAtar/Breakout-v1";

/** Options of `make("MinAtar/Breakout-v1", options)`. */
export interface BreakoutOptions {
  /** Probability that the previous action repeats instead of the one given (default 0.1, MinAtar's). */
  stickyActionProb?: number;
  /** A time limit in steps (default Infinity: none, as MinAtar's registration). */
  maxEpisodeSteps?: number;
}

/** The live game scalars: `env.state[i]` is, in this order, breakout.py's ball_x, ball_y, ball_dir, pos, strike, last_x, last_y, terminal, then the last action applied (0 n, 1 l, 2 r). */
const STATE_RANGES: ReadonlyArray<[name: string, max: number]> = [
  ["ballX", 9], ["ballY", 9], ["ballDir", 3], ["pos", 9], ["strike", 1], ["lastX", 9], ["lastY", 9], ["terminal", 1], ["lastAction", 2],
];

/**
 * MinAtar Breakout: a 10x10 grid, a paddle on the bottom row, a ball moving
 * on diagonals and three rows of bricks (refilled once all are broken).
 * Observation `Box(0, 1, [10, 10, 4])`, flat channels-last: cell (r, c)
 * channel ch at `(r * 10 + c) * 4 + ch`, channels paddle, ball, trail,
 * brick. Actions: 0 stay, 1 left, 2 right. Reward 1 a brick; the episode
 * terminates when the ball passes the paddle.
 *
 * Seeding follows the reference: `reset({ seed })` builds one numpy
 * `RandomState(seed)` (seeds in [0, 2^32)) for the ball's start and the
 * sticky draws, and forgets the last action; `reset()` continues the
 * generator and keeps the last action, as chained reference episodes do.
 */
export class BreakoutEnv implements Env {
  readonly observationSpace = new Box(0, 1, [10, 10, 4]);
  readonly actionSpace = new Discrete(3);
  readonly spec: EnvSpec;
  private readonly game: Int32Array;
  private readonly brickMap: Uint8Array;
  private readonly obs: Float32Array;
  private elapsed = 0;
  private seeded = false;
  private ready = false;
  private closed = false;
  private warned = false;

  private constructor(
    spec: EnvSpec,
    views: { game: Int32Array; bricks: Uint8Array; obs: Float32Array },
    private readonly header: number,
    private readonly kernels: { seed: (h: number, seed: number) => void; reset: (h: number) => void; observe: (h: number) => void; step: (h: number, a: number) => number },
  ) {
    this.spec = spec;
    this.game = views.game;
    this.brickMap = views.bricks;
    this.obs = views.obs;
  }

  /** Checks the options, then plans and instantiates the env's arena; `flavor` forces a WASM build (tests). */
  static async create(options?: BreakoutOptions, flavor?: WasmFlavor): Promise<BreakoutEnv> {
    const o = checkOptions("options", options);
    checkKnownKeys("options", o, ["stickyActionProb", "maxEpisodeSteps"]);
    const sticky = o.stickyActionProb === undefined ? 0.1 : checkNumber("options.stickyActionProb", o.stickyActionProb, { min: 0, max: 1 });
    const maxEpisodeSteps = o.maxEpisodeSteps ?? Infinity;
    if (maxEpisodeSteps !== Infinity) checkInt("options.maxEpisodeSteps", maxEpisodeSteps, { min: 1 });
    const plan = new RegionPlan();
    const header = plan.region(BK_HEADER_SLOTS * SLOT);
    const at: Array<[slot: number, address: number]> = [
      [BK_RNG, plan.region(MT19937_BYTES)],
      [BK_GAME, plan.region(4 * BG_INTS)],
      [BK_BRICKS, plan.region(100)],
      [BK_OBS, plan.region(1600)],
    ];
    const arena = await ENVS.instantiate(plan.bytes, flavor);
    const slots = new Header(arena.buffer, header, BK_HEADER_SLOTS);
    slots.setInts(at);
    slots.setFloat(BK_STICKY, sticky);
    const address = new Map(at);
    const k = arena.kernels;
    return new BreakoutEnv(
      Object.freeze({ id: BREAKOUT_ID, maxEpisodeSteps: maxEpisodeSteps as number }),
      { game: arena.i32(address.get(BK_GAME)!, BG_INTS), bricks: arena.u8(address.get(BK_BRICKS)!, 100), obs: arena.f32(address.get(BK_OBS)!, 400) },
      header,
      { seed: k.breakoutSeed, reset: k.breakoutReset, observe: k.breakoutObserve, step: k.breakoutStep },
    );
  }

  /**
   * A copy of the game scalars: ball_x, ball_y, ball_dir (0 up-left, 1
   * up-right, 2 down-right, 3 down-left), pos (the paddle's column),
   * strike, last_x, last_y, terminal, and the last action applied.
   * Assigning all nine sets them (each checked against its range).
   */
  get state(): Int32Array {
    return this.game.slice();
  }
  /** Sets the nine game scalars, each checked against its range (see the getter). */
  set state(value: ArrayLike<number>) {
    const v = checkVector("state", value, BG_INTS);
    STATE_RANGES.forEach(([name, max], i) => checkInt(`state[${i}] (${name})`, v[i], { min: 0, max }));
    // Below the paddle's row only at the end: the ball never moves further down.
    if (v[BG_BALL_Y] === 9 && v[BG_TERMINAL] !== 1) throw new InvalidArgumentError(`state[${BG_BALL_Y}] (ballY)`, v[BG_BALL_Y], "an integer in [0, 8] unless terminal (state[7]) is 1");
    this.game.set(v);
    this.kernels.observe(this.header);
  }

  /** A copy of the brick map, cell (r, c) at r * 10 + c, 1 where a brick is; assigning 100 zeros and ones sets it. */
  get bricks(): Uint8Array {
    return this.brickMap.slice();
  }
  /** Sets the brick map from 100 zeros and ones. */
  set bricks(value: ArrayLike<number>) {
    const v = checkVector("bricks", value, 100);
    for (let i = 0; i < 100; i++) checkInt(`bricks[${i}]`, v[i], { min: 0, max: 1 });
    this.brickMap.set(v);
    this.kernels.observe(this.header);
  }

  reset(args?: ResetArgs): ResetResult {
    if (this.closed) throw new InvalidStateError("the env is closed");
    const a = checkOptions("reset(args)", args ?? undefined);
    checkKnownKeys("reset(args)", a, ["seed", "options"]);
    const seed = a.seed === undefined || a.seed === null ? undefined : checkSeed("seed", a.seed);
    if (seed !== undefined && !(seed <= 0xffffffff)) throw new InvalidArgumentError("seed", seed, "an integer in [0, 2^32 - 1] (numpy RandomState's seeds)");
    checkKnownKeys("options", checkOptions("options", a.options ?? undefined), []);
    if (seed !== undefined || !this.seeded) {
      this.kernels.seed(this.header, Number(seed ?? entropySeed() % 2 ** 32) | 0);
      if (seed !== undefined) this.game[BG_INTS - 1] = 0;
    }
    this.seeded = true;
    this.kernels.reset(this.header);
    this.elapsed = 0;
    this.ready = true;
    return { observation: this.obs.slice(), info: {} };
  }

  step(action: number): StepResult {
    if (action !== 0 && action !== 1 && action !== 2) throw new InvalidArgumentError("action", action, "0, 1 or 2 (an integer in Discrete(3): stay, left, right)");
    if (!this.ready) throw new InvalidStateError(this.closed ? "the env is closed" : "call reset() before step()");
    const wasOver = this.game[BG_TERMINAL] === 1;
    const out = this.kernels.step(this.header, action);
    if (wasOver && !this.warned) {
      this.warned = true;
      console.warn(`deepq ${this.spec.id}: ${AFTER_TERMINATION_WARNING}`);
    }
    const truncated = ++this.elapsed >= this.spec.maxEpisodeSteps;
    return { observation: this.obs.slice(), reward: out & 1, terminated: (out & 2) !== 0, truncated, info: {} };
  }

  /** Ends the env: later calls to reset or step throw an InvalidStateError. */
  close(): void {
    this.closed = true;
    this.ready = false;
  }
}
