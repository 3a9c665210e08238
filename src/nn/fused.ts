/**
 * The fused engine: deepq's own f32 MLP trainer in WebAssembly SIMD
 * (assembly/mlp.ts). A whole DQN update (forward passes, loss, backward
 * pass, clipping, Adam) is one WASM call on batches that already sit in WASM
 * memory, so small networks train without per-kernel overhead. Math and
 * canonical parameter layout: src/nn/spec.ts; memory layout: the "MLP
 * engine" section of assembly/layout.ts.
 *
 * A network lives in an arena: `FusedQNet.create` makes its own, or
 * `FusedQNet.plan` reserves its regions in a caller's {@link ArenaPlan} so a
 * replay buffer in the same arena can feed {@link FusedQNet.updateFrom}
 * without copying.
 */
import {
  LAYER_ACT, LAYER_B, LAYER_COLS, LAYER_IN, LAYER_IN_C, LAYER_IN_H, LAYER_IN_PAD, LAYER_IN_W, LAYER_KERNEL, LAYER_OUT_H, LAYER_OUT_PAD,
  LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP, LAYER_STRIDE, LAYER_W, LAYER_W_LD, MLP_ACTIONS, MLP_COLS, MLP_ADAM_M, MLP_ADAM_V, MLP_BETA1,
  MLP_BETA2, MLP_DELTA_A, MLP_DELTA_B, MLP_DHEAD, MLP_DOUBLE_Q, MLP_DUELING, MLP_EPS, MLP_GRAD, MLP_HEADER_SLOTS, MLP_HUBER,
  MLP_LAYER_COUNT, MLP_LAYER_SLOTS, MLP_LR, MLP_MAX_GRAD_NORM, MLP_OBS, MLP_PARAM_FLOATS, MLP_PARAMS, MLP_Q_AUX, MLP_Q_TARGET,
  MLP_SCRATCH_A, MLP_SCRATCH_B, MLP_SPARSE, MLP_STEP, MLP_TARGET, SLOT, BATCH_SLOTS,
} from "../../assembly/layout.ts";
import { Header } from "../runtime/header.ts";
import { ArenaPlan, type Arena, type Loaded, type RegionPlan, type WasmFlavor } from "../runtime/wasm.ts";
import type { DeepqExports } from "../runtime/bindings.ts";
import { BackendError, InvalidArgumentError, InvalidStateError } from "../errors.ts";
import { checkBool, checkInt, checkKnownKeys, checkNumber, checkOneOf, checkOptions, checkVector } from "../validate.ts";
import { checkNetSpec, initRanges, layerShapes, paramCount, trunkDepth, type NetSpec } from "./spec.ts";
import { seedState } from "../runtime/rng.ts";
import { MAX_BATCH_SIZE } from "../limits.ts";
import { writeBatchMap, type BatchAddresses, type TransitionBatch } from "../batch.ts";
import { packedMaskBytes } from "../masks.ts";
import { ADAM, checkLearningRate, type OptimizerState } from "./engine.ts";
import type { ConvGeometry } from "./conv.ts";

/**
 * What the fused engine accepts. Beyond these an update takes tens of
 * milliseconds on one core, where tfjs's per-kernel overhead no longer
 * matters and its threaded or GPU backends win. The parameter bound keeps the
 * five f32 parameter sets (online, target, gradient, Adam m and v) within
 * 80 MiB; the batch bound keeps the per-layer activation buffers within
 * ~0.5 GiB at the widest; deeper than 8 hidden layers is not DQN practice
 * and untested.
 */
export const FUSED_LIMITS = {
  /** Largest layer: observation size, hidden width or nActions (+1 with dueling). */
  maxWidth: 2048,
  /** Hidden layers. */
  maxHiddenLayers: 8,
  /** Parameters, counted as in spec.ts's flat layout. */
  maxParams: 4_194_304,
  /** Transitions per update and observations per forward call. */
  maxBatchSize: MAX_BATCH_SIZE,
  /** Floats of one sample's conv output (outH·outW·filters, filters rounded up to 4) or im2col patches (outH·outW·k²·inC). */
  maxConvFloats: 65536,
} as const;

/** Whether the fused engine runs `spec`, and if not, which limit it passes (for the backend ladder). */
export function fusedSupport(spec: NetSpec): { ok: true } | { ok: false; reason: string } {
  checkNetSpec(spec, "spec");
  const { maxWidth, maxHiddenLayers, maxParams, maxConvFloats } = FUSED_LIMITS;
  for (const [i, l] of internalLayers(spec).layers.entries()) {
    const floats = l.conv ? l.cells * Math.max(l.outPad, l.inPad) : 0;
    if (floats > maxConvFloats) return { ok: false, reason: `the fused engine supports conv layers of at most ${maxConvFloats} floats of output or patches per sample (FUSED_LIMITS.maxConvFloats); conv layer ${i} has ${floats}` };
  }
  const widths: [string, number][] = [
    // A conv net's input and flattened conv output are bounded by maxConvFloats instead.
    ...(spec.conv?.length ? [] : [["observationSize", spec.observationSize] as [string, number]]),
    ...spec.hidden.map((h, i): [string, number] => [`netArch[${i}]`, h]),
    [spec.dueling ? "nActions + 1 (dueling head)" : "nActions", spec.nActions + (spec.dueling ? 1 : 0)],
  ];
  for (const [name, w] of widths) {
    if (w > maxWidth) return { ok: false, reason: `the fused engine supports layers of at most ${maxWidth} units (FUSED_LIMITS.maxWidth); ${name} is ${w}` };
  }
  if (spec.hidden.length > maxHiddenLayers) {
    return { ok: false, reason: `the fused engine supports at most ${maxHiddenLayers} hidden layers (FUSED_LIMITS.maxHiddenLayers); netArch has ${spec.hidden.length}` };
  }
  const n = paramCount(spec);
  if (n > maxParams) return { ok: false, reason: `the fused engine supports at most ${maxParams} parameters (FUSED_LIMITS.maxParams); this network has ${n}` };
  return { ok: true };
}

export interface FusedQNetOptions {
  /** Most transitions per update (and observations per forward call; more are chunked). */
  batchSize: number;
  learningRate: number;
  /** Default "huber" (SB3's smooth L1). */
  loss?: "mse" | "huber";
  /** Default false. */
  doubleQ?: boolean;
  /** Global gradient-norm clip; default none. */
  maxGradNorm?: number;
  /** Seed of the initial weights (spec.ts initParams' values); default 0. */
  seed?: number;
  /** Forces a build of the WASM module (FusedQNet.create only; default: relaxed SIMD where supported). */
  flavor?: WasmFlavor;
  /** Runs on this compiled module instead (FusedQNet.create only): tests pass the test module, whose kernels are the scalar twins. */
  module?: Loaded;
}

const OPTION_KEYS = ["batchSize", "learningRate", "loss", "doubleQ", "maxGradNorm", "seed", "flavor", "module"] as const;

/** One internal layer (assembly/layout.ts, "MLP engine" and "Conv layers"). */
export interface Layer {
  /** Rows of W that inputs use: k²·inC of a conv layer, with inC its input's channel stride as laid out. */
  inSize: number;
  outSize: number;
  inPad: number;
  outPad: number;
  /** Row stride of W (assembly/layout.ts, LAYER_W_LD). */
  ld: number;
  /** Float offsets of W and b in an internal parameter set. */
  w: number;
  b: number;
  /** A conv layer's geometry, `inC` its input's channel stride as laid out. */
  conv?: ConvGeometry;
  /** Output cells per sample: outH·outW of a conv layer, 1 for a dense one. */
  cells: number;
  /** The internal row of W that canonical input row r lands on (conv outputs and patches keep channel padding). */
  inRow: (r: number) => number;
}

const pad4 = (n: number) => (n + 3) & ~3;
const DISPOSED = "this FusedQNet has been disposed";

/**
 * Internal layers (assembly/layout.ts): conv layers, hidden layers, then one
 * head (V and A side by side with dueling).
 */
export function internalLayers(spec: NetSpec): { layers: Layer[]; floats: number } {
  const shapes = layerShapes(spec);
  const layers: Layer[] = [];
  let floats = 0;
  const push = (inSize: number, outSize: number, cells: number, inRow: (r: number) => number, conv?: ConvGeometry) => {
    const inPad = pad4(inSize);
    const outPad = pad4(outSize);
    const ld = outPad % 64 === 0 ? outPad + 4 : outPad;
    layers.push({ inSize, outSize, inPad, outPad, ld, w: floats, b: floats + inPad * ld, cells, inRow, ...(conv ? { conv } : {}) });
    floats += inPad * ld + outPad;
  };
  const same = (r: number) => r;
  // Channels of the previous layer's output as laid out (padded to 4 after a conv layer) and as counted canonically.
  let stride = 0;
  let channels = 0;
  for (const s of shapes.filter((l) => l.conv)) {
    const g = s.conv!;
    const inC = stride || g.inC;
    const given = g.inC;
    push(g.kernel * g.kernel * inC, g.filters, g.outH * g.outW, (r) => Math.floor(r / given) * inC + (r % given), { ...g, inC });
    [stride, channels] = [layers[layers.length - 1]!.outPad, g.filters];
  }
  const last = layers[layers.length - 1];
  const widths = [last ? last.cells * last.outPad : spec.observationSize, ...spec.hidden, spec.nActions + (spec.dueling ? 1 : 0)];
  for (let l = 0; l + 1 < widths.length; l++) {
    const [from, c] = [stride, channels];
    push(widths[l]!, widths[l + 1]!, 1, l === 0 && last ? (r) => Math.floor(r / c) * from + (r % c) : same);
  }
  return { layers, floats };
}

/** For each canonical parameter, its float index in the internal layout. */
export function canonicalToInternal(spec: NetSpec, layers: Layer[]): Int32Array {
  const map = new Int32Array(paramCount(spec));
  const trunk = trunkDepth(spec);
  layerShapes(spec).forEach((s, i) => {
    // With dueling, canonical layers `value` then `advantage` share the head: columns 0 and 1.. .
    const head = spec.dueling && i >= trunk;
    const l = layers[head ? trunk : i]!;
    const col = head && s.name === "advantage" ? 1 : 0;
    for (let r = 0; r < s.inSize; r++) {
      const row = l.w + l.inRow(r) * l.ld + col;
      for (let c = 0; c < s.outSize; c++) map[s.offset + r * s.outSize + c] = row + c;
    }
    for (let c = 0; c < s.outSize; c++) map[s.offset + s.inSize * s.outSize + c] = l.b + col + c;
  });
  return map;
}

/** A checked {@link FusedQNetOptions} with its spec: what a network is built from. */
export interface FusedConfig {
  spec: NetSpec;
  batchSize: number;
  learningRate: number;
  huber: boolean;
  doubleQ: boolean;
  maxGradNorm: number | undefined;
  seed: number;
  build: WasmFlavor | Loaded | undefined;
}

function checkConfig(spec: NetSpec, options: FusedQNetOptions): FusedConfig {
  const support = fusedSupport(spec);
  if (!support.ok) throw new BackendError(support.reason);
  const o = checkOptions("options", options);
  checkKnownKeys("options", o, OPTION_KEYS);
  return {
    spec: {
      observationSize: spec.observationSize,
      nActions: spec.nActions,
      hidden: [...spec.hidden],
      dueling: spec.dueling,
      ...(spec.conv?.length ? { conv: spec.conv.map((c) => ({ ...c })), observationShape: [...spec.observationShape!] } : {}),
    },
    batchSize: checkInt("options.batchSize", o.batchSize, { min: 1, max: FUSED_LIMITS.maxBatchSize }),
    learningRate: checkLearningRate(o.learningRate, "options.learningRate"),
    huber: checkOneOf("options.loss", o.loss ?? "huber", ["mse", "huber"]) === "huber",
    doubleQ: checkBool("options.doubleQ", o.doubleQ ?? false),
    maxGradNorm: o.maxGradNorm === undefined ? undefined : checkNumber("options.maxGradNorm", o.maxGradNorm, { min: 0, minExclusive: true }),
    seed: checkInt("options.seed", o.seed ?? 0, { min: 0, max: Number.MAX_SAFE_INTEGER }),
    build: (o.module as Loaded | undefined) ?? (o.flavor === undefined ? undefined : checkOneOf<WasmFlavor>("options.flavor", o.flavor, ["simd", "relaxed-simd"])),
  };
}

/**
 * The regions the forward pass reads and fills (assembly/lib/mlp.ts forward,
 * greedy, qValues): all an inference-only network (deepq/policy) has.
 */
export interface ForwardRegions {
  header: number;
  params: number;
  scratchA: number;
  scratchB: number;
  qAux: number;
  sparse: number;
  /** im2col patches of passes that keep no activations, and patch gradients (0 without conv layers). */
  cols: number;
  /** Input observations f32[rows * observationSize]. */
  actObs: number;
  /** Greedy actions i32[rows]. */
  actOut: number;
  /** Q-values f32[rows * nActions]. */
  qOut: number;
}

/** Region addresses of one network, known before its arena exists. */
interface Regions extends ForwardRegions {
  target: number;
  grad: number;
  m: number;
  v: number;
  acts: number[];
  /** Per layer, its im2col patches in the training forward pass (0 for a dense layer). */
  layerCols: number[];
  qTarget: number;
  dHead: number;
  deltaA: number;
  deltaB: number;
  /** The staging area of one batch. */
  batch: BatchAddresses;
  /** The batch address map (BATCH_SLOTS slots) an update reads its batch from. */
  batchMap: number;
  tdErrors: number;
}

/** Floats per sample of the widest hidden (or conv) output, and the head's row stride. */
function rowPads(layers: Layer[]): { maxPad: number; headPad: number } {
  return { maxPad: Math.max(4, ...layers.slice(0, -1).map((l) => l.cells * l.outPad)), headPad: layers[layers.length - 1]!.outPad };
}

/** Floats of a conv layer's im2col patches per sample (0 for a dense layer). */
const patchFloats = (l: Layer) => (l.conv ? l.cells * l.inPad : 0);

/** Reserves the {@link ForwardRegions} of a network that runs up to `rows` observations per call. */
export function planForward(plan: RegionPlan, spec: NetSpec, layers: Layer[], floats: number, rows: number): ForwardRegions {
  const f32 = (n: number) => plan.region(n * 4);
  const { maxPad, headPad } = rowPads(layers);
  return {
    header: plan.region((MLP_HEADER_SLOTS + layers.length * MLP_LAYER_SLOTS) * SLOT),
    params: f32(floats),
    scratchA: f32(rows * maxPad),
    scratchB: f32(rows * maxPad),
    qAux: f32(rows * headPad),
    sparse: plan.region(8 * (Math.max(...layers.map((l) => l.inSize)) + 4)),
    cols: f32(rows * Math.max(0, ...layers.map(patchFloats))),
    actObs: f32(rows * spec.observationSize),
    actOut: f32(rows),
    qOut: f32(rows * spec.nActions),
  };
}

function planRegions(plan: ArenaPlan, c: FusedConfig, layers: Layer[], floats: number): Regions {
  const rows = c.batchSize;
  const D = c.spec.observationSize;
  const f32 = (n: number) => plan.region(n * 4);
  const { maxPad, headPad } = rowPads(layers);
  return {
    ...planForward(plan, c.spec, layers, floats, rows),
    target: f32(floats),
    grad: f32(floats),
    m: f32(floats),
    v: f32(floats),
    acts: layers.map((l) => f32(rows * l.cells * l.outPad)),
    layerCols: layers.map((l) => (l.conv ? f32(rows * patchFloats(l)) : 0)),
    qTarget: f32(rows * headPad),
    dHead: f32(rows * headPad),
    deltaA: f32(rows * maxPad),
    deltaB: f32(rows * maxPad),
    batch: {
      observations: f32(rows * D),
      actions: f32(rows),
      rewards: f32(rows),
      nextObservations: f32(rows * D),
      dones: f32(rows),
      discounts: f32(rows),
      weights: f32(rows),
      nextMasks: plan.region(rows * packedMaskBytes(c.spec.nActions)),
    },
    batchMap: plan.region(BATCH_SLOTS * SLOT),
    tdErrors: f32(rows),
  };
}

/** A network's header with its layer table. */
function mlpHeader(buffer: ArrayBuffer, address: number, layers: Layer[]): Header {
  return new Header(buffer, address, MLP_HEADER_SLOTS + layers.length * MLP_LAYER_SLOTS);
}

/** Writes the header slots the forward pass reads (training slots are left as they are: 0 in a fresh arena). */
export function writeForwardHeader(buffer: ArrayBuffer, spec: NetSpec, layers: Layer[], floats: number, r: ForwardRegions): void {
  const h = mlpHeader(buffer, r.header, layers);
  h.setInts([
    [MLP_LAYER_COUNT, layers.length],
    [MLP_OBS, spec.observationSize],
    [MLP_ACTIONS, spec.nActions],
    [MLP_DUELING, spec.dueling ? 1 : 0],
    [MLP_PARAM_FLOATS, floats],
    [MLP_PARAMS, r.params],
    [MLP_SCRATCH_A, r.scratchA],
    [MLP_SCRATCH_B, r.scratchB],
    [MLP_Q_AUX, r.qAux],
    [MLP_SPARSE, r.sparse],
    [MLP_COLS, r.cols],
  ]);
  layers.forEach((l, i) => {
    const base = MLP_HEADER_SLOTS + i * MLP_LAYER_SLOTS;
    const g = l.conv;
    if (g) {
      h.setInts(
        ([
          [LAYER_KERNEL, g.kernel], [LAYER_STRIDE, g.stride], [LAYER_IN_H, g.inH], [LAYER_IN_W, g.inW], [LAYER_IN_C, g.inC],
          [LAYER_OUT_H, g.outH], [LAYER_OUT_W, g.outW], [LAYER_PAD_TOP, g.padTop], [LAYER_PAD_LEFT, g.padLeft],
        ] as const).map(([slot, value]) => [base + slot, value]),
      );
    }
    h.setInts([
      [base + LAYER_IN, l.inSize],
      [base + LAYER_IN_PAD, l.inPad],
      [base + LAYER_OUT_PAD, l.outPad],
      [base + LAYER_W_LD, l.ld],
      [base + LAYER_W, l.w],
      [base + LAYER_B, l.b],
    ]);
  });
}

/** Writes canonical parameters into an internal parameter set through `map` ({@link canonicalToInternal}); padding stays 0. */
export function scatterParams(internal: Float32Array, map: Int32Array, values: ArrayLike<number>): void {
  for (let i = 0; i < map.length; i++) internal[map[i]!] = values[i]!;
}

/** A network whose regions are reserved in an {@link ArenaPlan}; {@link attach} it to the instantiated arena. */
export class PlannedFusedQNet {
  /** @internal */
  constructor(
    private readonly config: FusedConfig,
    private readonly layers: Layer[],
    private readonly floats: number,
    private readonly regions: Regions,
    /** Bytes the plan held once this network's regions were reserved. */
    private readonly planEnd: number,
  ) {}

  /** The module build the network asked for (FusedQNet.create). */
  get build(): WasmFlavor | Loaded | undefined {
    return this.config.build;
  }

  /** Writes the header and initial weights into `arena` (instantiated from the plan) and returns the network. */
  attach(arena: Arena): FusedQNet {
    if (arena.buffer.byteLength < this.planEnd) throw new InvalidArgumentError("arena", arena, "the arena instantiated from the plan this network was planned in");
    return new FusedQNet(arena, this.config, this.layers, this.floats, this.regions);
  }
}

/** One Q-network (online and target) with its Adam state, trained by the fused WASM engine. */
export class FusedQNet {
  /** Reserves the network's regions in `plan`; call `attach(arena)` on the result after `plan.instantiate()`. */
  static plan(plan: ArenaPlan, spec: NetSpec, options: FusedQNetOptions): PlannedFusedQNet {
    return FusedQNet.planConfig(plan, checkConfig(spec, options));
  }

  /** {@link plan} for a config already checked (the engine ladder's). */
  static planConfig(plan: ArenaPlan, config: FusedConfig): PlannedFusedQNet {
    const { layers, floats } = internalLayers(config.spec);
    const regions = planRegions(plan, config, layers, floats);
    return new PlannedFusedQNet(config, layers, floats, regions, plan.bytes);
  }

  /** A network in an arena of its own. */
  static async create(spec: NetSpec, options: FusedQNetOptions): Promise<FusedQNet> {
    const plan = new ArenaPlan();
    const planned = FusedQNet.plan(plan, spec, options);
    return planned.attach(await plan.instantiate(planned.build));
  }

  readonly spec: NetSpec;
  /** Most transitions per update. */
  readonly batchSize: number;
  /** Where a caller may write a batch in place for {@link updateFrom} (a staging area of batchSize rows). */
  readonly batchAddresses: BatchAddresses;
  /** Where {@link update} and {@link updateFrom} write TD errors by default (f32[batchSize]). */
  readonly tdErrorsAddress: number;

  private arenaRef: Arena | undefined;
  /** What act() touches, in one field so that it checks for dispose() once. */
  private hot: { obs: Float32Array; greedy: DeepqExports["mlpGreedy"] } | undefined;
  private readonly header: number;
  private readonly slots: Header;
  /** The batch address map an update reads (BATCH_SLOTS slots). */
  private readonly batchMap: Header;
  private readonly regions: Regions;
  private readonly floats: number;
  private readonly toInternal: Int32Array;
  private readonly obsSize: number;

  /** @internal Use {@link FusedQNet.create} or {@link FusedQNet.plan}. */
  constructor(arena: Arena, config: FusedConfig, layers: Layer[], floats: number, regions: Regions) {
    this.arenaRef = arena;
    this.spec = config.spec;
    this.batchSize = config.batchSize;
    this.regions = regions;
    this.header = regions.header;
    this.floats = floats;
    this.obsSize = config.spec.observationSize;
    this.batchAddresses = { ...regions.batch };
    this.tdErrorsAddress = regions.tdErrors;
    this.toInternal = canonicalToInternal(config.spec, layers);
    this.hot = { obs: arena.f32(regions.actObs, this.obsSize), greedy: arena.kernels.mlpGreedy };
    this.slots = mlpHeader(arena.buffer, regions.header, layers);
    this.batchMap = new Header(arena.buffer, regions.batchMap, BATCH_SLOTS);
    this.writeHeader(arena, config, layers);
    this.drawInitialParams(arena, config.seed);
    arena.kernels.mlpSyncTarget(this.header, 1);
  }

  /**
   * initParams' weights, drawn and scattered by the module, layer by layer:
   * the tfjs engines draw the same values in TypeScript. Until this returns,
   * the gradient set holds the scatter map and Adam's v the generator state
   * (16 bytes: every region spans at least REGION_ALIGN); both are zeroed after.
   */
  private drawInitialParams(arena: Arena, seed: number): void {
    const { params, grad, v } = this.regions;
    arena.i32(grad, this.toInternal.length).set(this.toInternal);
    seedState(arena.u32(v, 4), seed);
    for (const { offset, count, bound } of initRanges(this.spec)) arena.kernels.mlpInitLayer(params, grad + 4 * offset, count, v, bound);
    arena.f32(grad, this.floats).fill(0);
    arena.f32(v, this.floats).fill(0);
  }

  private writeHeader(arena: Arena, c: FusedConfig, layers: Layer[]): void {
    const r = this.regions;
    const h = this.slots;
    writeForwardHeader(arena.buffer, c.spec, layers, this.floats, r);
    h.setInts([
      [MLP_TARGET, r.target],
      [MLP_GRAD, r.grad],
      [MLP_ADAM_M, r.m],
      [MLP_ADAM_V, r.v],
      [MLP_Q_TARGET, r.qTarget],
      [MLP_DHEAD, r.dHead],
      [MLP_DELTA_A, r.deltaA],
      [MLP_DELTA_B, r.deltaB],
      [MLP_STEP, 0],
      [MLP_HUBER, c.huber ? 1 : 0],
      [MLP_DOUBLE_Q, c.doubleQ ? 1 : 0],
    ]);
    h.setFloat(MLP_LR, c.learningRate);
    h.setFloat(MLP_BETA1, ADAM.beta1);
    h.setFloat(MLP_BETA2, ADAM.beta2);
    h.setFloat(MLP_EPS, ADAM.eps);
    h.setFloat(MLP_MAX_GRAD_NORM, c.maxGradNorm ?? 0);
    layers.forEach((_, i) => {
      h.setInt(MLP_HEADER_SLOTS + i * MLP_LAYER_SLOTS + LAYER_ACT, r.acts[i]!);
      h.setInt(MLP_HEADER_SLOTS + i * MLP_LAYER_SLOTS + LAYER_COLS, r.layerCols[i]!);
    });
  }

  /** Adam's step size from the next update on. */
  setLearningRate(learningRate: number): void {
    const lr = checkLearningRate(learningRate);
    this.live();
    this.slots.setFloat(MLP_LR, lr);
  }

  /** The arena the network lives in (shared with a replay buffer when planned together). */
  get arena(): Arena {
    return this.live();
  }

  private live(): Arena {
    if (!this.arenaRef) throw new InvalidStateError(DISPOSED);
    return this.arenaRef;
  }

  /**
   * The greedy action for one observation: one WASM call on a preallocated
   * input view. Checks the length only (callers validate values).
   */
  act(observation: ArrayLike<number>): number {
    const hot = this.hot;
    if (hot === undefined) throw new InvalidStateError(DISPOSED);
    if (observation.length !== this.obsSize) throw new InvalidArgumentError("observation", observation, `an array of ${this.obsSize} numbers`);
    hot.obs.set(observation);
    return hot.greedy(this.header, this.regions.actObs, 1, this.regions.actOut);
  }

  private rowsOf(name: string, observations: ArrayLike<number>): number {
    const rows = observations.length / this.obsSize;
    if (!Number.isInteger(rows) || rows < 1) throw new InvalidArgumentError(name, observations, `a multiple of ${this.obsSize} numbers (rows of observationSize)`);
    return rows;
  }

  /** Greedy actions for N observations (row-major, N·observationSize), in chunks of batchSize per WASM call. */
  actBatch(observations: ArrayLike<number>, out?: Int32Array): Int32Array {
    const arena = this.live();
    const rows = this.rowsOf("observations", observations);
    const result = out ?? new Int32Array(rows);
    if (result.length !== rows) throw new InvalidArgumentError("out", out, `an Int32Array of ${rows}`);
    this.chunks(arena, observations, rows, (at, n) => {
      arena.kernels.mlpGreedy(this.header, this.regions.actObs, n, this.regions.actOut);
      result.set(arena.i32(this.regions.actOut, n), at);
    });
    return result;
  }

  /** Q-values [N, nActions] of the online network for N observations (row-major). */
  qValues(observations: ArrayLike<number>, out?: Float32Array): Float32Array {
    const arena = this.live();
    const rows = this.rowsOf("observations", observations);
    const nA = this.spec.nActions;
    const result = out ?? new Float32Array(rows * nA);
    if (result.length !== rows * nA) throw new InvalidArgumentError("out", out, `a Float32Array of ${rows * nA}`);
    this.chunks(arena, observations, rows, (at, n) => {
      arena.kernels.mlpQValues(this.header, this.regions.actObs, n, this.regions.qOut);
      result.set(arena.f32(this.regions.qOut, n * nA), at * nA);
    });
    return result;
  }

  private chunks(arena: Arena, observations: ArrayLike<number>, rows: number, run: (at: number, n: number) => void): void {
    checkVector("observations", observations, rows * this.obsSize);
    const D = this.obsSize;
    const input = arena.f32(this.regions.actObs, this.batchSize * D);
    for (let at = 0; at < rows; at += this.batchSize) {
      const n = Math.min(this.batchSize, rows - at);
      for (let i = 0; i < n * D; i++) input[i] = observations[at * D + i]!;
      run(at, n);
    }
  }

  /** Copies `batch` into the staging area, validating it; returns its size. */
  private stage(arena: Arena, batch: TransitionBatch): number {
    const b = checkOptions("batch", batch) as unknown as TransitionBatch;
    const n = b.actions instanceof Int32Array ? b.actions.length : -1;
    if (n < 1 || n > this.batchSize) throw new InvalidArgumentError("batch.actions", b.actions, `an Int32Array of 1 to ${this.batchSize} actions`);
    const nA = this.spec.nActions;
    for (let i = 0; i < n; i++) {
      const a = b.actions[i]!;
      if (a < 0 || a >= nA) throw new InvalidArgumentError(`batch.actions[${i}]`, a, `an integer in [0, ${nA - 1}]`);
    }
    const D = this.obsSize;
    const a = this.batchAddresses;
    const fields: [Exclude<keyof BatchAddresses, "actions" | "indices" | "nextMasks">, number][] = [
      ["observations", n * D],
      ["rewards", n],
      ["nextObservations", n * D],
      ["dones", n],
      ["discounts", n],
      ["weights", n],
    ];
    for (const [name, length] of fields) {
      const v = b[name];
      if (!(v instanceof Float32Array) || v.length !== length) throw new InvalidArgumentError(`batch.${name}`, v, `a Float32Array of ${length}`);
      checkVector(`batch.${name}`, v, length);
    }
    const maskLength = n * packedMaskBytes(nA);
    if (b.nextMasks !== undefined && !(b.nextMasks instanceof Uint8Array && b.nextMasks.length === maskLength)) {
      throw new InvalidArgumentError("batch.nextMasks", b.nextMasks, `a Uint8Array of ${maskLength} bytes (${n} bit-packed masks) or absent`);
    }
    for (const [name, length] of fields) arena.f32(a[name]!, length).set(b[name]!);
    arena.i32(a.actions, n).set(b.actions);
    a.nextMasks = b.nextMasks ? this.regions.batch.nextMasks! : 0;
    if (b.nextMasks) arena.u8(a.nextMasks, maskLength).set(b.nextMasks);
    return n;
  }

  /**
   * One update (forward, loss, backward, clip, Adam) from a batch in JS
   * memory. `tdErrors` (q - y) is a view into WASM memory, valid until the
   * next update.
   */
  update(batch: TransitionBatch): { loss: number; tdErrors: Float32Array } {
    const arena = this.live();
    const n = this.stage(arena, batch);
    const loss = this.updateFrom(this.batchAddresses, n);
    return { loss, tdErrors: arena.f32(this.tdErrorsAddress, n) };
  }

  /**
   * One update from a batch already in this network's arena (a replay
   * buffer's sample region, or {@link batchAddresses}); the caller vouches
   * for its contents (actions in range, finite values). TD errors go to
   * `tdErrors` (an address; default {@link tdErrorsAddress}). Returns the loss.
   */
  updateFrom(batch: BatchAddresses, size: number, tdErrors = this.tdErrorsAddress): number {
    const arena = this.live();
    checkInt("size", size, { min: 1, max: this.batchSize });
    writeBatchMap(this.batchMap, 0, batch);
    return arena.kernels.mlpUpdate(this.header, this.batchMap.address, size, tdErrors);
  }

  /** Loss, TD errors and gradient (canonical layout, before clipping) for a batch, without changing any weights. */
  gradients(batch: TransitionBatch): { loss: number; tdErrors: Float32Array; gradient: Float32Array } {
    const arena = this.live();
    const n = this.stage(arena, batch);
    writeBatchMap(this.batchMap, 0, this.batchAddresses);
    const loss = arena.kernels.mlpGradients(this.header, this.batchMap.address, n, this.tdErrorsAddress);
    return { loss, tdErrors: arena.f32(this.tdErrorsAddress, n).slice(), gradient: this.read(this.regions.grad) };
  }

  /** Target update: a copy (tau = 1, default) or target = tau·online + (1 - tau)·target. */
  syncTarget(tau = 1): void {
    const arena = this.live();
    checkNumber("tau", tau, { min: 0, max: 1, minExclusive: true });
    arena.kernels.mlpSyncTarget(this.header, tau);
  }

  private read(set: number): Float32Array {
    const internal = this.live().f32(set, this.floats);
    const map = this.toInternal;
    const out = new Float32Array(map.length);
    for (let i = 0; i < map.length; i++) out[i] = internal[map[i]!]!;
    return out;
  }

  private write(set: number, name: string, values: ArrayLike<number>): void {
    const arena = this.live();
    checkVector(name, values, this.toInternal.length);
    scatterParams(arena.f32(set, this.floats), this.toInternal, values);
  }

  /** Online parameters in the canonical layout of spec.ts. */
  getParams(): Float32Array {
    return this.read(this.regions.params);
  }

  setParams(params: ArrayLike<number>): void {
    this.write(this.regions.params, "params", params);
  }

  getTargetParams(): Float32Array {
    return this.read(this.regions.target);
  }

  setTargetParams(params: ArrayLike<number>): void {
    this.write(this.regions.target, "params", params);
  }

  /** Adam's step count and moments (canonical layout). */
  getOptimizerState(): OptimizerState {
    this.live();
    return { step: this.slots.int(MLP_STEP), m: this.read(this.regions.m), v: this.read(this.regions.v) };
  }

  setOptimizerState(state: OptimizerState): void {
    const arena = this.live();
    const s = checkOptions("state", state) as unknown as OptimizerState;
    const step = checkInt("state.step", s.step, { min: 0, max: 2 ** 31 - 1 });
    checkVector("state.m", s.m, this.toInternal.length);
    checkVector("state.v", s.v, this.toInternal.length);
    for (let i = 0; i < s.v.length; i++) if (s.v[i]! < 0) throw new InvalidArgumentError(`state.v[${i}]`, s.v[i], "a number >= 0");
    this.write(this.regions.m, "state.m", s.m);
    this.write(this.regions.v, "state.v", s.v);
    this.slots.setInt(MLP_STEP, step);
  }

  /** Drops the network's hold on its arena (a standalone arena is then garbage). Later calls throw InvalidStateError. */
  dispose(): void {
    this.arenaRef = undefined;
    this.hot = undefined;
  }
}
