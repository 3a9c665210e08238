/** The one matmul of the tfjs Q-network (dense layers, their backward pass, conv filter gradients). */
import * as tf from "@tensorflow/tfjs-core";

/** a b for rank-3 [1, m, k] x [1, k, n] (optionally + bias, activation): the `_FusedMatMul` kernel. */
export function matMul(a: tf.Tensor, b: tf.Tensor, bias?: tf.Tensor, activation: "relu" | "linear" = "linear"): tf.Tensor {
  const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
  return tf.engine().runKernel("_FusedMatMul", inputs, { transposeA: false, transposeB: false, activation }) as tf.Tensor;
}
