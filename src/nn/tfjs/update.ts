/**
 * One DQN update on tfjs, line by line the math of spec.ts: TD errors and
 * the loss gradient ({@link tdAndGradient}), optional global-norm clipping
 * ({@link clipGradNorm}) and Adam ({@link adamStep}) on the flat parameters.
 * Callers run these inside one `tf.tidy`; nothing here reads back from the
 * device.
 */
import * as tf from "@tensorflow/tfjs-core";
import { ADAM, type EngineConfig, type UpdateBatch } from "../engine.ts";
import type { NetSpec } from "../spec.ts";
import { backward, forward, type Net } from "./net.ts";

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
}

/** Uploads a validated batch; the per-row factors are prepared on the host (O(B * nActions)). */
export function uploadBatch(spec: NetSpec, config: EngineConfig, batch: UpdateBatch): BatchTensors {
  const { observationSize: n, nActions: A } = spec;
  const B = batch.actions.length;
  const actionMask = new Float32Array(B * A);
  const lossGradScale = new Float32Array(B * A);
  const bootstrap = new Float32Array(B);
  const lossFactor = config.loss === "mse" ? 2 : 1;
  for (let i = 0; i < B; i++) {
    const at = i * A + batch.actions[i]!;
    actionMask[at] = 1;
    lossGradScale[at] = (lossFactor * (batch.weights?.[i] ?? 1)) / B;
    bootstrap[i] = (1 - batch.dones[i]!) * (batch.discounts?.[i] ?? config.gamma);
  }
  return {
    obs: tf.tensor3d(batch.observations, [1, B, n]),
    nextObs: tf.tensor3d(batch.nextObservations, [1, B, n]),
    actionMask: tf.tensor3d(actionMask, [1, B, A]),
    lossGradScale: tf.tensor3d(lossGradScale, [1, B, A]),
    rewards: tf.tensor3d(Float32Array.from(batch.rewards), [1, B, 1]),
    bootstrap: tf.tensor3d(bootstrap, [1, B, 1]),
  };
}

/** Scalars the update uses every step, created once per engine. */
export interface UpdateConstants {
  beta1: tf.Scalar;
  oneMinusBeta1: tf.Scalar;
  beta2: tf.Scalar;
  oneMinusBeta2: tf.Scalar;
  eps: tf.Scalar;
  one: tf.Scalar;
  clipEps: tf.Scalar;
  maxGradNorm: tf.Scalar;
  infinity: tf.Scalar;
  adamLimit: tf.Scalar;
}

export function updateConstants(config: EngineConfig): UpdateConstants {
  return {
    beta1: tf.scalar(ADAM.beta1),
    oneMinusBeta1: tf.scalar(1 - ADAM.beta1),
    beta2: tf.scalar(ADAM.beta2),
    oneMinusBeta2: tf.scalar(1 - ADAM.beta2),
    eps: tf.scalar(ADAM.eps),
    one: tf.scalar(1),
    clipEps: tf.scalar(1e-6),
    maxGradNorm: tf.scalar(config.maxGradNorm ?? Infinity),
    infinity: tf.scalar(Infinity),
    adamLimit: tf.scalar(3.4028234663852886e38 / 2),
  };
}

/** The TD errors td_i = q_i - y_i [1, B, 1] and d loss / d params (flat). */
export function tdAndGradient(spec: NetSpec, config: EngineConfig, online: Net, target: Net, b: BatchTensors): { td: tf.Tensor; grad: tf.Tensor } {
  const trace: tf.Tensor[] = [];
  const q = tf.sum(tf.mul(forward(online, b.obs, trace), b.actionMask), 2, true); // q_i = Q(s_i)[a_i]
  const nextValue = nextStateValue(spec, config, online, target, b.nextObs); // Q_target(s'_i)[a*_i]
  const y = tf.add(b.rewards, tf.mul(b.bootstrap, nextValue)); // y_i = r_i + (1 - done_i) discount_i Q_target(s'_i)[a*_i]
  const td = tf.sub(q, y);
  // loss = (1/B) sum_i w_i l(td_i); y carries no gradient, so d loss / d Q(s_i)[a_i] = w_i / B * l'(td_i).
  const dQ = tf.mul(b.lossGradScale, config.loss === "huber" ? tf.clipByValue(td, -1, 1) : td);
  return { td, grad: backward(online, b.obs, trace, dQ) };
}

/** Q_target(s')[a*] with a* = argmax of Q_online(s') (Double DQN) or of Q_target(s'). */
function nextStateValue(spec: NetSpec, config: EngineConfig, online: Net, target: Net, nextObs: tf.Tensor): tf.Tensor {
  const qTarget = forward(target, nextObs);
  // The value at Q_target's own argmax is its max; with one action a* = 0 either way (and tf.oneHot needs two).
  if (!config.doubleQ || spec.nActions === 1) return tf.max(qTarget, 2, true);
  const aStar = tf.argMax(forward(online, nextObs), 2); // ties: the lowest index, as torch.argmax
  const pick = tf.cast(tf.oneHot(aStar, spec.nActions), "float32"); // wasm's OneHot writes int32 whatever dtype it is given
  return tf.sum(tf.mul(qTarget, pick), 2, true);
}

/** torch.nn.utils.clip_grad_norm_: g *= min(1, maxGradNorm / (||g||_2 + 1e-6)). */
export function clipGradNorm(grad: tf.Tensor, c: UpdateConstants): tf.Tensor {
  const norm = tf.sqrt(tf.sum(tf.square(grad)));
  return tf.mul(grad, tf.minimum(c.one, tf.div(c.maxGradNorm, tf.add(norm, c.clipEps))));
}

export type AdamTensors = {
  params: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
};

/**
 * torch.optim.Adam at step t (1-based). `stepSize` = lr / (1 - beta1^t) and
 * `bc2Sqrt` = sqrt(1 - beta2^t) arrive as scalars computed in float64.
 */
export function adamStep(s: AdamTensors, g: tf.Tensor, c: UpdateConstants, stepSize: tf.Scalar, bc2Sqrt: tf.Scalar): AdamTensors {
  const m = tf.add(tf.mul(c.beta1, s.m), tf.mul(c.oneMinusBeta1, g)); // m = b1 m + (1 - b1) g
  const v = tf.add(tf.mul(c.beta2, s.v), tf.mul(c.oneMinusBeta2, tf.square(g))); // v = b2 v + (1 - b2) g²
  const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), c.eps); // sqrt(v) / sqrt(1 - b2^t) + eps
  const params = tf.sub(s.params, tf.mul(stepSize, tf.div(m, denom))); // p -= lr / (1 - b1^t) * (m / denom), as torch's addcdiv
  return { params, m, v };
}

/**
 * Divergence guard, the fused engine's (assembly/lib/mlp.ts applyGradients):
 * an update whose TD errors are not all finite, or whose (clipped) gradient
 * g has ||g||² beyond half of f32's range (Adam's moments would overflow),
 * keeps the weights and Adam's moments as they were, so a diverging agent
 * stops with its last finite weights; its TD errors come back as NaN, which
 * is how the host learns of it. Decided on the device, without a read-back.
 */
export function keepIfFinite(td: tf.Tensor, g: tf.Tensor, next: AdamTensors, previous: AdamTensors, c: UpdateConstants): { td: tf.Tensor } & AdamTensors {
  const tdFinite = tf.min(tf.cast(tf.less(tf.abs(td), c.infinity), "float32")); // 1 or 0; NaN < Infinity is false
  const gradInRange = tf.cast(tf.lessEqual(tf.sum(tf.square(g)), c.adamLimit), "float32");
  const ok = tf.cast(tf.mul(tdFinite, gradInRange), "bool");
  return {
    td: tf.where(ok, td, tf.fill(td.shape, NaN)),
    params: tf.where(ok, next.params, previous.params),
    m: tf.where(ok, next.m, previous.m),
    v: tf.where(ok, next.v, previous.v),
  };
}

/** Kernels the engine dispatches (checked when a backend loads; the bundle's kernel set must hold them). */
export const ENGINE_KERNELS = [
  ...["_FusedMatMul", "Transpose", "Identity", "SplitV", "Concat"], // SplitV, Concat: behind UNFLATTEN, FLATTEN off wasm
  ...["Add", "Sub", "Multiply", "RealDiv", "Square", "Sqrt", "Step", "Minimum", "ClipByValue"],
  ...["Sum", "Mean", "Max", "ArgMax", "OneHot", "Cast"],
  ...["Abs", "Less", "LessEqual", "Min", "Select", "Tile", "Reshape", "Fill"], // keepIfFinite
];
