/**
 * The TensorFlow.js kernels and gradients deepq uses: the ONE list to edit
 * when the Q-network needs another op.
 *
 * How it is used
 * --------------
 * - In the bundles (`rollup.config.mjs`, plugin `scripts/rollup/tfjs.mjs`),
 *   `import "@tensorflow/tfjs-backend-wasm"` (and `-webgpu`, `-cpu`)
 *   registers ONLY the kernels named in {@link TFJS_KERNELS} for that backend,
 *   and `import "@tensorflow/tfjs-core/dist/register_all_gradients"` registers
 *   ONLY the gradients named in {@link TFJS_GRADIENTS}. Everything else is
 *   tree-shaken away.
 * - Unbundled (vitest, tsx) those imports register every kernel and gradient,
 *   so a name missing here shows up only in the bundles: the runtime tests
 *   (test/runtimes/) run the bundles and catch it as
 *   `Kernel 'X' not registered for backend 'wasm'` or
 *   `gradient function not found for X`.
 *   test/tfjs-kernels.test.ts checks that every name exists in each backend.
 *
 * Names are tfjs kernel names (`@tensorflow/tfjs-core`'s `kernel_names`,
 * e.g. `tf.matMul` dispatches `BatchMatMul`, `tf.mul` `Multiply`, `tf.div`
 * `RealDiv`). An op's gradient usually dispatches other kernels (the gradient
 * of `Relu` uses `Step`, `Cast` and `Multiply`), which must be listed too.
 *
 * Chained ops (`x.add(y)`) are not registered in any deepq bundle; call the
 * functional ops (`tf.add(x, y)`).
 *
 * This file is read at build time (by evaluating it), so it must stay plain
 * data: no imports.
 */

/** Kernels registered for each of the wasm, webgpu and cpu backends. */
export const TFJS_KERNELS = [
  // dense layers
  "BatchMatMul",
  "_FusedMatMul",
  "Add",
  "AddN",
  "Relu",
  "Tanh",
  "Sigmoid",
  // conv layers (forward with bias and ReLU; the gradient of a layer's input)
  "FusedConv2D",
  "Conv2DBackpropInput",
  // elementwise arithmetic (losses, Adam, soft updates, gradient clipping)
  "Sub",
  "Multiply",
  "RealDiv",
  "Neg",
  "Abs",
  "Sign",
  "Square",
  "SquaredDifference",
  "Sqrt",
  "Rsqrt",
  "Exp",
  "Log",
  "Maximum",
  "Minimum",
  "ClipByValue",
  "Step",
  // comparisons and selection (Huber loss, max gradients, done masks)
  "Equal",
  "Greater",
  "GreaterEqual",
  "Less",
  "LessEqual",
  "Select",
  // reductions (targets, losses, greedy actions)
  "Sum",
  "Mean",
  "Max",
  "Min",
  "ArgMax",
  // shapes, gathers and constants
  "Cast",
  "Reshape",
  "Identity",
  "Transpose",
  "Concat",
  "Slice",
  "SplitV",
  "Pack",
  "Tile",
  "GatherV2",
  "OneHot",
  "Range",
  "Fill",
  "ZerosLike",
  "OnesLike",
] as const;

/**
 * Kernels registered for webgpu and cpu only: tfjs-backend-wasm has no
 * Conv2DBackpropFilter (the tfjs engine computes conv filter gradients with
 * a host kernel there, src/nn/tfjs/conv.ts).
 */
export const TFJS_KERNELS_NOT_ON_WASM = ["Conv2DBackpropFilter"] as const;

/** Kernels whose gradient functions are registered (the ops a loss is differentiated through). */
export const TFJS_GRADIENTS = [
  "BatchMatMul",
  "Add",
  "AddN",
  "Relu",
  "Tanh",
  "Sigmoid",
  "Sub",
  "Multiply",
  "RealDiv",
  "Neg",
  "Abs",
  "Square",
  "SquaredDifference",
  "Sqrt",
  "Maximum",
  "Minimum",
  "ClipByValue",
  "Sum",
  "Mean",
  "Max",
  "Cast",
  "Reshape",
  "Identity",
  "Transpose",
  "Concat",
  "Slice",
  "SplitV",
  "Pack",
  "Tile",
  "GatherV2",
  "Select",
  "OneHot",
] as const;
