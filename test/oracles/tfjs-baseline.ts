/**
 * The straightforward tfjs DQN update: per-layer variables, the loss written
 * with tfjs ops, gradients by autodiff, `tf.train.adam`. It is the gradient
 * oracle of the tests and the baseline of bench/qnet.bench.ts; the library
 * does not import it.
 *
 * `dense: "customGrad"` is the probe's faster variant: a dense layer whose
 * gradient transposes explicitly and then runs plain matmuls (autodiff of
 * matMul uses transposed matmuls, ~10x slower on wasm).
 */
import * as tf from "@tensorflow/tfjs-core";
import { absGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Abs_grad.js";
import { addGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Add_grad.js";
import { batchMatMulGradConfig } from "@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad.js";
import { castGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Cast_grad.js";
import { meanGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Mean_grad.js";
import { minimumGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Minimum_grad.js";
import { multiplyGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Multiply_grad.js";
import { reluGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Relu_grad.js";
import { reshapeGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Reshape_grad.js";
import { squareGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Square_grad.js";
import { subGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Sub_grad.js";
import { sumGradConfig } from "@tensorflow/tfjs-core/dist/gradients/Sum_grad.js";
import type { EngineConfig, UpdateBatch } from "../../src/nn/engine.ts";
import { layerShapes, type NetSpec } from "../../src/nn/spec.ts";

/** One layer's weights, [in, out] and [out]. */
export interface Layer {
  W: tf.Tensor;
  b: tf.Tensor;
}

export type DenseFlavor = "autodiff" | "customGrad";

/**
 * The gradients of the ops a straightforward tfjs DQN loss uses
 * (dense layers, ReLU, dueling mean, MSE and Huber), registered for autodiff with
 * `tf.grads` or an optimizer's `minimize`. tfjs-core registers none by
 * default, and its register_all_gradients module cannot be imported by
 * plain Node (its files import extensionless paths). The engines do not need
 * this (their backward pass is written out), and unbundled Deno cannot load
 * these deep imports, so only this module, outside the library, has them.
 */
for (const g of [absGradConfig, addGradConfig, batchMatMulGradConfig, castGradConfig, meanGradConfig, minimumGradConfig, multiplyGradConfig, reluGradConfig, reshapeGradConfig, squareGradConfig, subGradConfig, sumGradConfig]) {
  tf.registerGradient(g);
}

/** Splits flat spec-layout parameters into per-layer tensors. */
export function layersFromFlat(spec: NetSpec, flat: ArrayLike<number>): Layer[] {
  return layerShapes(spec).map((l) => {
    const w = Array.prototype.slice.call(flat, l.offset, l.offset + l.inSize * l.outSize) as number[];
    const b = Array.prototype.slice.call(flat, l.offset + l.inSize * l.outSize, l.offset + (l.inSize + 1) * l.outSize) as number[];
    return { W: tf.tensor2d(w, [l.inSize, l.outSize]), b: tf.tensor1d(b) };
  });
}

const customGradDense = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, W, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, W]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, W as tf.Tensor2D), b as tf.Tensor),
    gradFunc: (dy: tf.Tensor, [xs, Ws]: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(Ws!)), tf.matMul(tf.transpose(xs!), dy), tf.sum(dy, 0)],
  };
});

function dense(flavor: DenseFlavor, x: tf.Tensor, l: Layer): tf.Tensor {
  return flavor === "customGrad" ? (customGradDense as (...t: tf.Tensor[]) => tf.Tensor)(x, l.W, l.b) : tf.add(tf.matMul(x as tf.Tensor2D, l.W as tf.Tensor2D), l.b);
}

/** Q-values [B, nActions] of observations [B, observationSize]. */
export function baselineForward(spec: NetSpec, layers: Layer[], x: tf.Tensor, flavor: DenseFlavor = "autodiff"): tf.Tensor {
  let h = x;
  for (const l of layers.slice(0, spec.hidden.length)) h = tf.relu(dense(flavor, h, l));
  if (!spec.dueling) return dense(flavor, h, layers.at(-1)!);
  const value = dense(flavor, h, layers.at(-2)!);
  const advantage = dense(flavor, h, layers.at(-1)!);
  return tf.sub(tf.add(value, advantage), tf.mean(advantage, 1, true));
}

/** Float one-hot rows [B, depth] (tf.oneHot needs depth >= 2 and gives int32). */
const oneHot = (indices: tf.Tensor, depth: number) => tf.cast(tf.equal(tf.expandDims(indices, 1), tf.range(0, depth, 1, "int32")), "float32");

export interface BaselineBatch {
  obs: tf.Tensor;
  nextObs: tf.Tensor;
  actions: tf.Tensor;
  rewards: tf.Tensor;
  dones: tf.Tensor;
  discounts: tf.Tensor;
  weights: tf.Tensor;
}

/** y_i = r_i + (1 - done_i) discount_i Q_target(s'_i)[a*_i], outside any gradient. */
export function baselineTargets(spec: NetSpec, config: EngineConfig, online: Layer[], target: Layer[], b: BaselineBatch): tf.Tensor {
  const qNext = baselineForward(spec, target, b.nextObs);
  const next = config.doubleQ ? tf.sum(tf.mul(qNext, oneHot(tf.argMax(baselineForward(spec, online, b.nextObs), 1), spec.nActions)), 1) : tf.max(qNext, 1);
  return tf.add(b.rewards, tf.mul(tf.mul(tf.sub(1, b.dones), b.discounts), next));
}

/** (1/B) sum_i w_i l(q_i - y_i), differentiable in `layers`. */
export function baselineLoss(spec: NetSpec, config: EngineConfig, layers: Layer[], b: BaselineBatch, y: tf.Tensor, flavor: DenseFlavor = "autodiff"): tf.Scalar {
  const q = tf.sum(tf.mul(baselineForward(spec, layers, b.obs, flavor), oneHot(b.actions, spec.nActions)), 1);
  const td = tf.sub(q, y);
  const quadratic = tf.minimum(tf.abs(td), 1); // Huber as tf.losses.huberLoss writes it: 0.5 min(|td|, 1)² + (|td| - min(|td|, 1))
  const l = config.loss === "mse" ? tf.square(td) : tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(tf.abs(td), quadratic));
  return tf.mean(tf.mul(b.weights, l));
}

/** Uploads an engine batch as 2-D tensors. */
export function baselineBatch(spec: NetSpec, config: EngineConfig, batch: UpdateBatch): BaselineBatch {
  const B = batch.actions.length;
  const ones = new Float32Array(B).fill(1);
  return {
    obs: tf.tensor2d(batch.observations, [B, spec.observationSize]),
    nextObs: tf.tensor2d(batch.nextObservations, [B, spec.observationSize]),
    actions: tf.tensor1d(Int32Array.from(batch.actions), "int32"),
    rewards: tf.tensor1d(Float32Array.from(batch.rewards)),
    dones: tf.tensor1d(Float32Array.from(batch.dones)),
    discounts: tf.tensor1d(batch.discounts ? Float32Array.from(batch.discounts) : ones.map(() => config.gamma)),
    weights: tf.tensor1d(batch.weights ? Float32Array.from(batch.weights) : ones),
  };
}

/** The whole straightforward update: variables, autodiff (or customGrad dense), tf.train.adam. */
export class BaselineDqn {
  private readonly online: { W: tf.Variable; b: tf.Variable }[];
  private readonly target: Layer[];
  private readonly optimizer: tf.Optimizer;

  constructor(
    private readonly config: EngineConfig,
    params: ArrayLike<number>,
    private readonly flavor: DenseFlavor,
  ) {
    this.online = layersFromFlat(config.spec, params).map((l) => ({ W: tf.variable(l.W), b: tf.variable(l.b) }));
    this.target = layersFromFlat(config.spec, params);
    this.optimizer = tf.train.adam(config.learningRate);
  }

  update(batch: UpdateBatch): void {
    const { spec } = this.config;
    tf.tidy(() => {
      const b = baselineBatch(spec, this.config, batch);
      const y = baselineTargets(spec, this.config, this.online, this.target, b);
      this.optimizer.minimize(() => baselineLoss(spec, this.config, this.online, b, y, this.flavor));
    });
  }

  dispose(): void {
    tf.dispose([...this.online.flatMap((l) => [l.W, l.b]), ...this.target.flatMap((l) => [l.W, l.b])]);
    this.optimizer.dispose();
  }
}
