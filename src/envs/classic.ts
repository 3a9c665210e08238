/**
 * Acrobot-v1 and MountainCar-v0 on deepq's WebAssembly kernels
 * (assembly/acrobot.ts, assembly/mountaincar.ts): one generic env and vector
 * env around a {@link ClassicModel}, which says what differs per env (sizes,
 * spaces, reset bounds, rewards' meaning, the kernels). Single envs are
 * `gymnasium.make(id)` (TimeLimit > OrderEnforcing > env); vector envs are
 * `gymnasium.make_vec(id, n)`, a SyncVectorEnv with next-step autoreset
 * whose reset(seed=s) seeds env i with s + i. State, observations and
 * vector results are views into the env's WASM memory.
 */
import { CP_ACTIONS, CP_ELAPSED, CP_HEADER_SLOTS, CP_HIGH, CP_KERNEL_CACHE, CP_LOW, CP_MAX_STEPS, CP_NUM_ENVS, CP_OBS, CP_PREV_DONE, CP_REWARD, CP_RNG, CP_STATE, CP_TERMINATED, CP_TRUNCATED, PCG64_BYTES, SLOT } from "../../assembly/layout.ts";
import { InvalidArgumentError } from "../errors.ts";
import { ENVS, RegionPlan, type Arena } from "../runtime/wasm.ts";
import type { EnvsExports } from "../runtime/bindings.ts";
import { Header } from "../runtime/header.ts";
import { checkInt, checkKnownKeys, checkOptions } from "../validate.ts";
import { ClassicShared, MAX_NUM_ENVS, type CartPoleCore, type VecArrays } from "./cartpole-common.ts";
import type { WasmChoice } from "./cartpole.ts";
import type { Env, EnvSpec, Info, ResetArgs, ResetResult, StepResult, VecEnv, VecStepResult } from "./env.ts";
import { pcg64Seed, writePcg64 } from "./pcg64.ts";
import type { Seed } from "./seeding.ts";
import { Box, Discrete } from "./spaces.ts";

/** An env's kernels: reset every env, step env 0 (returns terminated, writes reward[0]), step every env (returns -1 or a bad action's index). */
export interface ClassicKernels {
  reset(header: number): void;
  step(header: number, action: number): number;
  vecStep(header: number): number;
}

/** What differs between the classic-control envs on the generic wrappers. */
export interface ClassicModel {
  readonly id: string;
  /** Gymnasium's registration: time limit and reward threshold. */
  readonly maxEpisodeSteps: number;
  readonly rewardThreshold: number;
  /** float64 values of one env's state, float32 values of its observation. */
  readonly stateSize: number;
  readonly obsSize: number;
  readonly nActions: number;
  /** One observation's bounds (float32). */
  readonly obsLow: readonly number[];
  readonly obsHigh: readonly number[];
  /** Reset's default bounds. */
  readonly resetLow: number;
  readonly resetHigh: number;
  /** Bytes per env of the kernels' own cache (CP_KERNEL_CACHE), 0 for none (an empty region). */
  readonly cacheBytes: number;
  /** The kernels of an arena. */
  kernels(arena: Arena<EnvsExports>): ClassicKernels;
}

/** Options of `make(id, options)` for Acrobot-v1 and MountainCar-v0. */
export interface ClassicOptions {
  /** The time limit (default: the registration's, 500 for Acrobot-v1, 200 for MountainCar-v0); `Infinity` gives the unwrapped env. */
  maxEpisodeSteps?: number;
}

/** Options of `makeVec(id, options)` for Acrobot-v1 and MountainCar-v0. */
export interface ClassicVecOptions extends ClassicOptions {
  /** How many envs step together, 1 to 2^20 (1,048,576). */
  numEnvs: number;
}

function classicConfig(model: ClassicModel, options: unknown, vector: boolean): { spec: EnvSpec; suttonBartoReward: false; numEnvs: number } {
  const o = checkOptions("options", options);
  checkKnownKeys("options", o, vector ? ["numEnvs", "maxEpisodeSteps"] : ["maxEpisodeSteps"]);
  const numEnvs = vector ? checkInt("options.numEnvs", o.numEnvs, { min: 1, max: MAX_NUM_ENVS }) : 1;
  const max = o.maxEpisodeSteps ?? model.maxEpisodeSteps;
  if (max !== Infinity) checkInt("options.maxEpisodeSteps", max, { min: 1 });
  return { spec: Object.freeze({ id: model.id, maxEpisodeSteps: max as number, rewardThreshold: model.rewardThreshold }), suttonBartoReward: false, numEnvs };
}

function observationSpace(model: ClassicModel, n?: number): Box {
  const tile = (v: readonly number[]) => (n === undefined ? v : Array.from({ length: n }, () => v).flat());
  return new Box(tile(model.obsLow), tile(model.obsHigh), n === undefined ? [model.obsSize] : [n, model.obsSize]);
}

/** N envs of one model in one arena: the header (CartPole's layout, one generator per env), views of every region and the kernels. */
class ClassicMemory implements CartPoleCore {
  private constructor(
    readonly arrays: VecArrays,
    private readonly header: number,
    private readonly actions: Int32Array,
    private readonly rngs: number,
    private readonly slots: Header,
    private readonly kernels: ClassicKernels,
  ) {}

  static async create(model: ClassicModel, n: number, maxEpisodeSteps: number, { build, softwareFma = false }: WasmChoice = {}): Promise<ClassicMemory> {
    const plan = new RegionPlan();
    const header = plan.region(CP_HEADER_SLOTS * SLOT);
    const at: Array<[slot: number, address: number]> = [
      [CP_STATE, plan.region(8 * model.stateSize * n)],
      [CP_OBS, plan.region(4 * model.obsSize * n)],
      [CP_ACTIONS, plan.region(4 * n)],
      [CP_REWARD, plan.region(4 * n)],
      [CP_TERMINATED, plan.region(n)],
      [CP_TRUNCATED, plan.region(n)],
      [CP_ELAPSED, plan.region(8 * n)],
      [CP_PREV_DONE, plan.region(8 * n)],
      [CP_RNG, plan.region(PCG64_BYTES * n)],
      [CP_KERNEL_CACHE, plan.region(model.cacheBytes * n)],
    ];
    const arena = await ENVS.instantiate(plan.bytes, build);
    if (softwareFma) arena.probeFma(false);
    const slots = new Header(arena.buffer, header, CP_HEADER_SLOTS);
    slots.setInts([[CP_NUM_ENVS, n], ...at]);
    slots.setFloat(CP_MAX_STEPS, maxEpisodeSteps);
    const address = new Map(at);
    const arrays: VecArrays = {
      state: arena.f64(address.get(CP_STATE)!, model.stateSize * n),
      observation: arena.f32(address.get(CP_OBS)!, model.obsSize * n),
      reward: arena.f32(address.get(CP_REWARD)!, n),
      terminated: arena.u8(address.get(CP_TERMINATED)!, n),
      truncated: arena.u8(address.get(CP_TRUNCATED)!, n),
    };
    return new ClassicMemory(arrays, header, arena.i32(address.get(CP_ACTIONS)!, n), address.get(CP_RNG)!, slots, model.kernels(arena));
  }

  /** Seeds env i's generator with seed + i, as SyncVectorEnv.reset(seed). */
  seed(seed: Seed): void {
    for (let i = 0; i < this.arrays.reward.length; i++) {
      const s = typeof seed === "bigint" || seed + i > Number.MAX_SAFE_INTEGER ? BigInt(seed) + BigInt(i) : seed + i;
      writePcg64(this.arrays.state.buffer as ArrayBuffer, this.rngs + i * PCG64_BYTES, pcg64Seed(s));
    }
  }

  reset(low: number, high: number): void {
    this.slots.setFloat(CP_LOW, low);
    this.slots.setFloat(CP_HIGH, high);
    this.kernels.reset(this.header);
  }

  step(action: number): boolean {
    return this.kernels.step(this.header, action) !== 0;
  }

  stepVec(actions: Int32Array): number {
    this.actions.set(actions);
    return this.kernels.vecStep(this.header);
  }
}

function actionError(name: string, value: unknown, n: number): InvalidArgumentError {
  return new InvalidArgumentError(name, value, `an integer in Discrete(${n}): 0 to ${n - 1}`);
}

/** One classic-control env: `gymnasium.make(id)`, or the unwrapped env with `maxEpisodeSteps: Infinity`. */
export class ClassicEnv extends ClassicShared implements Env {
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  private readonly obsSize: number;
  private readonly maxEpisodeSteps: number;
  private elapsed = 0;

  private constructor(model: ClassicModel, config: ReturnType<typeof classicConfig>, core: ClassicMemory) {
    super(config, core, [model.resetLow, model.resetHigh]);
    this.observationSpace = observationSpace(model);
    this.actionSpace = new Discrete(model.nActions);
    this.obsSize = model.obsSize;
    this.maxEpisodeSteps = config.spec.maxEpisodeSteps;
  }

  /** @internal Use `make(id, options)`. */
  static async create(model: ClassicModel, options?: ClassicOptions, wasm?: WasmChoice): Promise<ClassicEnv> {
    const config = classicConfig(model, options, false);
    return new ClassicEnv(model, config, await ClassicMemory.create(model, 1, config.spec.maxEpisodeSteps, wasm));
  }

  reset(args?: ResetArgs): ResetResult {
    this.resetCore(args);
    this.elapsed = 0;
    return { observation: this.core.arrays.observation.slice(), info: {} };
  }

  step(action: number): StepResult {
    if (!Number.isInteger(action) || action < 0 || action >= this.actionSpace.n) throw actionError("action", action, this.actionSpace.n);
    if (!this.ready) throw this.notReady();
    const terminated = this.core.step(action);
    const truncated = ++this.elapsed >= this.maxEpisodeSteps;
    const { observation, reward } = this.core.arrays;
    return { observation: observation.slice(0, this.obsSize), reward: reward[0]!, terminated, truncated, info: {} };
  }
}

/** `numEnvs` classic-control envs stepped together in one WASM call, as `gymnasium.make_vec(id, numEnvs)`. */
export class ClassicVecEnv extends ClassicShared implements VecEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Discrete;
  readonly observationSpace: Box;
  private readonly result: VecStepResult;

  private constructor(model: ClassicModel, config: ReturnType<typeof classicConfig>, core: ClassicMemory) {
    super(config, core, [model.resetLow, model.resetHigh]);
    this.numEnvs = config.numEnvs;
    this.singleObservationSpace = observationSpace(model);
    this.singleActionSpace = new Discrete(model.nActions);
    this.observationSpace = observationSpace(model, config.numEnvs);
    const { observation, reward, terminated, truncated } = core.arrays;
    this.result = Object.freeze({ observation, reward, terminated, truncated, info: Object.freeze({}) as Info });
  }

  /** @internal Use `makeVec(id, options)`. */
  static async create(model: ClassicModel, options: ClassicVecOptions, wasm?: WasmChoice): Promise<ClassicVecEnv> {
    const config = classicConfig(model, options, true);
    return new ClassicVecEnv(model, config, await ClassicMemory.create(model, config.numEnvs, config.spec.maxEpisodeSteps, wasm));
  }

  /** Resets every env (env i seeded with seed + i when a seed is given); the observation is the same view `step` returns. */
  reset(args?: ResetArgs): {
    /** Env i's first observation, its obsSize values from i * obsSize. */
    readonly observation: Float32Array;
    /** Diagnostics ({}). */
    readonly info: Info;
  } {
    this.resetCore(args);
    return { observation: this.result.observation, info: {} };
  }

  /** Steps every env. Returns the same frozen object every time, holding views that the next step overwrites. */
  step(actions: Int32Array): VecStepResult {
    const n = this.singleActionSpace.n;
    if (!(actions instanceof Int32Array) || actions.length !== this.numEnvs) {
      throw new InvalidArgumentError("actions", actions, `an Int32Array of ${this.numEnvs} actions, each an integer in Discrete(${n})`);
    }
    if (!this.ready) throw this.notReady();
    const bad = this.core.stepVec(actions);
    if (bad >= 0) throw actionError(`actions[${bad}]`, actions[bad], n);
    return this.result;
  }
}
