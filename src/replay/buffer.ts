/**
 * Experience replay resident in WebAssembly memory: {@link ReplayBuffer}
 * (uniform) and {@link PrioritizedReplayBuffer} (proportional, Schaul et al.
 * 2016), with Stable-Baselines3's semantics and n-step returns folded in at
 * insertion, per env.
 *
 * ```ts
 * const rb = await ReplayBuffer.create({ capacity: 100_000, observationSize: 4, seed: 0 });
 * rb.add(obs, action, reward, nextObs, terminated, truncated);
 * const b = rb.sample(64); // typed-array views into WASM memory, reused: valid until the next call
 * ```
 *
 * Action masks: a buffer created with `nActions` keeps the legal actions of
 * each next observation (`add(..., nextMask)`), bit-packed, and samples
 * carry them as `nextMasks` for the TD target; a buffer never given a mask
 * samples and saves exactly as one without.
 *
 * Storage (assembly/layout.ts has the details): 25 B a CartPole row, one
 * row a transition plus one per episode end for its final observation, so
 * 25 (1 + 1/l) B a transition for episodes of l steps; prioritized replay
 * adds sum and min trees, f64 over capacity rounded up to a power of two P,
 * 32 P / capacity B a row. 10^6 CartPole rows: 25 MB uniform, 59 MB prioritized.
 * `capacity` counts rows, so each episode end in the window (and each add
 * whose obs is not the previous nextObs of its env) holds one row that is
 * not a transition, and the nSteps - 1 newest rows of each env wait for their
 * return: `size` says how many can be sampled.
 *
 * Sharing an arena. The training engine keeps the buffer and its networks in
 * one WASM memory, so a sampled batch feeds the update without a copy:
 *
 * ```ts
 * const plan = new ArenaPlan();
 * const replay = ReplayBuffer.plan(plan, options); // validates, reserves regions
 * replay.addresses.batch.observations;             // known before instantiation
 * // ... the engine plans its own regions ...
 * const rb = replay.bind(await plan.instantiate()); // initialises the regions
 * ```
 *
 * `addresses.batch` gives the byte address of each sampled array (for row i
 * of a batch of B: observations f32[B*D], actions i32[B], rewards f32[B],
 * nextObservations f32[B*D], dones f32[B] (0/1), discounts f32[B] (gamma^k
 * for the k rewards summed), weights f32[B] (1 when uniform), indices i32[B],
 * and with the `nActions` option nextMasks u8[B*ceil(nActions/8)], filled
 * once a first mask is added), each reserved for maxBatchSize rows; `addresses.header` is what the kernels
 * take, so an AssemblyScript kernel can also sample in place with
 * `sampleBatch<v128>(header, B)` from assembly/lib/replay.ts.
 */
import { writeBatchMap, type BatchAddresses, type TransitionBatch } from "../batch.ts";
import { ArenaPlan, type Arena } from "../runtime/wasm.ts";
import type { DeepqExports } from "../runtime/bindings.ts";
import { Header } from "../runtime/header.ts";
import { seedState } from "../runtime/rng.ts";
import { InvalidArgumentError, InvalidStateError } from "../errors.ts";
import { checkInt, checkNumber } from "../validate.ts";
import * as L from "../../assembly/layout.ts";
import { discountTable, parseReplayOptions, type PrioritizedReplayBufferOptions, type ReplayBufferOptions, type ReplayConfig } from "./config.ts";
import { stageBatch, stagePriorities, stageStep, type Staging } from "./stage.ts";
import { checkReplayState, layoutOf, rebuildTrees, type ReplayState } from "./state.ts";

export type { ReplayBufferOptions, PrioritizedReplayBufferOptions } from "./config.ts";
export type { ReplayState, ReplayStateMeta, ReplayLayout } from "./state.ts";

/** A sampled batch (row i of B): views into WASM memory, overwritten by the next sample; `indices` always set, `nextMasks` once the buffer holds masks. */
export type ReplayBatch = Required<Omit<TransitionBatch, "nextMasks">> & Pick<TransitionBatch, "nextMasks">;

/** @internal Where a buffer lives in its arena (for engines that read batches in place). */
export interface ReplayAddresses {
  /** The buffer's header: the argument of every replay kernel. */
  header: number;
  /** Where `sample` writes each array of the batch (the header's batch address map, from slot RH_OUT, holds the same). */
  batch: Required<Omit<BatchAddresses, "nextMasks">> & Pick<BatchAddresses, "nextMasks">;
}

/** Every region of one buffer (layout.ts lists them); 0 for the trees of a uniform buffer. */
interface Regions {
  rng: number;
  lanes: number;
  discounts: number;
  obs: number;
  actions: number;
  rewards: number;
  flags: number;
  sumTree: number;
  minTree: number;
  inObs: number;
  inNextObs: number;
  inActions: number;
  inRewards: number;
  inEnds: number;
  inIndices: number;
  inLeaves: number;
  masks: number;
  inNextMasks: number;
}

function planRegions(plan: ArenaPlan, cfg: ReplayConfig): { addresses: ReplayAddresses; regions: Regions } {
  const { capacity, numEnvs, maxBatchSize: b, maskBytes } = cfg;
  const d = cfg.observationSize;
  const leaves = cfg.prioritized?.treeLeaves ?? 0;
  const header = plan.region(L.REPLAY_HEADER_SLOTS * L.SLOT);
  const regions: Regions = {
    rng: plan.region(16),
    lanes: plan.region(numEnvs * L.REPLAY_LANE_INTS * 4),
    discounts: plan.region((cfg.nSteps + 1) * 4),
    obs: plan.region(capacity * d * 4),
    actions: plan.region(capacity * 4),
    rewards: plan.region(capacity * 4),
    flags: plan.region(capacity),
    sumTree: leaves ? plan.region(2 * leaves * 8) : 0,
    minTree: leaves ? plan.region(2 * leaves * 8) : 0,
    inObs: plan.region(numEnvs * d * 4),
    inNextObs: plan.region(numEnvs * d * 4),
    inActions: plan.region(numEnvs * 4),
    inRewards: plan.region(numEnvs * 4),
    inEnds: plan.region(numEnvs),
    inIndices: leaves ? plan.region(b * 4) : 0,
    inLeaves: leaves ? plan.region(b * 8) : 0,
    masks: maskBytes ? plan.region(capacity * maskBytes) : 0,
    inNextMasks: maskBytes ? plan.region(numEnvs * maskBytes) : 0,
  };
  const batch: ReplayAddresses["batch"] = {
    observations: plan.region(b * d * 4),
    actions: plan.region(b * 4),
    rewards: plan.region(b * 4),
    nextObservations: plan.region(b * d * 4),
    dones: plan.region(b * 4),
    discounts: plan.region(b * 4),
    weights: plan.region(b * 4),
    indices: plan.region(b * 4),
    ...(maskBytes ? { nextMasks: plan.region(b * maskBytes) } : {}),
  };
  return { addresses: { header, batch }, regions };
}

/**
 * @internal A buffer planned into an {@link ArenaPlan} and not yet bound: its
 * addresses are final; `bind` the arena instantiated from that plan to get
 * the buffer. (How the agent shares one arena between the fused engine and
 * its buffer.)
 */
export class ReplayPlan<B extends ReplayBuffer> {
  #bound = false;

  /** @internal Use ReplayBuffer.plan / PrioritizedReplayBuffer.plan. */
  constructor(
    /** Where the buffer's regions are. */
    readonly addresses: ReplayAddresses,
    /** The end of the arena as planned so far: bind checks the arena is at least this large. */
    private readonly planEnd: number,
    private readonly build: (arena: Arena) => B,
  ) {}

  /** Initialises the buffer's regions in `arena` (instantiated from the plan) and returns the buffer. Once. */
  bind(arena: Arena): B {
    if (this.#bound) throw new InvalidStateError("this replay plan is already bound to an arena");
    if (arena.buffer.byteLength < this.planEnd) {
      throw new InvalidArgumentError("arena", arena, `an arena instantiated from the plan this buffer was planned into (at least ${this.planEnd} bytes)`);
    }
    this.#bound = true;
    return this.build(arena);
  }
}

/** Uniform experience replay with replacement, seeded and deterministic. */
export class ReplayBuffer {
  /** Rows reserved (the capacity option rounded up to a multiple of numEnvs). */
  readonly capacity: number;
  /** Length of one observation. */
  readonly observationSize: number;
  /** Envs adding transitions side by side (`addBatch`); 1 for `add`. */
  readonly numEnvs: number;
  /** Rewards summed per stored transition (n-step returns). */
  readonly nSteps: number;
  /** Discount of the n-step returns. */
  readonly gamma: number;
  /** The largest `sample` size. */
  readonly maxBatchSize: number;
  /** @internal Where the buffer lives in its arena. */
  readonly addresses: ReplayAddresses;
  protected readonly config: ReplayConfig;
  protected readonly kernels: DeepqExports;
  protected readonly staging: Staging;
  protected readonly header: Header;
  readonly #arena: Arena;
  readonly #regions: Regions;
  readonly #batchRange: { min: number; max: number };
  #batch: ReplayBatch | undefined;
  #disposed = false;
  /** Whether a next mask was ever added (or imported): samples carry `nextMasks` from then on. */
  #masked = false;

  /** @internal Validates `options` and reserves the buffer's regions in `plan` (see the module comment). */
  static plan(plan: ArenaPlan, options: ReplayBufferOptions): ReplayPlan<ReplayBuffer> {
    return planBuffer(plan, parseReplayOptions(options, false), (arena, cfg, addresses, regions) => new ReplayBuffer(arena, cfg, addresses, regions));
  }

  /** A buffer in an arena of its own. */
  static create(options: ReplayBufferOptions): Promise<ReplayBuffer> {
    return inOwnArena((plan) => ReplayBuffer.plan(plan, options));
  }

  protected constructor(arena: Arena, cfg: ReplayConfig, addresses: ReplayAddresses, r: Regions) {
    this.#arena = arena;
    this.#regions = r;
    this.config = cfg;
    this.addresses = addresses;
    this.kernels = arena.kernels;
    this.capacity = cfg.capacity;
    this.observationSize = cfg.observationSize;
    this.numEnvs = cfg.numEnvs;
    this.nSteps = cfg.nSteps;
    this.gamma = cfg.gamma;
    this.maxBatchSize = cfg.maxBatchSize;
    this.#batchRange = { min: 1, max: cfg.maxBatchSize };
    const h = (this.header = new Header(arena.buffer, addresses.header, L.REPLAY_HEADER_SLOTS));
    const n = cfg.numEnvs;
    const d = cfg.observationSize;
    const leaves = cfg.prioritized?.treeLeaves ?? 0;
    this.staging = {
      obs: arena.f32(r.inObs, n * d),
      nextObs: arena.f32(r.inNextObs, n * d),
      actions: arena.i32(r.inActions, n),
      rewards: arena.f32(r.inRewards, n),
      ends: arena.u8(r.inEnds, n),
      indices: arena.i32(r.inIndices, leaves ? cfg.maxBatchSize : 0),
      leaves: arena.f64(r.inLeaves, leaves ? cfg.maxBatchSize : 0),
      nextMasks: arena.u8(r.inNextMasks, n * cfg.maskBytes),
    };
    h.setInts([
      [L.RH_CAPACITY, cfg.capacity], [L.RH_LANE_ROWS, cfg.laneRows], [L.RH_NUM_ENVS, n], [L.RH_OBS_SIZE, d],
      [L.RH_N_STEPS, cfg.nSteps], [L.RH_NEXT_STEP_AUTORESET, cfg.nextStepAutoreset ? 1 : 0], [L.RH_TREE_LEAVES, leaves],
      [L.RH_RNG, r.rng], [L.RH_LANES, r.lanes], [L.RH_DISCOUNTS, r.discounts], [L.RH_OBS, r.obs], [L.RH_ACTIONS, r.actions],
      [L.RH_REWARDS, r.rewards], [L.RH_FLAGS, r.flags], [L.RH_SUM_TREE, r.sumTree], [L.RH_MIN_TREE, r.minTree],
      [L.RH_IN_OBS, r.inObs], [L.RH_IN_NEXT_OBS, r.inNextObs], [L.RH_IN_ACTIONS, r.inActions], [L.RH_IN_REWARDS, r.inRewards],
      [L.RH_IN_ENDS, r.inEnds], [L.RH_IN_INDICES, r.inIndices], [L.RH_IN_LEAVES, r.inLeaves],
      [L.RH_MASK_BYTES, cfg.maskBytes], [L.RH_MASKS, r.masks], [L.RH_IN_NEXT_MASKS, r.inNextMasks],
    ]);
    // The sampler copies masks once there are any (#noteMasks sets the slot).
    writeBatchMap(h, L.RH_OUT, { ...addresses.batch, nextMasks: 0 });
    h.setFloat(L.RH_GAMMA, cfg.gamma);
    h.setFloat(L.RH_BETA, cfg.prioritized?.beta ?? 0);
    h.setFloat(L.RH_MAX_LEAF, 1); // SB3-contrib and Schaul et al.: new transitions start at priority 1
    arena.f32(r.discounts, cfg.nSteps + 1).set(discountTable(cfg.gamma, cfg.nSteps));
    seedState(arena.u32(r.rng, 4), cfg.seed);
    if (leaves) arena.f64(r.minTree, 2 * leaves).fill(Infinity);
  }

  /** Transitions that can be sampled now. */
  get size(): number {
    return this.header.int(L.RH_SIZE);
  }

  /**
   * Adds one transition (numEnvs = 1). `terminated` ends the episode without
   * bootstrapping; `truncated` ends it and still bootstraps from `nextObs`.
   * `nextMask` (a buffer created with `nActions`): the legal actions in
   * `nextObs`, 1 each; absent, every action is legal there.
   */
  add(obs: ArrayLike<number>, action: number, reward: number, nextObs: ArrayLike<number>, terminated: boolean, truncated?: boolean, nextMask?: ArrayLike<number>): void {
    this.checkLive();
    if (this.numEnvs !== 1) throw new InvalidStateError(`add() is for a single env; this buffer has numEnvs = ${this.numEnvs}: use addBatch()`);
    this.#noteMasks(stageStep(this.config, this.staging, obs, action, reward, nextObs, terminated, truncated, nextMask));
    this.kernels.replayAdd(this.addresses.header);
  }

  /** After a staged add: a first mask turns masked sampling on; an add without one leaves every next action legal. */
  #noteMasks(staged: boolean): void {
    if (!staged) this.staging.nextMasks.fill(0);
    else if (!this.#masked) this.#setMasked();
  }

  #setMasked(): void {
    this.#masked = true;
    this.#batch = undefined;
    this.header.setInt(L.RH_OUT + L.BATCH_NEXT_MASKS, this.addresses.batch.nextMasks!);
  }

  /**
   * Adds one vector-env step: obs and nextObs of numEnvs * observationSize
   * floats, then numEnvs actions, rewards and flags (booleans or 0/1), and
   * optionally the next observations' masks (numEnvs x nActions, see `add`).
   */
  addBatch(
    obs: ArrayLike<number>,
    actions: ArrayLike<number>,
    rewards: ArrayLike<number>,
    nextObs: ArrayLike<number>,
    terminated: ArrayLike<number | boolean>,
    truncated?: ArrayLike<number | boolean>,
    nextMasks?: ArrayLike<number>,
  ): void {
    this.checkLive();
    this.#noteMasks(stageBatch(this.config, this.staging, obs, actions, rewards, nextObs, terminated, truncated, nextMasks));
    this.kernels.replayAdd(this.addresses.header);
  }

  /**
   * Samples `batchSize` transitions (1 to maxBatchSize) with replacement in one
   * WASM call. Returns views into WASM memory that the next sample
   * overwrites; the same object comes back while batchSize stays the same.
   */
  sample(batchSize: number): ReplayBatch {
    this.checkLive();
    checkInt("batchSize", batchSize, this.#batchRange);
    if (this.size === 0) {
      const waiting = this.nSteps > 1 ? ` (the newest ${this.nSteps - 1} transitions of each env wait for their ${this.nSteps}-step return)` : "";
      throw new InvalidStateError(`cannot sample from an empty replay buffer${waiting}`);
    }
    this.kernels.replaySample(this.addresses.header, batchSize);
    let batch = this.#batch;
    if (batch?.indices.length !== batchSize) batch = this.#batch = this.#views(batchSize);
    return batch;
  }

  /**
   * A copy of everything the buffer holds (the rows in use, n-step windows,
   * sampler RNG, priorities): {@link importState} into a buffer with the
   * same options continues exactly as this one would. Its size grows with
   * the rows filled, not with capacity.
   */
  exportState(): ReplayState {
    this.checkLive();
    const a = this.#arena;
    const r = this.#regions;
    const span = this.header.int(L.RH_SPAN);
    const leaves = this.config.prioritized?.treeLeaves;
    return {
      meta: {
        layout: layoutOf(this.config),
        size: this.size,
        span,
        beta: this.header.float(L.RH_BETA),
        maxLeaf: this.header.float(L.RH_MAX_LEAF),
        rng: Array.from(a.u32(r.rng, 4)),
      },
      arrays: {
        obs: a.f32(r.obs, span * this.observationSize).slice(),
        actions: a.i32(r.actions, span).slice(),
        rewards: a.f32(r.rewards, span).slice(),
        flags: a.u8(r.flags, span).slice(),
        lanes: a.i32(r.lanes, this.numEnvs * L.REPLAY_LANE_INTS).slice(),
        ...(leaves ? { leaves: a.f64(r.sumTree + leaves * 8, span).slice() } : {}),
        ...(this.#masked ? { nextMasks: a.u8(r.masks, span * this.config.maskBytes).slice() } : {}),
      },
    };
  }

  /**
   * Replaces the buffer's contents with `state` from {@link exportState} of a
   * buffer with the same options (capacity, observationSize, numEnvs, nSteps,
   * gamma, autoreset, alpha, epsilon). A state that does not fit throws an
   * InvalidArgumentError and changes nothing.
   */
  importState(state: ReplayState): void {
    this.checkLive();
    const { meta, arrays } = checkReplayState(this.config, state);
    const a = this.#arena;
    const r = this.#regions;
    const cap = this.capacity;
    a.f32(r.obs, cap * this.observationSize).fill(0).set(arrays.obs);
    a.i32(r.actions, cap).fill(0).set(arrays.actions);
    a.f32(r.rewards, cap).fill(0).set(arrays.rewards);
    a.u8(r.flags, cap).fill(0).set(arrays.flags);
    a.i32(r.lanes, this.numEnvs * L.REPLAY_LANE_INTS).set(arrays.lanes);
    a.u32(r.rng, 4).set(meta.rng);
    const leaves = this.config.prioritized?.treeLeaves;
    if (leaves) rebuildTrees(a.f64(r.sumTree, 2 * leaves), a.f64(r.minTree, 2 * leaves), arrays.leaves!);
    if (this.config.maskBytes) a.u8(r.masks, cap * this.config.maskBytes).fill(0).set(arrays.nextMasks ?? []);
    if (arrays.nextMasks) this.#setMasked();
    this.header.setInt(L.RH_SIZE, meta.size);
    this.header.setInt(L.RH_SPAN, meta.span);
    this.header.setFloat(L.RH_BETA, meta.beta);
    this.header.setFloat(L.RH_MAX_LEAF, meta.maxLeaf);
  }

  /**
   * Makes later calls throw. The memory goes with the last reference to the
   * buffer (or, planned into a shared arena, to that arena).
   */
  dispose(): void {
    this.#disposed = true;
  }

  protected checkLive(): void {
    if (this.#disposed) throw new InvalidStateError("this replay buffer was disposed");
  }

  #views(n: number): ReplayBatch {
    const a = this.#arena;
    const b = this.addresses.batch;
    const d = this.observationSize;
    return {
      observations: a.f32(b.observations, n * d),
      actions: a.i32(b.actions, n),
      rewards: a.f32(b.rewards, n),
      nextObservations: a.f32(b.nextObservations, n * d),
      dones: a.f32(b.dones, n),
      discounts: a.f32(b.discounts, n),
      weights: a.f32(b.weights, n),
      indices: a.i32(b.indices, n),
      ...(this.#masked ? { nextMasks: a.u8(b.nextMasks!, n * this.config.maskBytes) } : {}),
    };
  }
}

/** Proportional prioritized replay: sum and min trees in WASM, stratified sampling, max-normalised importance weights. */
export class PrioritizedReplayBuffer extends ReplayBuffer {
  /** Prioritisation exponent (0 = uniform). */
  readonly alpha: number;
  /** Added to every |TD error| so no transition gets priority 0. */
  readonly epsilon: number;

  /** @internal Validates `options` and reserves the buffer's regions in `plan` (see the module comment). */
  static override plan(plan: ArenaPlan, options: PrioritizedReplayBufferOptions): ReplayPlan<PrioritizedReplayBuffer> {
    return planBuffer(plan, parseReplayOptions(options, true), (arena, cfg, addresses, regions) => new PrioritizedReplayBuffer(arena, cfg, addresses, regions));
  }

  /** A buffer in an arena of its own. */
  static override create(options: PrioritizedReplayBufferOptions): Promise<PrioritizedReplayBuffer> {
    return inOwnArena((plan) => PrioritizedReplayBuffer.plan(plan, options));
  }

  protected constructor(arena: Arena, cfg: ReplayConfig, addresses: ReplayAddresses, r: Regions) {
    super(arena, cfg, addresses, r);
    this.alpha = cfg.prioritized!.alpha;
    this.epsilon = cfg.prioritized!.epsilon;
  }

  /** Importance-sampling exponent in [0, 1], read by the next sample (the agent anneals it). */
  get beta(): number {
    return this.header.float(L.RH_BETA);
  }
  /** Sets the exponent for the next samples (a number in [0, 1]). */
  set beta(value: number) {
    this.header.setFloat(L.RH_BETA, checkNumber("beta", value, { min: 0, max: 1 }));
  }

  /**
   * Sets the priorities of sampled rows: `priorities[j]` is |TD error| of
   * row `indices[j]`, stored as (priority + epsilon)^alpha; the largest seen
   * becomes the priority of new transitions. Rows that stopped being
   * sampleable since they were drawn are left alone.
   */
  updatePriorities(indices: ArrayLike<number>, priorities: ArrayLike<number>): void {
    this.checkLive();
    const maxLeaf = stagePriorities(this.config, this.staging, indices, priorities);
    if (maxLeaf > this.header.float(L.RH_MAX_LEAF)) this.header.setFloat(L.RH_MAX_LEAF, maxLeaf);
    this.kernels.replayUpdatePriorities(this.addresses.header, indices.length);
  }
}

function planBuffer<B extends ReplayBuffer>(
  plan: ArenaPlan,
  cfg: ReplayConfig,
  make: (arena: Arena, cfg: ReplayConfig, addresses: ReplayAddresses, regions: Regions) => B,
): ReplayPlan<B> {
  const { addresses, regions } = planRegions(plan, cfg);
  return new ReplayPlan(addresses, plan.bytes, (arena) => make(arena, cfg, addresses, regions));
}

/** Plans a buffer alone in a new arena and binds it (what `create` does). */
async function inOwnArena<B extends ReplayBuffer>(planIn: (plan: ArenaPlan) => ReplayPlan<B>): Promise<B> {
  const plan = new ArenaPlan();
  const replay = planIn(plan);
  return replay.bind(await plan.instantiate());
}
