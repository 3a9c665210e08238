/**
 * The plain-TypeScript twin of deepq's WASM replay (assembly/lib/replay.ts
 * and sumtree.ts): the same rows, lanes, n-step folding, trees and RNG draws,
 * so from the same seed and the same adds it returns the same samples. Tests
 * check the WASM buffers against it; benchmarks measure what WASM buys.
 * Written for reading, not speed.
 */
import {
  CHAIN_ENDED, CHAIN_NONE, CHAIN_OPEN, REPLAY_END_TERMINATED, REPLAY_FLAG_DONE, REPLAY_FLAG_STEPS,
} from "../../assembly/layout.ts";
import { Rng } from "../../src/runtime/rng.ts";
import { InvalidStateError } from "../../src/errors.ts";
import { checkInt, checkNumber } from "../../src/validate.ts";
import { discountTable, parseReplayOptions, type PrioritizedReplayBufferOptions, type ReplayBufferOptions, type ReplayConfig } from "../../src/replay/config.ts";
import { newStaging, stageBatch, stagePriorities, stageStep, type Staging } from "../../src/replay/stage.ts";
import type { ReplayBatch, ReplayBuffer } from "../../src/replay/buffer.ts";

interface Lane {
  head: number;
  chain: number;
  pending: number;
  skip: boolean;
}

export class ReferenceReplayBuffer {
  readonly capacity: number;
  readonly config: ReplayConfig;
  size = 0;
  private span = 0;
  private maxLeaf = 1;
  private beta_: number;
  private readonly rng: Rng;
  private readonly staging: Staging;
  private readonly discounts: Float32Array;
  private readonly lanes: Lane[];
  private readonly obs: Float32Array;
  /** The bits of obs and of the staged obs, for comparing observations exactly. */
  private readonly obsBits: Uint32Array;
  private readonly stagedBits: Uint32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly flags: Uint8Array;
  /** Bit-packed legal actions of each row's observation (config.maskBytes a row), as the WASM buffer's masks region. */
  private readonly masks: Uint8Array;
  /** Whether a mask was ever added: samples carry nextMasks from then on. */
  private masked = false;
  private readonly sumTree: Float64Array;
  private readonly minTree: Float64Array;
  private readonly leaves: number;
  /** Output arrays of maxBatchSize rows, and the views of the last batch size over them. */
  private readonly out: ReplayBatch;
  private batch: ReplayBatch | undefined;

  /** A uniform reference buffer, for the same options as ReplayBuffer.create. */
  static uniform(options: ReplayBufferOptions): ReferenceReplayBuffer {
    return new ReferenceReplayBuffer(parseReplayOptions(options, false));
  }

  /** A prioritized reference buffer, for the same options as PrioritizedReplayBuffer.create. */
  static prioritized(options: PrioritizedReplayBufferOptions): ReferenceReplayBuffer {
    return new ReferenceReplayBuffer(parseReplayOptions(options, true));
  }

  constructor(cfg: ReplayConfig) {
    const d = cfg.observationSize;
    this.config = cfg;
    this.capacity = cfg.capacity;
    this.rng = new Rng(cfg.seed);
    this.staging = newStaging(cfg);
    this.discounts = discountTable(cfg.gamma, cfg.nSteps);
    this.lanes = Array.from({ length: cfg.numEnvs }, () => ({ head: 0, chain: CHAIN_NONE, pending: 0, skip: false }));
    this.obs = new Float32Array(cfg.capacity * d);
    this.obsBits = new Uint32Array(this.obs.buffer);
    this.stagedBits = new Uint32Array(this.staging.obs.buffer);
    this.actions = new Int32Array(cfg.capacity);
    this.rewards = new Float32Array(cfg.capacity);
    this.flags = new Uint8Array(cfg.capacity);
    this.masks = new Uint8Array(cfg.capacity * cfg.maskBytes);
    this.leaves = cfg.prioritized?.treeLeaves ?? 0;
    this.sumTree = new Float64Array(2 * this.leaves);
    this.minTree = new Float64Array(2 * this.leaves).fill(Infinity);
    this.beta_ = cfg.prioritized?.beta ?? 0;
    const b = cfg.maxBatchSize;
    this.out = {
      observations: new Float32Array(b * d),
      actions: new Int32Array(b),
      rewards: new Float32Array(b),
      nextObservations: new Float32Array(b * d),
      dones: new Float32Array(b),
      discounts: new Float32Array(b),
      weights: new Float32Array(b),
      indices: new Int32Array(b),
      nextMasks: new Uint8Array(b * cfg.maskBytes),
    };
  }

  get beta(): number {
    return this.beta_;
  }
  set beta(value: number) {
    this.beta_ = checkNumber("beta", value, { min: 0, max: 1 });
  }

  add(...step: Parameters<ReplayBuffer["add"]>): void {
    this.noteMasks(stageStep(this.config, this.staging, ...step));
    this.addEntry(0);
  }

  addBatch(...step: Parameters<ReplayBuffer["addBatch"]>): void {
    this.noteMasks(stageBatch(this.config, this.staging, ...step));
    for (let env = 0; env < this.config.numEnvs; env++) this.addEntry(env);
  }

  /** An add without masks leaves every next action legal (zero bits); one with them turns masked samples on. */
  private noteMasks(staged: boolean): void {
    if (staged) this.masked = true;
    else this.staging.nextMasks.fill(0);
  }

  /** Samples like ReplayBuffer.sample; the arrays are reused by the next call. */
  sample(batchSize: number): ReplayBatch {
    checkInt("batchSize", batchSize, { min: 1, max: this.config.maxBatchSize });
    if (this.size === 0) throw new InvalidStateError("cannot sample from an empty replay buffer");
    const { observationSize: d, numEnvs } = this.config;
    const out = this.out;
    const stratum = this.leaves ? this.sumTree[1]! / batchSize : 0;
    const minLeaf = this.minTree[1]!;
    for (let i = 0; i < batchSize; i++) {
      let row: number;
      let weight = 1;
      if (this.leaves) {
        row = this.find((i + this.rng.nextDouble()) * stratum);
        weight = Math.pow(minLeaf / this.sumTree[this.leaves + row]!, this.beta_);
      } else {
        do row = rowBelow(this.rng, this.span);
        while (this.flags[row] === 0);
      }
      const k = this.flags[row]! & REPLAY_FLAG_STEPS;
      const next = (row + k * numEnvs) % this.capacity;
      for (let j = 0; j < d; j++) {
        out.observations[i * d + j] = this.obs[row * d + j]!;
        out.nextObservations[i * d + j] = this.obs[next * d + j]!;
      }
      out.actions[i] = this.actions[row]!;
      out.rewards[i] = this.rewards[row]!;
      out.dones[i] = this.flags[row]! & REPLAY_FLAG_DONE ? 1 : 0;
      out.discounts[i] = this.discounts[k]!;
      out.weights[i] = weight;
      out.indices[i] = row;
      const m = this.config.maskBytes;
      out.nextMasks!.set(this.masks.subarray(next * m, next * m + m), i * m);
    }
    if (this.batch?.indices.length !== batchSize) {
      const views = Object.entries(out).map(([name, a]: [string, Float32Array | Int32Array | Uint8Array]) => [name, a.subarray(0, (a.length / this.config.maxBatchSize) * batchSize)]);
      this.batch = Object.fromEntries(views) as ReplayBatch;
    }
    if (!this.masked) delete this.batch.nextMasks;
    else this.batch.nextMasks ??= out.nextMasks!.subarray(0, this.config.maskBytes * batchSize);
    return this.batch;
  }

  updatePriorities(indices: ArrayLike<number>, priorities: ArrayLike<number>): void {
    const maxLeaf = stagePriorities(this.config, this.staging, indices, priorities);
    this.maxLeaf = Math.max(this.maxLeaf, maxLeaf);
    for (let j = 0; j < indices.length; j++) {
      const row = this.staging.indices[j]!;
      if (this.flags[row] !== 0) this.setLeaf(row, this.staging.leaves[j]!, this.staging.leaves[j]!);
    }
  }

  private addEntry(env: number): void {
    const lane = this.lanes[env]!;
    if (lane.skip) {
      lane.skip = false;
      return;
    }
    const { numEnvs, laneRows: L, nSteps, observationSize: d } = this.config;
    const s = this.staging;
    let head = lane.head;
    if (lane.chain === CHAIN_OPEN && !this.sameObs(env, head * numEnvs + env)) {
      this.finalizeWindow(env, (head - 1 + L) % L, lane.pending, false);
      lane.pending = 0;
      lane.chain = CHAIN_ENDED;
    }
    if (lane.chain === CHAIN_ENDED) head = (head + 1) % L;
    const row = lane.chain === CHAIN_OPEN ? head * numEnvs + env : this.claimRow(head, env);
    if (lane.chain !== CHAIN_OPEN) this.obs.set(s.obs.subarray(env * d, env * d + d), row * d);
    this.actions[row] = s.actions[env]!;
    this.rewards[row] = s.rewards[env]!;
    lane.pending++;

    const next = (head + 1) % L;
    const nextRow = this.claimRow(next, env);
    this.obs.set(s.nextObs.subarray(env * d, env * d + d), nextRow * d);
    const m = this.config.maskBytes;
    this.masks.set(s.nextMasks.subarray(env * m, env * m + m), nextRow * m);
    const ends = s.ends[env]!;
    if (ends !== 0) {
      this.finalizeWindow(env, head, lane.pending, (ends & REPLAY_END_TERMINATED) !== 0);
      lane.pending = 0;
      lane.chain = CHAIN_ENDED;
      lane.skip = this.config.nextStepAutoreset;
    } else {
      lane.chain = CHAIN_OPEN;
      if (lane.pending === nSteps) {
        this.finalizeRow((head + 1 - nSteps + L) % L, env, nSteps, false);
        lane.pending--;
      }
    }
    lane.head = next;
  }

  /** Whether env `env`'s staged obs has the same bits as the obs of `row`. */
  private sameObs(env: number, row: number): boolean {
    const d = this.config.observationSize;
    for (let j = 0; j < d; j++) if (this.stagedBits[env * d + j] !== this.obsBits[row * d + j]) return false;
    return true;
  }

  private claimRow(pos: number, env: number): number {
    const numEnvs = this.config.numEnvs;
    const row = pos * numEnvs + env;
    if (this.flags[row] !== 0) {
      this.flags[row] = 0;
      this.size--;
      this.setLeaf(row, 0, Infinity);
    }
    this.span = Math.max(this.span, (pos + 1) * numEnvs);
    return row;
  }

  private finalizeRow(pos: number, env: number, k: number, done: boolean): void {
    const { numEnvs, laneRows: L, gamma } = this.config;
    const rewardAt = (p: number) => this.rewards[(p % L) * numEnvs + env]!;
    let ret = rewardAt(pos + k - 1);
    for (let i = k - 2; i >= 0; i--) ret = rewardAt(pos + i) + gamma * ret;
    const row = pos * numEnvs + env;
    this.rewards[row] = ret;
    this.flags[row] = k | (done ? REPLAY_FLAG_DONE : 0);
    this.size++;
    this.setLeaf(row, this.maxLeaf, this.maxLeaf);
  }

  private finalizeWindow(env: number, newest: number, count: number, done: boolean): void {
    const L = this.config.laneRows;
    for (let j = 0; j < count; j++) this.finalizeRow((newest - count + 1 + j + L) % L, env, count - j, done);
  }

  private setLeaf(row: number, sum: number, min: number): void {
    if (!this.leaves) return;
    let node = this.leaves + row;
    this.sumTree[node] = sum;
    this.minTree[node] = min;
    while (node > 1) {
      node >>= 1;
      this.sumTree[node] = this.sumTree[2 * node]! + this.sumTree[2 * node + 1]!;
      this.minTree[node] = Math.min(this.minTree[2 * node]!, this.minTree[2 * node + 1]!);
    }
  }

  private find(mass: number): number {
    let node = 1;
    while (node < this.leaves) {
      const left = this.sumTree[2 * node]!;
      if (mass < left || this.sumTree[2 * node + 1] === 0) {
        node = 2 * node;
      } else {
        mass -= left;
        node = 2 * node + 1;
      }
    }
    return node - this.leaves;
  }
}

/**
 * A uniform integer in [0, n), n <= 2^30, from one 32-bit draw (Lemire's
 * multiply-shift with rejection), as the AS `rowBelow`. JS has no 64-bit
 * multiply: the low word of x * n is exact from Math.imul, and x * n - low is
 * a multiple of 2^32 that the double product (off by at most 2^10 below 2^62)
 * pins down by rounding.
 */
export function rowBelow(rng: Pick<Rng, "nextU32">, n: number): number {
  let x = rng.nextU32();
  let low = Math.imul(x, n) >>> 0;
  if (low < n) {
    const threshold = (4294967296 - n) % n;
    while (low < threshold) {
      x = rng.nextU32();
      low = Math.imul(x, n) >>> 0;
    }
  }
  return Math.round((x * n - low) / 4294967296);
}
