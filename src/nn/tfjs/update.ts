/**
 * One DQN update on tfjs, line by line the math of spec.ts: TD errors and
 * the loss gradient ({@link tdAndGradient}), then global-norm clipping and
 * Adam ({@link applyAdam}). Callers run these inside one `tf.tidy`; nothing
 * here reads back from the device.
 *
 * Each step has two implementations ({@link KernelPath}): compositions of
 * tfjs ops, which run on any backend and read as the math, and deepq's host
 * kernels (host-kernels.ts), one kernel for a chain of those ops on the
 * backends whose tensors live in host memory (wasm, cpu).
 */
import * as tf from "@tensorflow/tfjs-core";
import { ADAM, ADAM_MAX_GRAD_SQUARED, type EngineConfig, type UpdateBatch } from "../engine.ts";
import type { NetSpec } from "../spec.ts";
import { hasHostKernels, hostAdam, hostTdError, type KernelPath } from "./host-kernels.ts";
import { backward, flatten, forward, netFromFlat, netFromTensors, netTensors, unflatten, type Net } from "./net.ts";

/** A batch on the device, shaped [1, B, ...] for the update. */
export interface BatchTensors {
  obs: tf.Tensor;
  nextObs: tf.Tensor;
  /** One-hot of the taken actions, [1, B, nActions]. */
  actionMask: tf.Tensor;
  /**
   * d loss / d Q(s_i)[a] per unit of l'(td_i): actionMask * weight_i / B, times 2
   * for mse (l = td², l' = 2 td); for huber l' = clip(td, -1, 1).
   */
  lossGradScale: tf.Tensor;
  rewards: tf.Tensor;
  /** (1 - done_i) * discount_i: how much of the next state's value y_i keeps. */
  bootstrap: tf.Tensor;
  /** With next masks: 0 for each legal next action, -Infinity for the rest, [1, B, nActions] (0 on terminated rows). */
  nextPenalty?: tf.Tensor;
}

/** Uploads a validated batch; the per-row factors are prepared on the host (O(B * nActions)). */
export function uploadBatch(spec: NetSpec, config: EngineConfig, batch: UpdateBatch): BatchTensors {
  const { observationSize: n, nActions: A } = spec;
  const B = batch.actions.length;
  // One upload, [obs | nextObs | actionMask | lossGradScale | rewards | bootstrap (| nextPenalty)], split on the device.
  const penalty = batch.nextMasks ? 2 * B * (n + A + 1) : -1;
  const host = new Float32Array(2 * B * (n + A + 1) + (batch.nextMasks ? B * A : 0));
  const [mask, scale, reward, bootstrap] = [2 * B * n, 2 * B * n + B * A, 2 * B * (n + A), 2 * B * (n + A) + B];
  host.set(batch.observations, 0);
  host.set(batch.nextObservations, B * n);
  const lossFactor = config.loss === "mse" ? 2 : 1;
  for (let i = 0; i < B; i++) {
    const at = i * A + batch.actions[i]!;
    host[mask + at] = 1;
    host[scale + at] = (lossFactor * (batch.weights?.[i] ?? 1)) / B;
    host[reward + i] = batch.rewards[i]!;
    host[bootstrap + i] = (1 - batch.dones[i]!) * (batch.discounts?.[i] ?? config.gamma);
    if (batch.nextMasks && batch.dones[i] === 0) nextPenaltyRow(batch.nextMasks, i, A, host, penalty + i * A);
  }
  const shapes: [number, number, number][] = [[1, B, n], [1, B, n], [1, B, A], [1, B, A], [1, B, 1], [1, B, 1], ...(batch.nextMasks ? [[1, B, A] as [number, number, number]] : [])];
  const t = unflatten(tf.tensor1d(host), shapes);
  return { obs: t[0]!, nextObs: t[1]!, actionMask: t[2]!, lossGradScale: t[3]!, rewards: t[4]!, bootstrap: t[5]!, ...(t[6] ? { nextPenalty: t[6] } : {}) };
}

/** Writes -Infinity at each action that row `i` of bit-packed `masks` leaves out (nothing for a row with no bit set: every action stays). */
function nextPenaltyRow(masks: Uint8Array, i: number, A: number, out: Float32Array, at: number): void {
  const bytes = (A + 7) >> 3;
  let any = 0;
  for (let k = 0; k < bytes; k++) any |= masks[i * bytes + k]!;
  if (!any) return;
  for (let a = 0; a < A; a++) if (!((masks[i * bytes + (a >> 3)]! >> (a & 7)) & 1)) out[at + a] = -Infinity;
}

/** The TD errors td_i = q_i - y_i [1, B, 1] and d loss / d params (one tensor per layer tensor, see {@link backward}). */
export function tdAndGradient(spec: NetSpec, config: EngineConfig, online: Net, target: Net, b: BatchTensors, path: KernelPath): { td: tf.Tensor; grads: tf.Tensor[] } {
  const trace: tf.Tensor[] = [];
  const qAll = forward(online, b.obs, trace); // Q(s_i), every action
  const qNext = forward(target, b.nextObs); // Q_target(s'_i)
  const qNextOnline = config.doubleQ ? forward(online, b.nextObs) : undefined; // Q_online(s'_i), to pick a*_i
  const attrs = { huber: config.loss === "huber", doubleQ: config.doubleQ, masked: b.nextPenalty !== undefined };
  const { td, dQ } = path === "host" ? hostTdError(qAll, qNext, qNextOnline, b, attrs) : tdError(spec, config, qAll, qNext, qNextOnline, b);
  return { td, grads: backward(online, b.obs, trace, dQ, path) };
}

/** TD errors and dQ = d loss / d Q(s) [1, B, nActions] from Q(s), Q_target(s') and (Double DQN) Q_online(s'). */
function tdError(spec: NetSpec, config: EngineConfig, qAll: tf.Tensor, qNext: tf.Tensor, qNextOnline: tf.Tensor | undefined, b: BatchTensors): { td: tf.Tensor; dQ: tf.Tensor } {
  const q = tf.sum(tf.mul(qAll, b.actionMask), 2, true); // q_i = Q(s_i)[a_i]
  const nextValue = nextStateValue(spec, qNext, qNextOnline, b.nextPenalty); // Q_target(s'_i)[a*_i]
  const y = tf.add(b.rewards, tf.mul(b.bootstrap, nextValue)); // y_i = r_i + (1 - done_i) discount_i Q_target(s'_i)[a*_i]
  const td = tf.sub(q, y);
  // loss = (1/B) sum_i w_i l(td_i); y carries no gradient, so d loss / d Q(s_i)[a_i] = w_i / B * l'(td_i).
  return { td, dQ: tf.mul(b.lossGradScale, config.loss === "huber" ? tf.clipByValue(td, -1, 1) : td) };
}

/**
 * Q_target(s')[a*] with a* = argmax of Q_online(s') (Double DQN, when given)
 * or of Q_target(s'), over the legal actions when `penalty` (-Infinity on
 * the illegal ones) is given.
 */
function nextStateValue(spec: NetSpec, qTarget: tf.Tensor, qOnline: tf.Tensor | undefined, penalty: tf.Tensor | undefined): tf.Tensor {
  // The value at Q_target's own argmax is its max; with one action a* = 0 either way (and tf.oneHot needs two).
  if (!qOnline || spec.nActions === 1) return tf.max(penalty ? tf.add(qTarget, penalty) : qTarget, 2, true);
  const aStar = tf.argMax(penalty ? tf.add(qOnline, penalty) : qOnline, 2); // ties: the lowest index, as torch.argmax
  const pick = tf.cast(tf.oneHot(aStar, spec.nActions), "float32"); // wasm's OneHot writes int32 whatever dtype it is given
  return tf.sum(tf.mul(qTarget, pick), 2, true);
}

/** The trained network and Adam's moments (flat, spec layout). */
export interface AdamState {
  net: Net;
  m: tf.Tensor;
  v: tf.Tensor;
}

/**
 * The optimizer step of update t (1-based): `grads` clipped to a global norm
 * of `config.maxGradNorm`, then torch.optim.Adam, unless the divergence
 * guard (ADAM_MAX_GRAD_SQUARED) skips it: then the network and moments stay
 * as they were and the returned TD errors are NaN, which is how the host
 * learns of it without a read-back here. Returns new tensors.
 */
export function applyAdam(spec: NetSpec, config: EngineConfig, s: AdamState, grads: tf.Tensor[], td: tf.Tensor, t: number, path: KernelPath): AdamState & { td: tf.Tensor } {
  const attrs = { stepSize: config.learningRate / (1 - ADAM.beta1 ** t), bc2Sqrt: Math.sqrt(1 - ADAM.beta2 ** t), maxGradNorm: config.maxGradNorm ?? Infinity };
  if (path === "host") {
    const [m, v, tdOut, ...params] = hostAdam(s.m, s.v, td, netTensors(s.net), grads, attrs);
    return { net: netFromTensors(spec, params), m: m!, v: v!, td: tdOut! };
  }
  let g = flatten(grads);
  if (config.maxGradNorm !== undefined) g = clipGradNorm(g, attrs.maxGradNorm);
  const { beta1, beta2, eps } = ADAM;
  const m = tf.add(tf.mul(beta1, s.m), tf.mul(1 - beta1, g)); // m = b1 m + (1 - b1) g
  const v = tf.add(tf.mul(beta2, s.v), tf.mul(1 - beta2, tf.square(g))); // v = b2 v + (1 - b2) g²
  const denom = tf.add(tf.div(tf.sqrt(v), attrs.bc2Sqrt), eps); // sqrt(v) / sqrt(1 - b2^t) + eps
  const params = flatten(netTensors(s.net));
  const stepped = tf.sub(params, tf.mul(attrs.stepSize, tf.div(m, denom))); // p -= lr / (1 - b1^t) * (m / denom), as torch's addcdiv
  const ok = tf.lessEqual(tf.sum(tf.square(g)), ADAM_MAX_GRAD_SQUARED); // false for NaN
  return {
    net: netFromFlat(spec, tf.where(ok, stepped, params)),
    m: tf.where(ok, m, s.m),
    v: tf.where(ok, v, s.v),
    td: tf.where(ok, td, tf.fill(td.shape, NaN)),
  };
}

/** torch.nn.utils.clip_grad_norm_: g *= min(1, maxGradNorm / (||g||_2 + 1e-6)). */
function clipGradNorm(grad: tf.Tensor, maxGradNorm: number): tf.Tensor {
  const norm = tf.sqrt(tf.sum(tf.square(grad)));
  return tf.mul(grad, tf.minimum(1, tf.div(maxGradNorm, tf.add(norm, 1e-6))));
}

/** Kernels the engine dispatches (checked when a backend loads; the bundle's kernel set must hold them). */
export const ENGINE_KERNELS = [
  ...["_FusedMatMul", "Transpose", "Identity", "SplitV", "Concat"], // SplitV, Concat: behind UNFLATTEN, FLATTEN off wasm
  ...["Add", "Sub", "Multiply", "RealDiv", "Square", "Sqrt", "Step", "Minimum", "ClipByValue"],
  ...["Sum", "Mean", "Max", "ArgMax", "OneHot", "Cast"],
  ...["LessEqual", "Select", "Fill"], // the divergence guard off the host kernels
];

/** The kernels an engine for `spec` dispatches on `backend`: conv nets add tf.conv2d's, and the filter gradient off the host kernels. */
export function engineKernels(spec: NetSpec, backend: string): string[] {
  if (!spec.conv?.length) return ENGINE_KERNELS;
  return [...ENGINE_KERNELS, "Reshape", "FusedConv2D", "Conv2DBackpropInput", ...(hasHostKernels(backend) ? [] : ["Conv2DBackpropFilter"])];
}
