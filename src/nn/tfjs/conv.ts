/**
 * Conv layers of the Q-network (src/nn/conv.ts) on tfjs tensors: forward
 * with tf.conv2d's fused kernel (bias and ReLU in the same pass) and the
 * hand-written backward pass, the gradient of each layer from that of its
 * output. Activations are NHWC, [B, H', W', F], the layout of a flattened
 * observation row, so the last one feeds the dense layers by a reshape.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ConvGeometry } from "../conv.ts";
import { hostIm2colT, type KernelPath } from "./host-kernels.ts";
import { matMul } from "./matmul.ts";
import type { Dense } from "./net.ts";

/**
 * A conv layer: filter W [kh, kw, in, out] (TensorFlow's HWIO, the spec
 * layout), bias b [out], and where it sits (as a mapped type, which unlike
 * the interface fits tf.tidy's TensorContainer).
 */
export type ConvLayer = Dense & { g: Required<ConvGeometry> };

/** tf.conv2d's attributes for a layer. */
const convAttrs = (g: ConvGeometry) => ({ strides: [g.stride, g.stride], pad: g.padding, dataFormat: "NHWC", dilations: [1, 1] });

/**
 * The flattened output [1, B, H' W' F] of the conv layers on observations
 * x [1, B, H W C]; `trace` receives each layer's output [B, H', W', F].
 */
export function convForward(layers: ConvLayer[], x: tf.Tensor, trace?: tf.Tensor[]): tf.Tensor {
  const batch = x.shape[1]!;
  const { inH, inW, inC } = layers[0]!.g;
  let h = tf.reshape(x, [batch, inH, inW, inC]);
  for (const { W, b, g } of layers) {
    h = tf.engine().runKernel("FusedConv2D", { x: h, filter: W, bias: b }, { ...convAttrs(g), activation: "relu" }) as tf.Tensor;
    trace?.push(h);
  }
  return tf.reshape(h, [1, batch, h.size / batch]);
}

/**
 * Gradients [dW, db] of every conv layer, first layer first, from dh = d loss
 * / d (flattened output of the last conv layer) [1, B, H' W' F], observations
 * x and the layers' outputs `trace` as {@link convForward} recorded them.
 *
 * Per layer, through its ReLU dz = dh * 1[output > 0]; db sums dz over
 * batch and positions; the layer below gets tf.conv2d's input gradient. The
 * filter gradient dW [kh kw in, out] = patchesᵀ dz: on the host path a host
 * kernel lays out patchesᵀ, the im2col of the layer's input transposed
 * [kh kw in, B H' W'], and XNNPACK multiplies (tfjs-wasm has no
 * Conv2DBackpropFilter); elsewhere tf.conv2d's filter-gradient kernel runs.
 */
export function convBackward(layers: ConvLayer[], x: tf.Tensor, trace: tf.Tensor[], dh: tf.Tensor, path: KernelPath): tf.Tensor[] {
  const grads: tf.Tensor[] = [];
  let d = tf.reshape(dh, trace.at(-1)!.shape);
  for (let j = layers.length - 1; j >= 0; j--) {
    const { W, g } = layers[j]!;
    const dz = tf.mul(d, tf.step(trace[j]!));
    const input = j > 0 ? trace[j - 1]! : tf.reshape(x, [x.shape[1]!, g.inH, g.inW, g.inC]);
    const rows = tf.reshape(dz, [1, dz.size / g.filters, g.filters]); // [1, B H' W', F]
    const dW =
      path === "host"
        ? matMul(hostIm2colT(input, g), rows)
        : (tf.engine().runKernel("Conv2DBackpropFilter", { x: input, dy: dz }, { ...convAttrs(g), filterShape: W.shape }) as tf.Tensor);
    grads.unshift(dW, tf.sum(tf.transpose(rows, [0, 2, 1]), 2)); // db: tfjs sums the innermost axis without reordering
    if (j > 0) d = tf.engine().runKernel("Conv2DBackpropInput", { dy: dz, filter: W }, { ...convAttrs(g), inputShape: input.shape }) as tf.Tensor;
  }
  return grads;
}
