/**
 * The typed boundary to deepq's WebAssembly modules: every AssemblyScript
 * export with its TypeScript signature, bound once per instance into a
 * complete object. The rest of src/ calls kernels only through these types.
 *
 * Arguments and results are i32 (addresses, counts, flags) or f64 (layout.ts:
 * never i64, which would surface as BigInt). `h` is a header's address
 * (assembly/layout.ts says which slots each kernel reads).
 *
 * Adding an export: write it in an assembly/ entry file, add its signature
 * to the interface of its module below (same name, one line saying what it
 * does and who calls it how often), and its name to that interface's
 * `*_NAMES` record; the compiler then refuses a name missing from either.
 * Test-only kernels (assembly/test/) are bound the same way in
 * test/support/test-wasm.ts.
 */
import { BackendError } from "../errors.ts";

/** deepq's main module (assembly/*.ts but the envs module's). */
export interface DeepqExports {
  /** Resets every env of the CartPole header `h` (draws from its PCG64 state). Callers: Env.reset, VecEnv.reset. */
  cartpoleReset(h: number): void;
  /** One step of the single env of header `h`; returns 1 when it terminated. Callers: Env.step, every step. */
  cartpoleStep(h: number, action: number): number;
  /** One vector step of every env (actions staged in the header's region); returns -1, or the index of the first invalid action (then nothing changed). Callers: VecEnv.step, every step. */
  cartpoleVecStep(h: number): number;
  /** Probes whether relaxed_madd fuses here and, when `allow`, makes libm's fma use it; returns 1 when it does. Callers: every arena's instantiation (assembly/fma.ts). */
  fmaProbe(a: number, b: number, c: number, allow: number): number;
  /** One DQN update (forward, loss, backward, clip, Adam) on the batch whose address map is at `batch`; writes TD errors to `tdOut`, returns the loss (NaN: skipped). Callers: every fused gradient step. */
  mlpUpdate(h: number, batch: number, n: number, tdOut: number): number;
  /** As mlpUpdate without clipping and Adam, leaving the gradient in the header's GRAD set. Callers: gradient checks. */
  mlpGradients(h: number, batch: number, n: number, tdOut: number): number;
  /** Greedy actions (i32[rows]) for `rows` observations at `obs`; returns the first. Callers: act (every env step), actBatch. */
  mlpGreedy(h: number, obs: number, rows: number, out: number): number;
  /** Q-values (f32[rows * nActions]) for `rows` observations at `obs`. Callers: qValues. */
  mlpQValues(h: number, obs: number, rows: number, out: number): void;
  /** Target update: copy when tau >= 1, else Polyak. Callers: every target update. */
  mlpSyncTarget(h: number, tau: number): void;
  /** One layer of initial weights: `n` uniform draws in [-bound, bound) from the xoshiro128** state at `state`, scattered to float indices map[i] of `dst`. Callers: FusedQNet's constructor, once per layer. */
  mlpInitLayer(dst: number, map: number, n: number, state: number, bound: number): void;
  /** Inserts the staged (vector) env step into the replay buffer of header `h`. Callers: add, addBatch, every env step. */
  replayAdd(h: number): void;
  /** Samples `batch` rows into the buffer's batch regions. Callers: sample, every gradient step. */
  replaySample(h: number, batch: number): void;
  /** Applies `count` staged priority updates. Callers: updatePriorities, every prioritized gradient step. */
  replayUpdatePriorities(h: number, count: number): void;
  /** Where the module's static data ends. Callers: the runtime smoke tests. */
  heapBase(): number;
  /** The STATIC_BYTES the module was compiled against. Callers: the runtime smoke tests. */
  staticBytes(): number;
}

const DEEPQ_NAMES: Record<keyof DeepqExports, true> = {
  cartpoleReset: true,
  cartpoleStep: true,
  cartpoleVecStep: true,
  fmaProbe: true,
  mlpUpdate: true,
  mlpGradients: true,
  mlpGreedy: true,
  mlpQValues: true,
  mlpSyncTarget: true,
  mlpInitLayer: true,
  replayAdd: true,
  replaySample: true,
  replayUpdatePriorities: true,
  heapBase: true,
  staticBytes: true,
};

/** The envs module (assembly/acrobot.ts, mountaincar.ts, minatar-breakout.ts; fma.ts): the registered envs beyond CartPole, loaded on their first make. */
export interface EnvsExports extends Pick<DeepqExports, "fmaProbe"> {
  /** Resets every Acrobot-v1 env of the header `h` (each from its own PCG64). Callers: ClassicEnv/ClassicVecEnv.reset. */
  acrobotReset(h: number): void;
  /** One RK4 step of the single Acrobot env of `h`; writes its reward, returns 1 when it terminated. Callers: ClassicEnv.step, every step. */
  acrobotStep(h: number, action: number): number;
  /** One step of every Acrobot env (next-step autoreset); returns -1, or the first bad action's index (then nothing changed). Callers: ClassicVecEnv.step. */
  acrobotVecStep(h: number): number;
  /** Resets every MountainCar-v0 env of the header `h`. Callers: ClassicEnv/ClassicVecEnv.reset. */
  mountaincarReset(h: number): void;
  /** One step of the single MountainCar env of `h`; writes its reward, returns 1 when it terminated. Callers: ClassicEnv.step, every step. */
  mountaincarStep(h: number, action: number): number;
  /** One step of every MountainCar env (next-step autoreset); returns -1 or the first bad action's index. Callers: ClassicVecEnv.step. */
  mountaincarVecStep(h: number): number;
  /** Seeds the MinAtar Breakout header `h`'s MT19937 with `seed`. Callers: BreakoutEnv.reset({ seed }). */
  breakoutSeed(h: number, seed: number): void;
  /** Starts a Breakout game (ball side and direction from the RNG). Callers: BreakoutEnv.reset. */
  breakoutReset(h: number): void;
  /** Writes the 10x10x4 observation of the current game. Callers: BreakoutEnv.reset and step. */
  breakoutObserve(h: number): void;
  /** One Breakout step (sticky actions from the RNG); returns the reward. Callers: BreakoutEnv.step, every step. */
  breakoutStep(h: number, action: number): number;
}

const ENVS_NAMES: Record<keyof EnvsExports, true> = {
  acrobotReset: true,
  acrobotStep: true,
  acrobotVecStep: true,
  mountaincarReset: true,
  mountaincarStep: true,
  mountaincarVecStep: true,
  breakoutSeed: true,
  breakoutReset: true,
  breakoutObserve: true,
  breakoutStep: true,
  fmaProbe: true,
};

/** The policy module (assembly/policy.ts): the forward pass alone. */
export type PolicyExports = Pick<DeepqExports, "mlpGreedy" | "mlpQValues">;

const POLICY_NAMES: Record<keyof PolicyExports, true> = { mlpGreedy: true, mlpQValues: true };

/** Binds the exports `names` lists, checking each is a function: a module of another build fails here, not at its first call. */
export function bindExports<T>(exports: WebAssembly.Exports, names: Record<keyof T, true>, what: string): T {
  const bound: Record<string, unknown> = {};
  for (const name of Object.keys(names)) {
    const fn = exports[name];
    if (typeof fn !== "function") throw new BackendError(`${what} lacks the export ${name}: a module of another deepq version?`);
    bound[name] = fn;
  }
  return bound as T;
}

/** A {@link bindExports} for one module's names. */
export type Binder<T> = (exports: WebAssembly.Exports) => T;

export const bindDeepq: Binder<DeepqExports> = (exports) => bindExports(exports, DEEPQ_NAMES, "deepq's WebAssembly module");
export const bindEnvs: Binder<EnvsExports> = (exports) => bindExports(exports, ENVS_NAMES, "deepq's envs WebAssembly module");
export const bindPolicy: Binder<PolicyExports> = (exports) => bindExports(exports, POLICY_NAMES, "deepq's policy WebAssembly module");
