/**
 * The update of src/nn/spec.ts written directly in float64 JavaScript, one
 * sample at a time: the oracle the engines are checked against.
 */
import { layerShapes, type NetSpec } from "../../src/nn/spec.ts";
import type { EngineConfig, UpdateBatch } from "../../src/nn/engine.ts";

type Vec = Float64Array;

/** Q-values of one observation, and every layer's input (for backprop). */
export function qForward(spec: NetSpec, p: ArrayLike<number>, x: ArrayLike<number>): { q: number[]; inputs: number[][] } {
  const layers = layerShapes(spec);
  const dense = (l: (typeof layers)[number], h: ArrayLike<number>) => {
    const out: number[] = [];
    for (let j = 0; j < l.outSize; j++) {
      let z = p[l.offset + l.inSize * l.outSize + j]!;
      for (let i = 0; i < l.inSize; i++) z += h[i]! * p[l.offset + i * l.outSize + j]!;
      out.push(z);
    }
    return out;
  };
  const inputs: number[][] = [];
  let h = Array.from(x);
  for (let k = 0; k < spec.hidden.length; k++) {
    inputs.push(h);
    h = dense(layers[k]!, h).map((z) => Math.max(0, z));
  }
  inputs.push(h);
  if (!spec.dueling) return { q: dense(layers.at(-1)!, h), inputs };
  const [v] = dense(layers.at(-2)!, h);
  const a = dense(layers.at(-1)!, h);
  const meanA = a.reduce((s, x) => s + x, 0) / a.length;
  return { q: a.map((ai) => v! + ai - meanA), inputs };
}

/** d Q[action] / d params accumulated with factor `scale` into `grad`. */
function qBackward(spec: NetSpec, p: ArrayLike<number>, inputs: number[][], action: number, scale: number, grad: Vec): void {
  const layers = layerShapes(spec);
  const nA = spec.nActions;
  const accumulate = (l: (typeof layers)[number], input: number[], dz: number[]): number[] => {
    const dx = new Array(l.inSize).fill(0);
    for (let j = 0; j < l.outSize; j++) {
      grad[l.offset + l.inSize * l.outSize + j]! += dz[j]!;
      for (let i = 0; i < l.inSize; i++) {
        grad[l.offset + i * l.outSize + j]! += input[i]! * dz[j]!;
        dx[i] += p[l.offset + i * l.outSize + j]! * dz[j]!;
      }
    }
    return dx;
  };
  const dQ = Array.from({ length: nA }, (_, a) => (a === action ? scale : 0));
  const h = inputs.at(-1)!;
  let dh: number[];
  if (spec.dueling) {
    const dV = [dQ.reduce((s, x) => s + x, 0)];
    const mean = dV[0]! / nA;
    const dA = dQ.map((x) => x - mean);
    const a = accumulate(layers.at(-2)!, h, dV);
    const b = accumulate(layers.at(-1)!, h, dA);
    dh = a.map((x, i) => x + b[i]!);
  } else {
    dh = accumulate(layers.at(-1)!, h, dQ);
  }
  for (let k = spec.hidden.length - 1; k >= 0; k--) {
    const out = inputs[k + 1]!;
    const dz = dh.map((d, j) => (out[j]! > 0 ? d : 0));
    dh = accumulate(layers[k]!, inputs[k]!, dz);
  }
}

export interface ReferenceState {
  params: Vec;
  target: Vec;
  m: Vec;
  v: Vec;
  step: number;
}

export function referenceState(params: ArrayLike<number>): ReferenceState {
  const n = params.length;
  return { params: Float64Array.from(params), target: Float64Array.from(params), m: new Float64Array(n), v: new Float64Array(n), step: 0 };
}

const argmax = (q: number[]) => q.reduce((best, x, i) => (x > q[best]! ? i : best), 0);

/** One update in place; returns the loss, TD errors, the gradient's norm before clipping and the (clipped) gradient. */
export function referenceUpdate(spec: NetSpec, config: EngineConfig, s: ReferenceState, batch: UpdateBatch): { loss: number; td: number[]; norm: number; grad: Vec } {
  const B = batch.actions.length;
  const n = spec.observationSize;
  const grad = new Float64Array(s.params.length);
  const td: number[] = [];
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const obs = batch.observations.subarray(i * n, (i + 1) * n);
    const next = batch.nextObservations.subarray(i * n, (i + 1) * n);
    const { q, inputs } = qForward(spec, s.params, obs);
    const qTarget = qForward(spec, s.target, next).q;
    const aStar = argmax(config.doubleQ ? qForward(spec, s.params, next).q : qTarget);
    const discount = batch.discounts?.[i] ?? config.gamma;
    const y = batch.rewards[i]! + (1 - batch.dones[i]!) * discount * qTarget[aStar]!;
    const d = q[batch.actions[i]!]! - y;
    td.push(d);
    const w = batch.weights?.[i] ?? 1;
    const huber = Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
    loss += (w * (config.loss === "mse" ? d * d : huber)) / B;
    const dl = config.loss === "mse" ? 2 * d : Math.max(-1, Math.min(1, d));
    qBackward(spec, s.params, inputs, batch.actions[i]!, (w * dl) / B, grad);
  }
  const norm = Math.sqrt(grad.reduce((acc, g) => acc + g * g, 0));
  if (config.maxGradNorm !== undefined) {
    const coef = Math.min(1, config.maxGradNorm / (norm + 1e-6));
    for (let k = 0; k < grad.length; k++) grad[k]! *= coef;
  }
  s.step += 1;
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  for (let k = 0; k < grad.length; k++) {
    s.m[k] = b1 * s.m[k]! + (1 - b1) * grad[k]!;
    s.v[k] = b2 * s.v[k]! + (1 - b2) * grad[k]! ** 2;
    const denom = Math.sqrt(s.v[k]!) / Math.sqrt(1 - b2 ** s.step) + eps;
    s.params[k]! -= (config.learningRate / (1 - b1 ** s.step)) * (s.m[k]! / denom);
  }
  return { loss, td, norm, grad };
}

export function referenceSync(s: ReferenceState, tau: number): void {
  for (let k = 0; k < s.params.length; k++) s.target[k] = tau * s.params[k]! + (1 - tau) * s.target[k]!;
}
