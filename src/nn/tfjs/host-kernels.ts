/**
 * deepq's own tfjs kernels for the backends that keep tensors in host memory
 * (wasm: the WASM heap; cpu: JavaScript typed arrays). Each replaces a chain
 * of small tfjs ops of the DQN update with one loop over Float32Array views:
 * at DQN sizes tfjs spends more time dispatching a kernel (bookkeeping, a
 * heap allocation, a call into WASM) than computing it, and Adam alone is
 * ~20 kernels. The wasm and cpu backends run the same loops, so they agree
 * to the last bit wherever their matmuls do.
 *
 * webgpu keeps tensors on the GPU and gets none of these: update.ts composes
 * tfjs ops there ({@link KernelPath} "ops"), and the tests check the two
 * paths agree.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { ADAM, ADAM_MAX_GRAD_SQUARED } from "../engine.ts";
import type { ConvGeometry } from "../conv.ts";

/** How the update runs its fused steps: deepq's host kernels, or compositions of tfjs ops (any backend). */
export type KernelPath = "host" | "ops";

/** A kernel over float32 tensors, written against host-memory views. */
interface HostKernel<Attrs> {
  name: string;
  /** Output shapes for these inputs. */
  outputShapes(inputs: readonly tf.TensorInfo[], attrs: Attrs): number[][];
  /** Writes every element of every output; views are valid during the call only. */
  run(inputs: Float32Array[], outputs: Float32Array[], attrs: Attrs): void;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The path an update takes on `backend`. */
export function kernelPath(backend: string): KernelPath {
  return tf.getKernel(ADAM_KERNEL, backend) ? "host" : "ops";
}

/** Whether `backend` keeps tensors in host memory and so gets the host kernels. */
export const hasHostKernels = (backend: string): backend is "wasm" | "cpu" => backend === "wasm" || backend === "cpu";

/** Registers the host kernels for `backend` (once; a no-op for backends without host memory). */
export function registerHostKernels(backend: string): void {
  if (!hasHostKernels(backend)) return;
  for (const kernel of [ADAM_KERNEL_DEF, TD_KERNEL_DEF, IM2COL_KERNEL_DEF] as HostKernel<never>[]) {
    if (tf.getKernel(kernel.name, backend)) continue;
    tf.registerKernel({ kernelName: kernel.name, backendName: backend, kernelFunc: ({ inputs, backend: b, attrs }) => runOn(backend, b, kernel, Object.values(inputs) as tf.TensorInfo[], attrs as never) });
  }
}

function runOn<A>(backend: "wasm" | "cpu", b: unknown, kernel: HostKernel<A>, inputs: tf.TensorInfo[], attrs: A): tf.TensorInfo[] {
  const shapes = kernel.outputShapes(inputs, attrs);
  if (backend === "cpu") {
    const cpu = b as MathBackendCPU;
    const values = shapes.map((s) => new Float32Array(size(s)));
    kernel.run(inputs.map((t) => cpu.readSync(t.dataId) as Float32Array), values, attrs);
    return shapes.map((s, i) => cpu.makeTensorInfo(s, "float32", values[i]));
  }
  const wasm = b as BackendWasm;
  const outputs = shapes.map((s) => wasm.makeOutput(s, "float32"));
  // Views only after every allocation: growing the heap detaches earlier ones.
  const view = (t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;
  kernel.run(inputs.map(view), outputs.map(view), attrs);
  return outputs;
}

/** Runs a host kernel on the active backend. */
function run(name: string, inputs: tf.Tensor[], attrs: object): tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
}

// --- Adam -------------------------------------------------------------------

const ADAM_KERNEL = "DeepqAdam";

/** Adam step hyperparameters of update t: lr / (1 - beta1^t), sqrt(1 - beta2^t), in float64. */
export interface AdamAttrs {
  stepSize: number;
  bc2Sqrt: number;
  /** Global gradient-norm clip (clip_grad_norm_); Infinity for none. */
  maxGradNorm: number;
}

/**
 * Gradient-norm clipping and torch.optim.Adam over parameters held in
 * pieces (the layer tensors); m and v are flat in the same order. Inputs
 * [m, v, td, ...params, ...grads]; outputs [m, v, td, ...params], new
 * tensors: td passes through, or comes out NaN when the divergence guard
 * (ADAM_MAX_GRAD_SQUARED) skips the step and copies m, v and params.
 */
const ADAM_KERNEL_DEF: HostKernel<AdamAttrs> = {
  name: ADAM_KERNEL,
  outputShapes: (inputs) => inputs.slice(0, 3 + (inputs.length - 3) / 2).map((t) => t.shape),
  run([m, v, td, ...rest], [mOut, vOut, tdOut, ...paramsOut], { stepSize, bc2Sqrt, maxGradNorm }) {
    const pieces = paramsOut.length;
    const [params, grads] = [rest.slice(0, pieces), rest.slice(pieces)];
    let sumSquares = 0;
    for (const g of grads) for (let i = 0; i < g!.length; i++) sumSquares += g![i]! * g![i]!;
    const scale = Math.min(1, maxGradNorm / (Math.sqrt(sumSquares) + 1e-6)); // clip_grad_norm_; 1 for Infinity
    if (!(sumSquares * scale * scale <= ADAM_MAX_GRAD_SQUARED)) {
      mOut!.set(m!);
      vOut!.set(v!);
      tdOut!.fill(NaN);
      for (let piece = 0; piece < pieces; piece++) paramsOut[piece]!.set(params[piece]!);
      return;
    }
    tdOut!.set(td!);
    const { beta1, beta2, eps } = ADAM;
    const invBc2Sqrt = 1 / bc2Sqrt;
    let k = 0; // index into the flat m and v
    for (let piece = 0; piece < pieces; piece++) {
      const [p, g, pOut] = [params[piece]!, grads[piece]!, paramsOut[piece]!];
      for (let i = 0; i < p.length; i++, k++) {
        const gi = g[i]! * scale;
        const mi = (mOut![k] = beta1 * m![k]! + (1 - beta1) * gi);
        const vi = (vOut![k] = beta2 * v![k]! + (1 - beta2) * gi * gi);
        pOut[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) * invBc2Sqrt + eps);
      }
    }
  },
};

/** The guarded Adam step (with clipping) as one host kernel: returns [m, v, td, ...params]. */
export function hostAdam(m: tf.Tensor, v: tf.Tensor, td: tf.Tensor, params: tf.Tensor[], grads: tf.Tensor[], attrs: AdamAttrs): tf.Tensor[] {
  return run(ADAM_KERNEL, [m, v, td, ...params, ...grads], attrs);
}

// --- TD errors and the loss gradient ----------------------------------------

const TD_KERNEL = "DeepqTdError";

export interface TdAttrs {
  huber: boolean;
  doubleQ: boolean;
  /** Whether the last input is the next-action penalty (0 legal, -Infinity illegal). */
  masked: boolean;
}

/**
 * Per row i of the batch, from Q(s) `q`, Q_target(s') `qNext`, the action
 * mask and loss-gradient scale of uploadBatch, rewards and bootstrap factors
 * (and Q_online(s') `qNextOnline` with Double DQN, then the next-action
 * penalty when masked):
 * q_i = Q(s_i)[a_i]; a*_i = argmax of Q + penalty (lowest index on ties);
 * td_i = q_i - (r_i + bootstrap_i Q_target(s'_i)[a*_i]);
 * dQ_i = lossGradScale_i * l'(td_i). Outputs [td [1, B, 1], dQ [1, B, A]].
 */
const TD_KERNEL_DEF: HostKernel<TdAttrs> = {
  name: TD_KERNEL,
  outputShapes: ([q]) => [[1, q!.shape[1]!, 1], q!.shape],
  run([q, qNext, mask, scale, rewards, bootstrap, ...rest], [td, dQ], { huber, doubleQ, masked }) {
    const A = q!.length / td!.length;
    const qNextOnline = doubleQ ? rest[0] : undefined;
    const penalty = masked ? rest[doubleQ ? 1 : 0]! : undefined;
    const argmaxOf = doubleQ ? qNextOnline! : qNext!;
    const score = (at: number) => (penalty ? argmaxOf[at]! + penalty[at]! : argmaxOf[at]!);
    for (let i = 0, row = 0; i < td!.length; i++, row += A) {
      let qa = 0;
      for (let a = 0; a < A; a++) qa += q![row + a]! * mask![row + a]!;
      let best = 0;
      for (let a = 1; a < A; a++) if (score(row + a) > score(row + best)) best = a;
      const d = (td![i] = qa - (rewards![i]! + bootstrap![i]! * qNext![row + best]!));
      const slope = huber ? Math.max(-1, Math.min(1, d)) : d;
      for (let a = 0; a < A; a++) dQ![row + a] = scale![row + a]! * slope;
    }
  },
};

/** TD errors and dQ = d loss / d Q(s) as one host kernel. */
export function hostTdError(q: tf.Tensor, qNext: tf.Tensor, qNextOnline: tf.Tensor | undefined, b: { actionMask: tf.Tensor; lossGradScale: tf.Tensor; rewards: tf.Tensor; bootstrap: tf.Tensor; nextPenalty?: tf.Tensor }, attrs: TdAttrs): { td: tf.Tensor; dQ: tf.Tensor } {
  const inputs = [q, qNext, b.actionMask, b.lossGradScale, b.rewards, b.bootstrap, ...(qNextOnline ? [qNextOnline] : []), ...(b.nextPenalty ? [b.nextPenalty] : [])];
  const [td, dQ] = run(TD_KERNEL, inputs, attrs) as [tf.Tensor, tf.Tensor];
  return { td, dQ };
}

// --- im2col for conv filter gradients ---------------------------------------

const IM2COL_KERNEL = "DeepqIm2colT";

/**
 * The transposed im2col of a conv layer's input x [B, H, W, C]: output
 * [1, kh kw C, B H' W'], row (ky kw + kx) C + c, column (b H' + oy) W' + ox
 * holding x[b, oy s - padTop + ky, ox s - padLeft + kx, c], or 0 in the
 * padding: the left operand of the filter gradient's matmul, as tfjs-wasm
 * has no Conv2DBackpropFilter. Called once per conv layer per update
 * (src/nn/tfjs/conv.ts).
 */
const IM2COL_KERNEL_DEF: HostKernel<ConvGeometry> = {
  name: IM2COL_KERNEL,
  outputShapes: ([x], g) => [[1, g.kernel * g.kernel * g.inC, x!.shape[0]! * g.outH * g.outW]],
  run([x], [out], g) {
    const { kernel: k, stride: s, inH, inW, inC, outH, outW, padTop, padLeft } = g;
    const cols = out!.length / (k * k * inC);
    for (let col = 0; col < cols; col++) {
      const ox = col % outW;
      const oy = ((col - ox) / outW) % outH;
      const b = (col - ox - oy * outW) / (outW * outH);
      for (let ky = 0; ky < k; ky++) {
        const iy = oy * s - padTop + ky;
        for (let kx = 0; kx < k; kx++) {
          const ix = ox * s - padLeft + kx;
          const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
          const from = ((b * inH + iy) * inW + ix) * inC;
          for (let c = 0, row = (ky * k + kx) * inC; c < inC; c++, row++) out![row * cols + col] = inside ? x![from + c]! : 0;
        }
      }
    }
  },
};

/** The transposed im2col of `x` for conv layer `g` as one host kernel. */
export function hostIm2colT(x: tf.Tensor, g: ConvGeometry): tf.Tensor {
  return run(IM2COL_KERNEL, [x], g)[0]!;
}
