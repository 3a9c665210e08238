/**
 * The Q-network of spec.ts on tfjs tensors: layer views of a flat parameter
 * tensor, the forward pass, and its hand-written backward pass.
 *
 * Batches are rank 3, [1, B, features]: the shape tfjs's matmul kernels take,
 * so activations go from kernel to kernel with no reshapes in between.
 *
 * Why not tfjs autodiff: on the wasm backend, autodiff of matMul dispatches
 * transposed matmuls, which fall off XNNPACK onto a naive loop (~10x slower),
 * and every op's gradient adds kernels. The backward pass below transposes
 * explicitly (a cheap kernel) and feeds XNNPACK plain matmuls only.
 */
import * as tf from "@tensorflow/tfjs-core";
import { layerShapes, type NetSpec } from "../spec.ts";

/** One dense layer: weights [1, in, out] and bias [out], views of the flat parameters. */
export type Dense = {
  W: tf.Tensor;
  b: tf.Tensor;
};

/** A network's layers: ReLU trunk, then the head ([out], or [value, advantage] when dueling). */
export type Net = {
  trunk: Dense[];
  head: Dense[];
};

/** Splits flat parameters (spec layout: per layer W [in, out] row-major, then b) into layers. */
export function netFromFlat(spec: NetSpec, flat: tf.Tensor): Net {
  const shapes = layerShapes(spec);
  const pieces = tf.split(flat, shapes.flatMap((l) => [l.inSize * l.outSize, l.outSize]));
  const layers = shapes.map((l, i): Dense => ({ W: tf.reshape(pieces[2 * i]!, [1, l.inSize, l.outSize]), b: pieces[2 * i + 1] }));
  return { trunk: layers.slice(0, spec.hidden.length), head: layers.slice(spec.hidden.length) };
}

export function disposeNet(net: Net): void {
  for (const l of [...net.trunk, ...net.head]) tf.dispose([l.W, l.b]);
}

/**
 * x W + b, then ReLU if asked: one fused kernel. Dispatched directly because
 * `tf.fused.matMul` wraps it in three reshapes and a custom-gradient scope.
 */
export function dense(x: tf.Tensor, layer: Dense, relu = false): tf.Tensor {
  return matMul(x, layer.W, layer.b, relu ? "relu" : "linear");
}

/** a b for rank-3 [1, m, k] x [1, k, n] (optionally + bias, activation): the `_FusedMatMul` kernel. */
export function matMul(a: tf.Tensor, b: tf.Tensor, bias?: tf.Tensor, activation: "relu" | "linear" = "linear"): tf.Tensor {
  const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
  return tf.engine().runKernel("_FusedMatMul", inputs, { transposeA: false, transposeB: false, activation }) as tf.Tensor;
}

/** Swaps the last two axes: [1, m, n] -> [1, n, m]. */
export const transpose = (x: tf.Tensor): tf.Tensor => tf.transpose(x, [0, 2, 1]);

/**
 * Q-values [1, B, nActions] of observations [1, B, observationSize].
 * `trace`, when given, receives each hidden activation (for {@link backward}).
 */
export function forward(net: Net, x: tf.Tensor, trace?: tf.Tensor[]): tf.Tensor {
  let h = x;
  for (const layer of net.trunk) {
    h = dense(h, layer, true);
    trace?.push(h);
  }
  if (net.head.length === 1) return dense(h, net.head[0]!);
  const [value, advantage] = net.head.map((layer) => dense(h, layer)) as [tf.Tensor, tf.Tensor];
  return tf.sub(tf.add(value, advantage), tf.mean(advantage, 2, true)); // Q = V + A - mean(A)
}

/**
 * d loss / d parameters, flat in spec layout, from dQ = d loss / d Q [1, B, nActions].
 * `xT` is the input batch transposed, [1, observationSize, B]; `trace` holds
 * the hidden activations of `forward(net, x, trace)`.
 *
 * Per dense layer z = x W + b (B rows): dW = xᵀ dz, db = sum over rows of dz,
 * dx = dz Wᵀ; through ReLU, dz = dh * 1[h > 0].
 */
export function backward(net: Net, xT: tf.Tensor, trace: tf.Tensor[], dQ: tf.Tensor): tf.Tensor {
  const grads: tf.Tensor[] = [];
  const layerGrad = (inputT: tf.Tensor, dz: tf.Tensor) => [tf.reshape(matMul(inputT, dz), [-1]), tf.sum(dz, [0, 1])];
  const inputT = (layer: number) => (layer === 0 ? xT : transpose(trace[layer - 1]!));

  // Head. Dueling: dQ_j/dV = 1 and dQ_j/dA_k = [j = k] - 1/nActions.
  const dHead = net.head.length === 1 ? [dQ] : [tf.sum(dQ, 2, true), tf.sub(dQ, tf.mean(dQ, 2, true))];
  const headInputT = inputT(net.trunk.length);
  const headGrads = net.head.flatMap((_, k) => layerGrad(headInputT, dHead[k]!));
  let dh: tf.Tensor | undefined;
  if (net.trunk.length > 0) {
    const [first, second] = net.head.map((layer, k) => matMul(dHead[k]!, transpose(layer.W)));
    dh = second ? tf.add(first!, second) : first;
  }

  // Trunk, last layer first.
  for (let i = net.trunk.length - 1; i >= 0; i--) {
    const dz = tf.mul(dh!, tf.step(trace[i]!)); // ReLU' = 1[h > 0]
    grads.unshift(...layerGrad(inputT(i), dz));
    if (i > 0) dh = matMul(dz, transpose(net.trunk[i]!.W));
  }
  return tf.concat([...grads, ...headGrads]);
}
