/**
 * The Q-network of spec.ts on tfjs tensors: the layer tensors, the forward
 * pass, and its hand-written backward pass.
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
import { FLATTEN, UNFLATTEN } from "../../runtime/tfjs.ts";
import { layerShapes, type NetSpec } from "../spec.ts";
import { convBackward, convForward, type ConvLayer } from "./conv.ts";
import { matMul } from "./matmul.ts";
import type { KernelPath } from "./host-kernels.ts";

/** One dense layer: weights [1, in, out] and bias [out]. */
export type Dense = {
  W: tf.Tensor;
  b: tf.Tensor;
};

/** A network's layers: conv layers (see conv.ts), ReLU trunk, then the head ([out], or [value, advantage] when dueling). */
export type Net = {
  conv: ConvLayer[];
  trunk: Dense[];
  head: Dense[];
};

/** The layer tensors in flat-parameter order: W, b of each layer (spec.ts). */
export const netTensors = (net: Net): tf.Tensor[] => [...net.conv, ...net.trunk, ...net.head].flatMap((l) => [l.W, l.b]);

/** The inverse of {@link netTensors}. */
export function netFromTensors(spec: NetSpec, tensors: tf.Tensor[]): Net {
  const shapes = layerShapes(spec);
  const layers = shapes.map((_, i): Dense => ({ W: tensors[2 * i]!, b: tensors[2 * i + 1]! }));
  const nConv = spec.conv?.length ?? 0;
  const trunkEnd = nConv + spec.hidden.length;
  return { conv: layers.slice(0, nConv).map((l, i) => ({ ...l, g: shapes[i]!.conv! })), trunk: layers.slice(nConv, trunkEnd), head: layers.slice(trunkEnd) };
}

/** Splits flat parameters (spec layout: per layer W [in, out] row-major, conv W [kh, kw, in, out], then b) into layers. */
export function netFromFlat(spec: NetSpec, flat: tf.Tensor): Net {
  const shapes = layerShapes(spec).flatMap(({ conv: g, inSize, outSize }) => [g ? [g.kernel, g.kernel, g.inC, g.filters] : [1, inSize, outSize], [outSize]]);
  return netFromTensors(spec, unflatten(flat, shapes));
}

/** Consecutive pieces of a flat tensor, shaped `shapes`: one kernel. */
export const unflatten = (flat: tf.Tensor, shapes: number[][]): tf.Tensor[] => tf.engine().runKernel(UNFLATTEN, { x: flat }, { shapes } as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];

/** The concatenated elements of `tensors` (spec layout for a net's {@link netTensors} or their gradients): one kernel. */
export const flatten = (tensors: tf.Tensor[]): tf.Tensor => tf.engine().runKernel(FLATTEN, tensors as unknown as tf.NamedTensorMap) as tf.Tensor;

export function disposeNet(net: Net): void {
  tf.dispose(netTensors(net));
}

/**
 * x W + b, then ReLU if asked: one fused kernel. Dispatched directly because
 * `tf.fused.matMul` wraps it in three reshapes and a custom-gradient scope.
 */
export function dense(x: tf.Tensor, layer: Dense, relu = false): tf.Tensor {
  return matMul(x, layer.W, layer.b, relu ? "relu" : "linear");
}

/** Swaps the last two axes: [1, m, n] -> [1, n, m]. */
export const transpose = (x: tf.Tensor): tf.Tensor => tf.transpose(x, [0, 2, 1]);

/**
 * Q-values [1, B, nActions] of observations [1, B, observationSize].
 * `trace`, when given, receives each hidden activation (for {@link backward}):
 * the conv layers' [B, H', W', F], then the dense layers' [1, B, width].
 */
export function forward(net: Net, x: tf.Tensor, trace?: tf.Tensor[]): tf.Tensor {
  let h = net.conv.length > 0 ? convForward(net.conv, x, trace) : x;
  for (const layer of net.trunk) {
    h = dense(h, layer, true);
    trace?.push(h);
  }
  if (net.head.length === 1) return dense(h, net.head[0]!);
  const [value, advantage] = net.head.map((layer) => dense(h, layer)) as [tf.Tensor, tf.Tensor];
  return tf.sub(tf.add(value, advantage), tf.mean(advantage, 2, true)); // Q = V + A - mean(A)
}

/**
 * d loss / d parameters, one tensor per tensor of {@link netTensors} and of
 * its size (bias gradients come as [1, out]: tfjs sums a tensor's innermost
 * axis without first copying it into another order), from
 * dQ = d loss / d Q [1, B, nActions], for observations x [1, B, observationSize]
 * whose hidden activations `forward(net, x, trace)` recorded in `trace`.
 *
 * Per dense layer z = h W + b over B rows: dW = hᵀ dz, db = sum over rows of
 * dz, dh = dz Wᵀ; through ReLU, dz = dh * 1[output > 0]. The gradient flows
 * down transposed, dhᵀ = W dzᵀ: XNNPACK repacks the right operand of every
 * matmul that is new to it, and dzᵀ [out, B] is cheaper to pack than a
 * transposed copy of W for batches up to the layer width. For the same
 * reason the input layer takes dWᵀ = dzᵀ x, packing the narrow observations.
 * Conv layers below the dense ones take the gradient of their flattened
 * output (conv.ts); `path` picks how their filter gradients run.
 */
export function backward(net: Net, x: tf.Tensor, trace: tf.Tensor[], dQ: tf.Tensor, path: KernelPath): tf.Tensor[] {
  const convTrace = trace.slice(0, net.conv.length);
  const denseTrace = trace.slice(net.conv.length);
  const last = convTrace.at(-1);
  const input = last ? tf.reshape(last, [1, last.shape[0]!, last.size / last.shape[0]!]) : x; // the dense layers' input
  // Head. Dueling: dQ_j/dV = 1 and dQ_j/dA_k = [j = k] - 1/nActions.
  const dzHead = net.head.length === 1 ? [dQ] : [tf.sum(dQ, 2, true), tf.sub(dQ, tf.mean(dQ, 2, true))];
  const dzHeadT = dzHead.map(transpose);
  let hT = transpose(denseTrace.at(-1) ?? input); // the head's input, transposed
  const grads = dzHead.flatMap((dz, k) => [matMul(hT, dz), tf.sum(dzHeadT[k]!, 2)]);
  if (net.trunk.length === 0 && !last) return grads;
  const [dhV, dhA] = net.head.map((layer, k) => matMul(layer.W, dzHeadT[k]!));
  let dhT = dhA ? tf.add(dhV!, dhA) : dhV!;

  // Trunk, last layer first; hT is the layer's output, transposed.
  for (let i = net.trunk.length - 1; i >= 0; i--) {
    const dzT = tf.mul(dhT, tf.step(hT)); // ReLU' = 1[h > 0]
    const db = tf.sum(dzT, 2);
    if (i === 0) {
      grads.unshift(transpose(matMul(dzT, input)), db);
      if (last) dhT = matMul(net.trunk[0]!.W, dzT);
      break;
    }
    hT = transpose(denseTrace[i - 1]!);
    grads.unshift(matMul(hT, transpose(dzT)), db);
    dhT = matMul(net.trunk[i]!.W, dzT);
  }
  if (last) grads.unshift(...convBackward(net.conv, x, convTrace, transpose(dhT), path));
  return grads;
}
