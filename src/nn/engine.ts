/**
 * The engine-neutral Q-network interface. The agent drives every engine
 * through {@link QEngine} alone: the tfjs engines (src/nn/tfjs/, backends
 * "wasm", "webgpu", "cpu") and the fused AssemblyScript engine ("fused").
 * Every engine implements the math of spec.ts on its flat parameter layout,
 * so parameters and Adam state move between engines unchanged.
 *
 * Conventions shared by all engines:
 * - Arrays are row-major `Float32Array`s; `observations` holds `count` rows of
 *   `spec.observationSize` floats.
 * - Greedy actions are argmax Q with ties broken towards the lowest index
 *   (torch.argmax).
 * - `update` returns an {@link UpdateResult} whose numbers are read lazily:
 *   an engine whose results live on a device (tfjs) reads them back only when
 *   asked, so an agent that logs the loss every N updates pays for one read
 *   per N updates. Results are readable until the next `update` (as replay
 *   samples are until the next `sample`).
 * - A call that throws a {@link DeepQError} has changed nothing.
 */
import { InvalidArgumentError, InvalidStateError } from "../errors.ts";
import type { UpdateBatch } from "../batch.ts";
import { checkBool, checkInt, checkNumber, checkOneOf, checkVector } from "../validate.ts";
import { checkNetSpec, paramCount, type NetSpec } from "./spec.ts";
import { packedMaskBytes } from "../masks.ts";

/** The engines behind the `backend` option ("auto" picks one of them). */
export type EngineName = "fused" | "wasm" | "webgpu" | "cpu";
/** The `backend` option's values: an engine, or "auto" to let deepq pick one. */
export type BackendOption = "auto" | EngineName;
export const BACKEND_OPTIONS: readonly BackendOption[] = ["auto", "fused", "wasm", "webgpu", "cpu"];

/** What an engine is built from: the network, its initial weights and the update's hyperparameters. */
export interface EngineConfig {
  spec: NetSpec;
  /** Adam's learning rate. */
  learningRate: number;
  /** Discount for batches that carry no per-row `discounts`. */
  gamma: number;
  /** Double DQN: the online network picks the next action, the target network values it. */
  doubleQ: boolean;
  loss: "huber" | "mse";
  /** Global gradient-norm clip (torch.nn.utils.clip_grad_norm_); undefined: no clipping. */
  maxGradNorm?: number;
  /** Seed of `initParams`: every engine starts from the same weights for the same seed. */
  seed: number;
}

export type { UpdateBatch } from "../batch.ts";

export interface UpdateReadout {
  /** (1/B) sum_i weight_i * l(td_i), the loss the step descended. */
  loss: number;
  /** td_i = Q(s_i, a_i) - y_i, signed (prioritized replay takes |td|). */
  tdErrors: Float32Array;
}

/** The outcome of one update, read lazily (see the module comment). */
export interface UpdateResult {
  /** Reads the loss, blocking until the device has it (not on webgpu: use `read`). */
  loss(): number;
  /** Reads the TD errors (as `loss`). */
  tdErrors(): Float32Array;
  /** Reads both without blocking the thread; works on every engine. */
  read(): Promise<UpdateReadout>;
}

/** Adam's state in the flat parameter layout of spec.ts. */
export interface OptimizerState {
  /** Updates taken so far (Adam's t). */
  step: number;
  /** First moments. */
  m: Float32Array;
  /** Second moments (>= 0). */
  v: Float32Array;
}

/** Which of an engine's two networks a parameter call is about. */
export type NetworkRole = "online" | "target";

/**
 * A Q-network with its target network and Adam optimizer, on one engine.
 * Inference reads (`qValues`, `act`, `actBatch`, `UpdateResult.loss`) are
 * synchronous for the game loop; on webgpu they may throw (tfjs's
 * `dataSync` is unsupported in some runtimes), so an agent on webgpu uses
 * `qValuesAsync` and `UpdateResult.read`. State reads for saving and
 * comparing engines (`getParams`, `getOptimizerState`) are async everywhere.
 */
export interface QEngine {
  /** The engine that runs this network. */
  readonly name: EngineName;
  readonly spec: NetSpec;
  readonly config: EngineConfig;
  /** Q-values of `count` observations: [count, nActions]. */
  qValues(observations: Float32Array, count: number): Float32Array;
  /** `qValues` without blocking the thread. */
  qValuesAsync(observations: Float32Array, count: number): Promise<Float32Array>;
  /** Greedy action for one observation (the game-loop path). */
  act(observation: ArrayLike<number>): number;
  /** Greedy actions for `count` observations (vector envs). */
  actBatch(observations: Float32Array, count: number): Int32Array;
  /** One gradient step of the online network (spec.ts). */
  update(batch: UpdateBatch): UpdateResult;
  /** Adam's step size from the next update on (learning-rate schedules). */
  setLearningRate(learningRate: number): void;
  /** Target update: hard copy for tau = 1, else Polyak `target = tau*online + (1-tau)*target`. */
  syncTarget(tau: number): void;
  /** A copy of a network's flat parameters (default: the online network). */
  getParams(role?: NetworkRole): Promise<Float32Array>;
  setParams(params: ArrayLike<number>, role?: NetworkRole): void;
  /** A copy of Adam's state. */
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): void;
  /** Frees the engine's memory; any later call throws. */
  dispose(): void;
}

/** Adam hyperparameters fixed by the spec (torch.optim.Adam defaults). */
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/**
 * The divergence guard every engine applies (the fused one in
 * assembly/lib/mlp.ts applyGradients): Adam squares each clipped gradient in
 * f32, so an update whose clipped ||g||² is NaN or above this would leave
 * non-finite moments and weights. Such an update is skipped, keeping the last
 * finite weights, and reports NaN TD errors.
 */
export const ADAM_MAX_GRAD_SQUARED = 3.4028234663852886e38 / 2;

/** A learning rate: a finite number > 0. */
export function checkLearningRate(value: unknown, name = "learningRate"): number {
  return checkNumber(name, value, { min: 0, minExclusive: true });
}

/** Validates an engine config, naming options as the agent's `options.*`. */
export function checkEngineConfig(config: EngineConfig): EngineConfig {
  checkNetSpec(config.spec);
  checkBool("options.dueling", config.spec.dueling);
  checkLearningRate(config.learningRate, "options.learningRate");
  checkNumber("options.gamma", config.gamma, { min: 0, max: 1 });
  checkBool("options.doubleQ", config.doubleQ);
  checkOneOf("options.loss", config.loss, ["huber", "mse"]);
  if (config.maxGradNorm !== undefined) checkNumber("options.maxGradNorm", config.maxGradNorm, { min: 0, minExclusive: true });
  checkInt("options.seed", config.seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  return config;
}

export function checkBackendOption(backend: unknown): BackendOption {
  return checkOneOf("options.backend", backend, BACKEND_OPTIONS);
}

/** Checks a batch's shapes and actions and returns its size. */
export function checkUpdateBatch(spec: NetSpec, batch: UpdateBatch): number {
  const n = batch.actions?.length;
  checkInt("batch.actions.length", n, { min: 1 });
  const rows = (name: keyof UpdateBatch, perRow: number, optional = false) => {
    const a = batch[name] as ArrayLike<number> | undefined;
    if (a === undefined && optional) return;
    if (a === undefined || a.length !== n * perRow) throw new InvalidArgumentError(`batch.${name}`, a, `an array of ${n * perRow} numbers (${n} rows)`);
  };
  rows("observations", spec.observationSize);
  rows("nextObservations", spec.observationSize);
  rows("rewards", 1);
  rows("dones", 1);
  rows("discounts", 1, true);
  rows("weights", 1, true);
  const maskBytes = packedMaskBytes(spec.nActions);
  if (batch.nextMasks !== undefined && !(batch.nextMasks instanceof Uint8Array && batch.nextMasks.length === n * maskBytes)) {
    throw new InvalidArgumentError("batch.nextMasks", batch.nextMasks, `a Uint8Array of ${n * maskBytes} bytes (${n} bit-packed masks) or absent`);
  }
  for (let i = 0; i < n; i++) {
    const a = batch.actions[i]!;
    if (!Number.isInteger(a) || a < 0 || a >= spec.nActions) throw new InvalidArgumentError(`batch.actions[${i}]`, a, `an integer in [0, ${spec.nActions - 1}]`);
  }
  return n;
}

/** Checks `count` rows of observations. */
export function checkObservations(spec: NetSpec, observations: Float32Array, count: number): void {
  checkInt("count", count, { min: 1 });
  if (!(observations instanceof Float32Array) || observations.length !== count * spec.observationSize) {
    throw new InvalidArgumentError("observations", observations, `a Float32Array of ${count * spec.observationSize} floats (${count} rows of ${spec.observationSize})`);
  }
}

/** Checks a single observation and returns it as a Float32Array. */
export function checkObservation(spec: NetSpec, observation: ArrayLike<number>): Float32Array {
  return Float32Array.from(checkVector("observation", observation, spec.observationSize));
}

/** Checks a flat parameter vector for `spec`. */
export function checkParams(spec: NetSpec, params: ArrayLike<number>, name = "params"): ArrayLike<number> {
  return checkVector(name, params, paramCount(spec));
}

export function checkRole(role: unknown): NetworkRole {
  return checkOneOf("role", role, ["online", "target"]);
}

export function checkOptimizerState(spec: NetSpec, state: OptimizerState): OptimizerState {
  checkInt("state.step", state?.step, { min: 0, max: Number.MAX_SAFE_INTEGER });
  checkParams(spec, state.m, "state.m");
  const v = checkParams(spec, state.v, "state.v");
  for (let i = 0; i < v.length; i++) if (v[i]! < 0) throw new InvalidArgumentError(`state.v[${i}]`, v[i], "a second moment >= 0");
  return state;
}

export function checkTau(tau: unknown): number {
  return checkNumber("tau", tau, { min: 0, max: 1, minExclusive: true });
}

/** Greedy action per row of row-major Q-values (ties: the lowest index, as torch.argmax). */
export function argmaxRows(q: ArrayLike<number>, nActions: number): Int32Array {
  const out = new Int32Array(q.length / nActions);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let a = 1; a < nActions; a++) if (q[r * nActions + a]! > q[r * nActions + best]!) best = a;
    out[r] = best;
  }
  return out;
}

/** (1/B) sum_i w_i l(td_i) in float64, the loss every engine reports. */
export function weightedLoss(td: ArrayLike<number>, weights: ArrayLike<number> | undefined, loss: EngineConfig["loss"]): number {
  let sum = 0;
  for (let i = 0; i < td.length; i++) {
    const d = td[i]!;
    const a = Math.abs(d);
    const l = loss === "mse" ? d * d : a < 1 ? 0.5 * d * d : a - 0.5;
    sum += (weights ? weights[i]! : 1) * l;
  }
  return sum / td.length;
}

/** Throws if an engine was disposed. */
export function checkNotDisposed(disposed: boolean, name: string): void {
  if (disposed) throw new InvalidStateError(`this ${name} Q-network engine was disposed`);
}
