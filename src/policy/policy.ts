/**
 * A trained Q-network run for inference only: the network read from a file
 * (./read.ts) in an arena of its own (assembly/layout.ts, "Policy runtime")
 * of a module with the fused engine's forward entry points, mlpGreedy and
 * mlpQValues: the policy module (assembly/policy.ts) for deepq/policy, or
 * deepq's full module for the main entry, which carries it anyway.
 */
import { bindPolicy, type PolicyExports } from "../runtime/bindings.ts";
import { POLICY_ROWS } from "../../assembly/layout.ts";
import { FormatError, InvalidArgumentError, InvalidStateError } from "../errors.ts";
import { canonicalToInternal, fusedSupport, internalLayers, planForward, scatterParams, writeForwardHeader } from "../nn/fused.ts";
import type { NetSpec } from "../nn/spec.ts";
import { instantiateArena, RegionPlan, type Loaded } from "../runtime/wasm.ts";
import { checkFiniteQ, checkFloat32Vector, checkInt, checkOneOf, checkVector } from "../validate.ts";
import { argmaxLegal, checkMask } from "../masks.ts";
import { MAX_STRIDE } from "../nn/conv.ts";
import { readNetwork } from "./read.ts";

/** A trained Q-network, inference only. */
export interface Policy {
  /** Length of one observation. */
  readonly observationSize: number;
  /** Number of discrete actions (Q-values per observation). */
  readonly nActions: number;
  /** The network's shape. */
  readonly spec: NetSpec;
  /**
   * Greedy action (argmax Q, ties to the lowest index) for one observation:
   * one WebAssembly call, no allocation. With `mask` (nActions entries, 1 per
   * legal action), the argmax over the legal actions.
   */
  act(observation: ArrayLike<number>, mask?: ArrayLike<number>): number;
  /**
   * Greedy actions for n observations (row-major, n x observationSize), e.g.
   * one per env of a vector env; into `out` (an Int32Array of n) when given.
   */
  actBatch(observations: ArrayLike<number>, out?: Int32Array): Int32Array;
  /**
   * Q-values: one observation gives nActions values; n observations (row-major)
   * give n x nActions. Input on which the network overflows float32 is refused.
   */
  qValues(observations: ArrayLike<number>): Float32Array;
  /** Frees the policy's WebAssembly memory; later calls throw InvalidStateError. */
  dispose(): void;
}

/** What the calls touch once the policy is live, in one field so they check for dispose() once. */
interface Live {
  /** The input rows: f32[POLICY_ROWS * observationSize]. */
  obs: Float32Array;
  actions: Int32Array;
  q: Float32Array;
  greedy: PolicyExports["mlpGreedy"];
  qValues: PolicyExports["mlpQValues"];
}

class WasmPolicy implements Policy {
  readonly observationSize: number;
  readonly nActions: number;
  private live: Live | undefined;

  constructor(
    readonly spec: NetSpec,
    live: Live,
    private readonly header: number,
    private readonly obsAt: number,
    private readonly actionsAt: number,
    private readonly qAt: number,
  ) {
    this.observationSize = spec.observationSize;
    this.nActions = spec.nActions;
    this.live = live;
  }

  private use(): Live {
    if (this.live === undefined) throw new InvalidStateError("this policy has been disposed");
    return this.live;
  }

  act(observation: ArrayLike<number>, mask?: ArrayLike<number>): number {
    const live = this.use();
    const D = this.observationSize;
    if (observation instanceof Float32Array && observation.length === D) {
      // What env.step returns: copy and check finiteness in one pass (a third of checkVector + set).
      for (let i = 0; i < D; i++) {
        const x = observation[i]!;
        if (x - x !== 0) checkVector("observation", observation, D);
        live.obs[i] = x;
      }
    } else {
      live.obs.set(checkFloat32Vector("observation", observation, D));
    }
    if (mask === undefined) return live.greedy(this.header, this.obsAt, 1, this.actionsAt);
    const legal = checkMask("mask", mask, this.nActions);
    live.qValues(this.header, this.obsAt, 1, this.qAt);
    return argmaxLegal(live.q, 0, this.nActions, legal);
  }

  /** Validates n observations (row-major) and returns n. */
  private rowsOf(observations: ArrayLike<number>): number {
    const D = this.observationSize;
    const length = observations?.length;
    if (typeof length !== "number" || length === 0 || length % D !== 0) throw new InvalidArgumentError("observations", observations, `n x ${D} finite numbers (row-major)`);
    checkFloat32Vector("observations", observations, length);
    return length / D;
  }

  /** Copies `rows` observations into the input POLICY_ROWS at a time; `each(live, at, n)` runs and collects a chunk. */
  private chunks(observations: ArrayLike<number>, rows: number, each: (live: Live, at: number, n: number) => void): void {
    const live = this.use();
    const D = this.observationSize;
    for (let at = 0; at < rows; at += POLICY_ROWS) {
      const n = Math.min(POLICY_ROWS, rows - at);
      for (let i = 0; i < n * D; i++) live.obs[i] = observations[at * D + i]!;
      each(live, at, n);
    }
  }

  actBatch(observations: ArrayLike<number>, out?: Int32Array): Int32Array {
    const rows = this.rowsOf(observations);
    if (out !== undefined && !(out instanceof Int32Array && out.length === rows)) throw new InvalidArgumentError("out", out, `an Int32Array of ${rows} (one action per observation)`);
    const result = out ?? new Int32Array(rows);
    this.chunks(observations, rows, (live, at, n) => {
      live.greedy(this.header, this.obsAt, n, this.actionsAt);
      result.set(live.actions.subarray(0, n), at);
    });
    return result;
  }

  qValues(observations: ArrayLike<number>): Float32Array {
    const rows = this.rowsOf(observations);
    const nA = this.nActions;
    const result = new Float32Array(rows * nA);
    this.chunks(observations, rows, (live, at, n) => {
      live.qValues(this.header, this.obsAt, n, this.qAt);
      result.set(live.q.subarray(0, n * nA), at * nA);
    });
    return checkFiniteQ("observations", observations, result);
  }

  dispose(): void {
    this.live = undefined;
  }
}

/** Options of loadPolicy. */
export interface PolicyOptions {
  /** Picks the first layer of a safetensors file whose layer order is ambiguous. */
  observationSize?: number;
  /**
   * A safetensors file with nn.Conv2d layers: the observation's shape
   * [H, W, C], channels-last as deepq takes it (a torch NCHW batch x is
   * `x.permute(0, 2, 3, 1)` of it).
   */
  observationShape?: readonly number[];
  /** Per nn.Conv2d layer of a safetensors file, in order: stride (default 1) and padding (default "valid", torch's padding=0). */
  conv?: ReadonlyArray<{
    /** The layer's stride (default 1). */
    stride?: number;
    /** "valid" (default, torch's padding=0) or "same". */
    padding?: "valid" | "same";
  }>;
}

/** loadPolicy on the module `compiled` gives: validates, reads the network, instantiates its arena. */
export async function openPolicy(bytes: Uint8Array, { observationSize, observationShape, conv }: PolicyOptions, compiled: () => Promise<Loaded>): Promise<Policy> {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError("bytes", bytes, "a Uint8Array (a deepq save file or a safetensors file)");
  if (observationSize !== undefined) checkInt("observationSize", observationSize, { min: 1 });
  if (observationShape !== undefined && !(Array.isArray(observationShape) && observationShape.length === 3)) throw new InvalidArgumentError("options.observationShape", observationShape, "[H, W, C], three positive integers");
  observationShape?.forEach((n, i) => checkInt(`options.observationShape[${i}]`, n, { min: 1 }));
  if (conv !== undefined && !Array.isArray(conv)) throw new InvalidArgumentError("options.conv", conv, "an array of { stride?, padding? }, one per nn.Conv2d layer");
  conv?.forEach((c, i) => {
    if (c.stride !== undefined) checkInt(`options.conv[${i}].stride`, c.stride, { min: 1, max: MAX_STRIDE });
    if (c.padding !== undefined) checkOneOf(`options.conv[${i}].padding`, c.padding, ["valid", "same"] as const);
  });
  const { spec, params } = readNetwork(bytes, observationSize, { observationShape, conv });
  const support = fusedSupport(spec);
  if (!support.ok) throw new FormatError(`this network is too large for the policy runtime: ${support.reason}`);
  const { layers, floats } = internalLayers(spec);
  const plan = new RegionPlan();
  const r = planForward(plan, spec, layers, floats, POLICY_ROWS);
  const arena = await instantiateArena(await compiled(), plan.bytes, bindPolicy);
  writeForwardHeader(arena.buffer, spec, layers, floats, r);
  scatterParams(arena.f32(r.params, floats), canonicalToInternal(spec, layers), params);
  const D = spec.observationSize;
  const live: Live = {
    obs: arena.f32(r.actObs, POLICY_ROWS * D),
    actions: arena.i32(r.actOut, POLICY_ROWS),
    q: arena.f32(r.qOut, POLICY_ROWS * spec.nActions),
    greedy: arena.kernels.mlpGreedy,
    qValues: arena.kernels.mlpQValues,
  };
  const shape: NetSpec = {
    observationSize: D,
    nActions: spec.nActions,
    hidden: [...spec.hidden],
    dueling: spec.dueling,
    ...(spec.conv?.length ? { conv: spec.conv.map((c) => ({ ...c })), observationShape: [...spec.observationShape!] } : {}),
  };
  return new WasmPolicy(shape, live, r.header, r.actObs, r.actOut, r.qOut);
}
