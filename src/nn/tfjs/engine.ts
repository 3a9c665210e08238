/**
 * {@link QEngine} on a tfjs backend ("wasm", "webgpu" or "cpu"). The online
 * and target networks are their layer tensors; Adam's moments are flat
 * tensors in spec layout. The flat parameter vector of spec.ts is assembled
 * only when asked for.
 */
import * as tf from "@tensorflow/tfjs-core";
import { InvalidStateError } from "../../errors.ts";
import { activateBackend, loadBackend, type GpuAdapterLike, type TfjsBackendName } from "../../runtime/tfjs.ts";
import {
  argmaxRows,
  checkEngineConfig,
  checkNotDisposed,
  checkObservation,
  checkObservations,
  checkOptimizerState,
  checkParams,
  checkRole,
  checkTau,
  checkUpdateBatch,
  weightedLoss,
  type EngineConfig,
  type NetworkRole,
  type OptimizerState,
  type QEngine,
  type UpdateBatch,
  type UpdateReadout,
  type UpdateResult,
  checkLearningRate,
} from "../engine.ts";
import { initParams, type NetSpec } from "../spec.ts";
import { kernelPath, registerHostKernels, type KernelPath } from "./host-kernels.ts";
import { disposeNet, flatten, forward, netFromFlat, netFromTensors, netTensors, type Net } from "./net.ts";
import { applyAdam, engineKernels, tdAndGradient, uploadBatch } from "./update.ts";

export class TfjsEngine implements QEngine {
  readonly spec: NetSpec;
  private online: Net;
  private target: Net;
  private m: tf.Tensor;
  private v: tf.Tensor;
  private step = 0;
  private readonly path: KernelPath;
  private lastResult?: TfjsUpdateResult;
  private disposed = false;

  /** Loads the backend (see runtime/tfjs.ts) and builds the networks from `initParams(spec, seed)`. */
  static async create(config: EngineConfig, backend: TfjsBackendName, adapter?: GpuAdapterLike): Promise<TfjsEngine> {
    return TfjsEngine.fromConfig(checkEngineConfig(config), backend, adapter);
  }

  /** As {@link create} for a config already checked (the ladder's). */
  static async fromConfig(config: EngineConfig, backend: TfjsBackendName, adapter?: GpuAdapterLike): Promise<TfjsEngine> {
    await loadBackend(backend, engineKernels(config.spec, backend), adapter);
    registerHostKernels(backend);
    return new TfjsEngine(config, backend);
  }

  private constructor(
    /** The engine's configuration; `setLearningRate` replaces it. */
    public config: EngineConfig,
    readonly name: TfjsBackendName,
  ) {
    this.spec = config.spec;
    const init = initParams(this.spec, config.seed);
    this.online = this.netOf(init);
    this.target = this.netOf(init);
    this.m = tf.zeros([init.length]);
    this.v = tf.zeros([init.length]);
    this.path = kernelPath(name);
  }

  private netOf(flat: Float32Array): Net {
    return tf.tidy(() => netFromFlat(this.spec, tf.tensor1d(flat)));
  }

  private replace(role: NetworkRole, next: Net): void {
    const old = this[role];
    this[role] = next;
    disposeNet(old);
  }

  /** Checks liveness and makes this engine's backend the active one. */
  private enter(): void {
    checkNotDisposed(this.disposed, this.name);
    activateBackend(this.name);
  }

  private qTensor(observations: Float32Array, count: number): tf.Tensor {
    return tf.tidy(() => forward(this.online, tf.tensor3d(observations, [1, count, this.spec.observationSize])));
  }

  qValues(observations: Float32Array, count: number): Float32Array {
    checkObservations(this.spec, observations, count);
    this.enter();
    const q = this.qTensor(observations, count);
    try {
      return readSync(q, this.name);
    } finally {
      q.dispose();
    }
  }

  async qValuesAsync(observations: Float32Array, count: number): Promise<Float32Array> {
    checkObservations(this.spec, observations, count);
    this.enter();
    const q = this.qTensor(observations, count);
    try {
      return new Float32Array(await q.data());
    } finally {
      q.dispose();
    }
  }

  act(observation: ArrayLike<number>): number {
    return this.actBatch(checkObservation(this.spec, observation), 1)[0]!;
  }

  actBatch(observations: Float32Array, count: number): Int32Array {
    return argmaxRows(this.qValues(observations, count), this.spec.nActions);
  }

  setLearningRate(learningRate: number): void {
    this.config = { ...this.config, learningRate: checkLearningRate(learningRate) };
  }

  update(batch: UpdateBatch): UpdateResult {
    checkUpdateBatch(this.spec, batch);
    this.enter();
    this.lastResult?.expire();
    this.step += 1;
    const out = tf.tidy(() => {
      const { td, grads } = tdAndGradient(this.spec, this.config, this.online, this.target, uploadBatch(this.spec, this.config, batch), this.path);
      return { ...applyAdam(this.spec, this.config, { net: this.online, m: this.m, v: this.v }, grads, td, this.step, this.path) };
    });
    this.replace("online", out.net);
    tf.dispose([this.m, this.v]);
    this.m = out.m;
    this.v = out.v;
    // A skipped update gives its Adam step back once its result is read, as the fused engine never counts it.
    this.lastResult = new TfjsUpdateResult(out.td, batch.weights && Float32Array.from(batch.weights), this.config.loss, this.name, () => void (this.step -= 1));
    return this.lastResult;
  }

  syncTarget(tau: number): void {
    checkTau(tau);
    this.enter();
    const [online, target] = [netTensors(this.online), netTensors(this.target)];
    const next = tf.tidy(() => online.map((p, i) => (tau === 1 ? tf.clone(p) : tf.add(tf.mul(tau, p), tf.mul(1 - tau, target[i]!)))));
    this.replace("target", netFromTensors(this.spec, next));
  }

  async getParams(role: NetworkRole = "online"): Promise<Float32Array> {
    checkRole(role);
    this.enter();
    const flat = flatten(netTensors(this[role]));
    try {
      return new Float32Array(await flat.data());
    } finally {
      flat.dispose();
    }
  }

  setParams(params: ArrayLike<number>, role: NetworkRole = "online"): void {
    checkRole(role);
    const values = Float32Array.from(checkParams(this.spec, params));
    this.enter();
    this.replace(role, this.netOf(values));
  }

  async getOptimizerState(): Promise<OptimizerState> {
    this.enter();
    return { step: this.step, m: new Float32Array(await this.m.data()), v: new Float32Array(await this.v.data()) };
  }

  setOptimizerState(state: OptimizerState): void {
    checkOptimizerState(this.spec, state);
    this.enter();
    tf.dispose([this.m, this.v]);
    this.m = tf.tensor1d(Float32Array.from(state.m));
    this.v = tf.tensor1d(Float32Array.from(state.v));
    this.step = state.step;
  }

  dispose(): void {
    if (this.disposed) return;
    this.lastResult?.expire();
    disposeNet(this.online);
    disposeNet(this.target);
    tf.dispose([this.m, this.v]);
    this.disposed = true;
  }
}

/** A copy of a tensor's values; tfjs webgpu cannot always read synchronously (no OffscreenCanvas in Deno). */
function readSync(t: tf.Tensor, backend: TfjsBackendName): Float32Array {
  try {
    return new Float32Array(t.dataSync());
  } catch (e) {
    throw new InvalidStateError(`the ${backend} engine cannot read results synchronously here (${(e as Error).message}); use qValuesAsync or UpdateResult.read`);
  }
}

/** TD errors stay on the device until read; once read, the numbers stay readable. */
class TfjsUpdateResult implements UpdateResult {
  private td?: Float32Array;

  constructor(
    private tensor: tf.Tensor | undefined,
    private readonly weights: Float32Array | undefined,
    private readonly lossKind: EngineConfig["loss"],
    private readonly backend: TfjsBackendName,
    private readonly skipped: () => void,
  ) {}

  /** Keeps the first read TD errors; NaN ones mean the divergence guard skipped the update. */
  private keep(td: Float32Array): Float32Array {
    if (!this.td && td.some(Number.isNaN)) this.skipped();
    return (this.td = td);
  }

  private live(): tf.Tensor {
    if (!this.tensor) throw new InvalidStateError("update results can be read until the next update (read them before calling update again)");
    return this.tensor;
  }

  tdErrors(): Float32Array {
    return this.td ?? this.keep(readSync(this.live(), this.backend));
  }

  loss(): number {
    return weightedLoss(this.tdErrors(), this.weights, this.lossKind);
  }

  async read(): Promise<UpdateReadout> {
    const td = this.td ?? this.keep(new Float32Array(await this.live().data()));
    return { loss: weightedLoss(td, this.weights, this.lossKind), tdErrors: td };
  }

  /** Frees the TD errors; called by the engine when the next update starts. */
  expire(): void {
    this.tensor?.dispose();
    this.tensor = undefined;
  }
}
