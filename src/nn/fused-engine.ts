/**
 * The fused AssemblyScript engine (src/nn/fused.ts) behind the engine-neutral
 * {@link QEngine} interface, and the provider that plugs it into the ladder.
 */
import { fusedSupport, FusedQNet } from "./fused.ts";
import type { BatchAddresses } from "../batch.ts";
import { ArenaPlan, type Arena } from "../runtime/wasm.ts";
import type { FusedEngineProvider } from "./ladder.ts";
import { checkNotDisposed, type EngineConfig, type NetworkRole, type OptimizerState, type QEngine, type UpdateBatch, type UpdateResult } from "./engine.ts";

class FusedEngine implements QEngine {
  readonly name = "fused" as const;
  private disposed = false;
  private readonly weights: Float32Array;
  private readonly discounts: Float32Array;

  constructor(
    private readonly net: FusedQNet,
    readonly config: EngineConfig,
  ) {
    this.weights = new Float32Array(net.batchSize).fill(1);
    this.discounts = new Float32Array(net.batchSize).fill(config.gamma);
  }

  get spec() {
    return this.net.spec;
  }
  qValues(observations: Float32Array, count: number): Float32Array {
    checkNotDisposed(this.disposed, "fused");
    return this.net.qValues(observations.subarray(0, count * this.spec.observationSize));
  }
  async qValuesAsync(observations: Float32Array, count: number): Promise<Float32Array> {
    return this.qValues(observations, count);
  }
  act(observation: ArrayLike<number>): number {
    checkNotDisposed(this.disposed, "fused");
    return this.net.act(observation);
  }
  actBatch(observations: Float32Array, count: number): Int32Array {
    checkNotDisposed(this.disposed, "fused");
    return this.net.actBatch(observations.subarray(0, count * this.spec.observationSize));
  }
  setLearningRate(learningRate: number): void {
    checkNotDisposed(this.disposed, "fused");
    this.net.setLearningRate(learningRate);
  }
  update(batch: UpdateBatch): UpdateResult {
    checkNotDisposed(this.disposed, "fused");
    const n = batch.actions.length;
    const inPlace = this.addressesInArena(batch);
    if (inPlace) {
      // A replay sample in this network's arena: the update reads it where it lies.
      const loss = this.net.updateFrom(inPlace, n);
      const tdErrors = this.net.arena.f32(this.net.tdErrorsAddress, n);
      return { loss: () => loss, tdErrors: () => tdErrors, read: async () => ({ loss, tdErrors: tdErrors.slice() }) };
    }
    const { loss, tdErrors } = this.net.update({
      observations: batch.observations,
      actions: Int32Array.from(batch.actions),
      rewards: Float32Array.from(batch.rewards),
      nextObservations: batch.nextObservations,
      dones: Float32Array.from(batch.dones),
      discounts: batch.discounts ? Float32Array.from(batch.discounts) : this.discounts.subarray(0, n),
      weights: batch.weights ? Float32Array.from(batch.weights) : this.weights.subarray(0, n),
      ...(batch.nextMasks ? { nextMasks: batch.nextMasks } : {}),
    });
    return { loss: () => loss, tdErrors: () => tdErrors, read: async () => ({ loss, tdErrors: tdErrors.slice() }) };
  }
  /** Byte addresses of the batch's arrays when every one of them is a view into this arena's memory. */
  private addressesInArena(batch: UpdateBatch): BatchAddresses | undefined {
    const buffer = this.net.arena.buffer;
    const fields = ["observations", "actions", "rewards", "nextObservations", "dones", "discounts", "weights"] as const;
    const out: Partial<BatchAddresses> = {};
    for (const f of fields) {
      const a = batch[f] as ArrayBufferView | undefined;
      if (!a || !ArrayBuffer.isView(a) || a.buffer !== buffer || (a as unknown as Float32Array).BYTES_PER_ELEMENT !== 4) return undefined;
      out[f] = a.byteOffset;
    }
    const masks = batch.nextMasks;
    if (masks && masks.buffer !== buffer) return undefined;
    out.nextMasks = masks ? masks.byteOffset : 0;
    return out as BatchAddresses;
  }

  syncTarget(tau: number): void {
    checkNotDisposed(this.disposed, "fused");
    this.net.syncTarget(tau);
  }
  async getParams(role: NetworkRole = "online"): Promise<Float32Array> {
    checkNotDisposed(this.disposed, "fused");
    return role === "target" ? this.net.getTargetParams() : this.net.getParams();
  }
  setParams(params: ArrayLike<number>, role: NetworkRole = "online"): void {
    checkNotDisposed(this.disposed, "fused");
    if (role === "target") this.net.setTargetParams(params);
    else this.net.setParams(params);
  }
  async getOptimizerState(): Promise<OptimizerState> {
    checkNotDisposed(this.disposed, "fused");
    return this.net.getOptimizerState();
  }
  setOptimizerState(state: OptimizerState): void {
    checkNotDisposed(this.disposed, "fused");
    this.net.setOptimizerState(state);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.net.dispose();
  }
}

/**
 * The ladder's fused rung for updates of up to `batchSize` transitions.
 * `alongside` plans more regions (a replay buffer) into the network's arena
 * and binds them once it exists, so sampled batches never leave WASM memory.
 */
export function fusedProvider(batchSize: number, alongside?: (plan: ArenaPlan) => (arena: Arena) => void): FusedEngineProvider {
  return {
    unsupportedReason: (config) => {
      const s = fusedSupport(config.spec);
      return s.ok ? null : s.reason;
    },
    create: async (config) => {
      const plan = new ArenaPlan();
      const bind = alongside?.(plan);
      const planned = FusedQNet.planConfig(plan, {
        spec: config.spec,
        batchSize,
        learningRate: config.learningRate,
        huber: config.loss === "huber",
        doubleQ: config.doubleQ,
        maxGradNorm: config.maxGradNorm,
        seed: config.seed,
        build: undefined,
      });
      const arena = await plan.instantiate();
      bind?.(arena);
      return new FusedEngine(planned.attach(arena), config);
    },
  };
}
