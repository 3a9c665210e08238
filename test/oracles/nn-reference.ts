/**
 * A plain float64 implementation of the whole DQN update of src/nn/spec.ts:
 * forward pass, targets, loss, backward pass, gradient clipping, Adam and
 * target updates, written for clarity, not speed. Engine-neutral: the parity
 * tests of every engine (fused, tfjs) run the same batches through it and
 * compare losses and weights, and its loss drives finite-difference checks.
 * Parameters use the canonical flat layout of spec.ts.
 */
import type { TransitionBatch } from "../../src/batch.ts";
import { ADAM, type UpdateBatch } from "../../src/nn/engine.ts";
import { layerShapes, paramCount, trunkDepth, type LayerShape, type NetSpec } from "../../src/nn/spec.ts";

export type { TransitionBatch } from "../../src/batch.ts";

/** The transitions an engine's {@link UpdateBatch} stands for: discount gamma and weight 1 where it gives none. */
export function referenceBatch(batch: UpdateBatch, gamma: number): TransitionBatch {
  const B = batch.actions.length;
  return {
    observations: batch.observations,
    actions: Int32Array.from(batch.actions),
    rewards: Float32Array.from(batch.rewards),
    nextObservations: batch.nextObservations,
    dones: Float32Array.from(batch.dones),
    discounts: batch.discounts ? Float32Array.from(batch.discounts) : new Float32Array(B).fill(gamma),
    weights: batch.weights ? Float32Array.from(batch.weights) : new Float32Array(B).fill(1),
    ...(batch.nextMasks ? { nextMasks: batch.nextMasks } : {}),
  };
}

/** The update hyperparameters of spec.ts. */
export interface UpdateConfig {
  learningRate: number;
  loss: "mse" | "huber";
  doubleQ: boolean;
  /** Global gradient-norm clip; undefined for none. */
  maxGradNorm?: number;
}

/** torch.optim.Adam defaults (engine.ts), as every engine uses them. */
export { ADAM };

/** A spec's layers by role. */
interface Layers {
  trunk: LayerShape[];
  /** The plain head, or the value head with dueling. */
  head: LayerShape;
  /** The advantage head with dueling. */
  advantage?: LayerShape;
}

function split(spec: NetSpec): Layers {
  const shapes = layerShapes(spec);
  const trunk = shapes.slice(0, trunkDepth(spec));
  return spec.dueling ? { trunk, head: shapes[trunk.length]!, advantage: shapes[trunk.length + 1]! } : { trunk, head: shapes[trunk.length]! };
}

/** y = x·W + b for one row. */
function affine(l: LayerShape, p: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(l.outSize);
  const b = l.offset + l.inSize * l.outSize;
  for (let j = 0; j < l.outSize; j++) {
    let s = p[b + j]!;
    for (let i = 0; i < l.inSize; i++) s += x[i]! * p[l.offset + i * l.outSize + j]!;
    y[j] = s;
  }
  return y;
}

/**
 * A conv layer's windows: for output cell p and patch entry q = (ky·k + kx)·C + c,
 * the input index it reads, or -1 in the zero padding.
 */
function windows(l: LayerShape): Int32Array[] {
  const g = l.conv!;
  const key = JSON.stringify(g);
  const known = windowCache.get(key);
  if (known) return known;
  const out: Int32Array[] = [];
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      const patch = new Int32Array(l.inSize).fill(-1);
      for (let ky = 0; ky < g.kernel; ky++) {
        for (let kx = 0; kx < g.kernel; kx++) {
          const iy = oy * g.stride - g.padTop + ky;
          const ix = ox * g.stride - g.padLeft + kx;
          if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) continue;
          for (let c = 0; c < g.inC; c++) patch[(ky * g.kernel + kx) * g.inC + c] = (iy * g.inW + ix) * g.inC + c;
        }
      }
      out.push(patch);
    }
  }
  windowCache.set(key, out);
  return out;
}
const windowCache = new Map<string, Int32Array[]>();

const gather = (x: ArrayLike<number>, patch: Int32Array) => Float64Array.from(patch, (i) => (i < 0 ? 0 : x[i]!));

/** A trunk layer's pre-activation: the affine map, or for a conv layer the affine map of every window, [H', W', F] channels-last. */
function layerForward(l: LayerShape, p: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  if (!l.conv) return affine(l, p, x);
  const y = new Float64Array(l.conv.outH * l.conv.outW * l.outSize);
  windows(l).forEach((patch, cell) => y.set(affine(l, p, gather(x, patch)), cell * l.outSize));
  return y;
}

/** {@link backLayer} for trunk layers: a conv layer sums its windows' gradients and scatters their dL/dx back to the input. */
function layerBackward(l: LayerShape, p: ArrayLike<number>, x: Float64Array, dy: Float64Array, grad: Float64Array): Float64Array {
  if (!l.conv) return backLayer(l, p, x, dy, grad);
  const dx = new Float64Array(x.length);
  windows(l).forEach((patch, cell) => {
    const dPatch = backLayer(l, p, gather(x, patch), dy.subarray(cell * l.outSize, (cell + 1) * l.outSize), grad);
    patch.forEach((i, q) => i >= 0 && (dx[i]! += dPatch[q]!));
  });
  return dx;
}

interface Trace {
  /** Inputs of each trunk layer and of the head(s): acts[0] is the observation. */
  acts: Float64Array[];
  q: Float64Array;
}

function forwardRow(spec: NetSpec, layers: Layers, p: ArrayLike<number>, obs: ArrayLike<number>): Trace {
  const acts: Float64Array[] = [Float64Array.from(obs)];
  for (const l of layers.trunk) acts.push(layerForward(l, p, acts[acts.length - 1]!).map((v) => Math.max(0, v)));
  const last = acts[acts.length - 1]!;
  if (!layers.advantage) return { acts, q: affine(layers.head, p, last) };
  const v = affine(layers.head, p, last)[0]!;
  const a = affine(layers.advantage, p, last);
  const mean = a.reduce((s, x) => s + x, 0) / spec.nActions;
  return { acts, q: a.map((x) => v + x - mean) };
}

function argmax(q: ArrayLike<number>, legal: (a: number) => boolean = () => true): number {
  let best = -1;
  for (let a = 0; a < q.length; a++) if (legal(a) && (best < 0 || q[a]! > q[best]!)) best = a;
  return best;
}

/**
 * Which next actions the target of row `i` may take: those whose bit is set
 * in its bit-packed mask, or all of them without masks, on a terminated row
 * and on a row with no bit set.
 */
function legalNext(batch: TransitionBatch, i: number, nActions: number): (a: number) => boolean {
  const bytes = Math.ceil(nActions / 8);
  const row = batch.nextMasks?.subarray(i * bytes, (i + 1) * bytes);
  if (!row || batch.dones[i] !== 0 || row.every((b) => b === 0)) return () => true;
  return (a) => ((row[a >> 3]! >> (a & 7)) & 1) === 1;
}

/** Q-values [rows, nActions] for `rows` observations (row-major). */
export function referenceForward(spec: NetSpec, params: ArrayLike<number>, observations: ArrayLike<number>, rows: number): Float64Array {
  const layers = split(spec);
  const D = spec.observationSize;
  const out = new Float64Array(rows * spec.nActions);
  for (let r = 0; r < rows; r++) {
    const obs = Array.from({ length: D }, (_, i) => observations[r * D + i]!);
    out.set(forwardRow(spec, layers, params, obs).q, r * spec.nActions);
  }
  return out;
}

/** Accumulates the gradient of one layer y = x·W + b given dL/dy; returns dL/dx. */
function backLayer(l: LayerShape, p: ArrayLike<number>, x: Float64Array, dy: Float64Array, grad: Float64Array): Float64Array {
  const b = l.offset + l.inSize * l.outSize;
  const dx = new Float64Array(l.inSize);
  for (let j = 0; j < l.outSize; j++) {
    if (dy[j] === 0) continue;
    grad[b + j]! += dy[j]!;
    for (let i = 0; i < l.inSize; i++) {
      grad[l.offset + i * l.outSize + j]! += x[i]! * dy[j]!;
      dx[i]! += p[l.offset + i * l.outSize + j]! * dy[j]!;
    }
  }
  return dx;
}

export interface LossAndGradient {
  loss: number;
  /** q - y per transition. */
  tdErrors: Float64Array;
  /** d loss / d params, canonical layout (before clipping). */
  gradient: Float64Array;
}

/** Loss, TD errors and gradient of spec.ts's update for `batch` (target network fixed). */
export function referenceLossAndGradient(spec: NetSpec, params: ArrayLike<number>, targetParams: ArrayLike<number>, batch: TransitionBatch, config: UpdateConfig): LossAndGradient {
  const layers = split(spec);
  const D = spec.observationSize;
  const B = batch.actions.length;
  const gradient = new Float64Array(paramCount(spec));
  const tdErrors = new Float64Array(B);
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const obs = batch.observations.subarray(i * D, (i + 1) * D);
    const next = batch.nextObservations.subarray(i * D, (i + 1) * D);
    const qNextTarget = forwardRow(spec, layers, targetParams, next).q;
    const best = argmax(config.doubleQ ? forwardRow(spec, layers, params, next).q : qNextTarget, legalNext(batch, i, spec.nActions));
    const y = batch.rewards[i]! + (1 - batch.dones[i]!) * batch.discounts[i]! * qNextTarget[best]!;
    const trace = forwardRow(spec, layers, params, obs);
    const a = batch.actions[i]!;
    const td = trace.q[a]! - y;
    tdErrors[i] = td;
    const w = batch.weights[i]!;
    const huber = config.loss === "huber";
    loss += w * (huber ? (Math.abs(td) < 1 ? 0.5 * td * td : Math.abs(td) - 0.5) : td * td);
    const g = (w * (huber ? Math.max(-1, Math.min(1, td)) : 2 * td)) / B;

    const last = trace.acts[trace.acts.length - 1]!;
    let dh: Float64Array;
    if (layers.advantage) {
      const dA = new Float64Array(spec.nActions).map((_, j) => g * ((j === a ? 1 : 0) - 1 / spec.nActions));
      dh = backLayer(layers.head, params, last, Float64Array.of(g), gradient);
      const dhA = backLayer(layers.advantage, params, last, dA, gradient);
      dh = dh.map((v, k) => v + dhA[k]!);
    } else {
      const dq = new Float64Array(spec.nActions);
      dq[a] = g;
      dh = backLayer(layers.head, params, last, dq, gradient);
    }
    for (let l = layers.trunk.length - 1; l >= 0; l--) {
      const out = trace.acts[l + 1]!;
      const dy = dh.map((v, k) => (out[k]! > 0 ? v : 0));
      dh = layerBackward(layers.trunk[l]!, params, trace.acts[l]!, dy, gradient);
    }
  }
  return { loss: loss / B, tdErrors, gradient };
}

/** The whole training state of one network in float64, updated per spec.ts. */
export class ReferenceQNet {
  readonly params: Float64Array;
  readonly targetParams: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
  step = 0;

  constructor(
    readonly spec: NetSpec,
    params: ArrayLike<number>,
    readonly config: UpdateConfig,
  ) {
    this.params = Float64Array.from(params);
    this.targetParams = Float64Array.from(params);
    this.m = new Float64Array(this.params.length);
    this.v = new Float64Array(this.params.length);
  }

  /**
   * One update: loss and gradient, clip, Adam. Returns the loss, TD errors,
   * the gradient's norm before clipping and the gradient Adam applied.
   */
  update(batch: TransitionBatch): { loss: number; tdErrors: Float64Array; gradNorm: number; gradient: Float64Array } {
    const { loss, tdErrors, gradient } = referenceLossAndGradient(this.spec, this.params, this.targetParams, batch, this.config);
    const gradNorm = Math.sqrt(gradient.reduce((s, g) => s + g * g, 0));
    const scale = this.config.maxGradNorm === undefined ? 1 : Math.min(1, this.config.maxGradNorm / (gradNorm + 1e-6));
    const { beta1, beta2, eps } = ADAM;
    this.step++;
    const stepSize = this.config.learningRate / (1 - beta1 ** this.step);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.step);
    for (let i = 0; i < gradient.length; i++) {
      const g = (gradient[i]! *= scale);
      this.m[i] = beta1 * this.m[i]! + (1 - beta1) * g;
      this.v[i] = beta2 * this.v[i]! + (1 - beta2) * g * g;
      this.params[i]! -= (stepSize * this.m[i]!) / (Math.sqrt(this.v[i]!) / bc2Sqrt + eps);
    }
    return { loss, tdErrors, gradNorm, gradient };
  }

  /** Hard (tau = 1) or Polyak target update. */
  syncTarget(tau = 1): void {
    for (let i = 0; i < this.params.length; i++) this.targetParams[i] = tau * this.params[i]! + (1 - tau) * this.targetParams[i]!;
  }
}
