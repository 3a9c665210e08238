/**
 * {@link QEngine} on a tfjs backend ("wasm", "webgpu" or "cpu"). The online
 * and target parameters and Adam's moments are flat tensors in spec layout;
 * layer views of each network are split off once per change and shared by
 * every forward pass until the next one.
 */
import * as tf from "@tensorflow/tfjs-core";
import { InvalidStateError } from "../../errors.ts";
import { activateBackend, loadBackend, type GpuAdapterLike, type TfjsBackendName } from "../../runtime/tfjs.ts";
import {
  ADAM,
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
} from "../engine.ts";
import { initParams, type NetSpec } from "../spec.ts";
import { disposeNet, forward, netFromFlat, type Net } from "./net.ts";
import { adamStep, clipGradNorm, ENGINE_KERNELS, keepIfFinite, tdAndGradient, updateConstants, uploadBatch, type UpdateConstants } from "./update.ts";

/** A network's flat parameters and the layer views split from them. */
interface Network {
  flat: tf.Tensor;
  net: Net;
}

export class TfjsEngine implements QEngine {
  readonly spec: NetSpec;
  private online: Network;
  private target: Network;
  private m: tf.Tensor;
  private v: tf.Tensor;
  private step = 0;
  private readonly constants: UpdateConstants;
  private lastResult?: TfjsUpdateResult;
  private disposed = false;

  /** Loads the backend (see runtime/tfjs.ts) and builds the networks from `initParams(spec, seed)`. */
  static async create(config: EngineConfig, backend: TfjsBackendName, adapter?: GpuAdapterLike): Promise<TfjsEngine> {
    checkEngineConfig(config);
    await loadBackend(backend, ENGINE_KERNELS, adapter);
    return new TfjsEngine(config, backend);
  }

  private constructor(
    readonly config: EngineConfig,
    readonly name: TfjsBackendName,
  ) {
    this.spec = config.spec;
    const init = initParams(this.spec, config.seed);
    this.online = this.network(tf.tensor1d(init));
    this.target = this.network(tf.tensor1d(init.slice()));
    this.m = tf.zeros([init.length]);
    this.v = tf.zeros([init.length]);
    this.constants = updateConstants(config);
  }

  private network(flat: tf.Tensor, net = tf.tidy(() => netFromFlat(this.spec, flat))): Network {
    return { flat, net };
  }

  private replace(role: NetworkRole, next: Network): void {
    const old = this[role];
    this[role] = next;
    old.flat.dispose();
    disposeNet(old.net);
  }

  /** Checks liveness and makes this engine's backend the active one. */
  private enter(): void {
    checkNotDisposed(this.disposed, this.name);
    activateBackend(this.name);
  }

  private qTensor(observations: Float32Array, count: number): tf.Tensor {
    return tf.tidy(() => forward(this.online.net, tf.tensor3d(observations, [1, count, this.spec.observationSize])));
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

  update(batch: UpdateBatch): UpdateResult {
    checkUpdateBatch(this.spec, batch);
    this.enter();
    this.lastResult?.expire();
    this.step += 1;
    const stepSize = this.config.learningRate / (1 - ADAM.beta1 ** this.step);
    const bc2Sqrt = Math.sqrt(1 - ADAM.beta2 ** this.step);
    const out = tf.tidy(() => {
      const { td, grad } = tdAndGradient(this.spec, this.config, this.online.net, this.target.net, uploadBatch(this.spec, this.config, batch));
      const g = this.config.maxGradNorm === undefined ? grad : clipGradNorm(grad, this.constants);
      const previous = { params: this.online.flat, m: this.m, v: this.v };
      const next = keepIfFinite(td, g, adamStep(previous, g, this.constants, tf.scalar(stepSize), tf.scalar(bc2Sqrt)), previous, this.constants);
      return { ...next, net: netFromFlat(this.spec, next.params) };
    });
    this.replace("online", this.network(out.params, out.net));
    tf.dispose([this.m, this.v]);
    this.m = out.m;
    this.v = out.v;
    // A skipped (non-finite) update gives its Adam step back once its result is read, as the fused engine never counts it.
    this.lastResult = new TfjsUpdateResult(out.td, batch.weights && Float32Array.from(batch.weights), this.config.loss, this.name, () => void (this.step -= 1));
    return this.lastResult;
  }

  syncTarget(tau: number): void {
    checkTau(tau);
    this.enter();
    const flat = tau === 1 ? tf.clone(this.online.flat) : tf.tidy(() => tf.add(tf.mul(tf.scalar(tau), this.online.flat), tf.mul(tf.scalar(1 - tau), this.target.flat)));
    this.replace("target", this.network(flat));
  }

  async getParams(role: NetworkRole = "online"): Promise<Float32Array> {
    checkRole(role);
    this.enter();
    return new Float32Array(await this[role].flat.data());
  }

  setParams(params: ArrayLike<number>, role: NetworkRole = "online"): void {
    checkRole(role);
    const values = Float32Array.from(checkParams(this.spec, params));
    this.enter();
    this.replace(role, this.network(tf.tensor1d(values)));
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
    for (const n of [this.online, this.target]) {
      n.flat.dispose();
      disposeNet(n.net);
    }
    tf.dispose([this.m, this.v, ...Object.values(this.constants)]);
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

  /** Keeps the first read TD errors; tells the engine when they show the update was skipped. */
  private keep(td: Float32Array): Float32Array {
    if (!this.td && !td.every(Number.isFinite)) this.skipped();
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
