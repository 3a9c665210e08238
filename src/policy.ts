/**
 * deepq/policy: run a trained Q-network without tfjs. `loadPolicy` takes a
 * deepq save file or a safetensors file of a PyTorch MLP (nn.Linear weights
 * [out, in], any layer names) and runs the forward pass in deepq's
 * WebAssembly module (the fused engine's SIMD kernels).
 */
import { FormatError, InvalidArgumentError } from "./errors.ts";
import { decodeContainer, isContainer } from "./io/container.ts";
import { readSafetensors } from "./io/safetensors.ts";
import { fromTorchTensors } from "./nn/torch-layout.ts";
import { checkNetSpec, paramCount, type NetSpec } from "./nn/spec.ts";
import { FusedQNet, fusedSupport } from "./nn/fused.ts";
import { checkFiniteQ, checkFloat32Vector, checkInt } from "./validate.ts";

export { DeepQError, FormatError, InvalidArgumentError } from "./errors.ts";
export { init, useWasmModule } from "./runtime/wasm.ts";

export interface Policy {
  readonly observationSize: number;
  readonly nActions: number;
  /** The network's shape. */
  readonly spec: NetSpec;
  /** Greedy action (argmax Q, ties to the lowest index) for one observation. */
  act(observation: ArrayLike<number>): number;
  /**
   * Q-values: one observation gives nActions values; n observations (row-major)
   * give n x nActions. Input on which the network overflows float32 is refused.
   */
  qValues(observations: ArrayLike<number>): Float32Array;
  /** Frees the policy's WebAssembly memory. */
  dispose(): void;
}

function fromBytes(bytes: Uint8Array, observationSize?: number): { spec: NetSpec; params: Float32Array } {
  if (isContainer(bytes)) {
    const { meta, arrays } = decodeContainer(bytes);
    const spec = meta.spec as NetSpec | undefined;
    const params = arrays.params;
    if (!spec || !params) throw new FormatError("deepq save file without a network (spec and params)");
    try {
      checkNetSpec(spec);
    } catch {
      throw new FormatError("deepq save file with an invalid network spec");
    }
    if (params.length !== paramCount(spec)) throw new FormatError(`deepq save file: ${params.length} parameters do not fit its network (${paramCount(spec)})`);
    return { spec, params };
  }
  return fromTorchTensors(readSafetensors(bytes).tensors, observationSize);
}

/**
 * Loads a policy. `observationSize` (optional) picks the first layer of a
 * safetensors file whose layer order is ambiguous.
 */
export async function loadPolicy(bytes: Uint8Array, { observationSize }: { observationSize?: number } = {}): Promise<Policy> {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError("bytes", bytes, "a Uint8Array (a deepq save file or a safetensors file)");
  if (observationSize !== undefined) checkInt("observationSize", observationSize, { min: 1 });
  const { spec, params } = fromBytes(bytes, observationSize);
  const support = fusedSupport(spec);
  if (!support.ok) throw new FormatError(`this network is too large for the policy runtime: ${support.reason}`);
  const net = await FusedQNet.create(spec, { batchSize: 1, learningRate: 1e-3 });
  net.setParams(params);
  const D = spec.observationSize;
  return {
    observationSize: D,
    nActions: spec.nActions,
    spec,
    act: (observation) => {
      checkFloat32Vector("observation", observation, D);
      return net.act(observation);
    },
    qValues: (observations) => {
      const n = observations?.length;
      if (typeof n !== "number" || n === 0 || n % D !== 0) throw new InvalidArgumentError("observations", observations, `n x ${D} finite numbers (row-major)`);
      checkFloat32Vector("observations", observations, n);
      return checkFiniteQ("observations", observations, net.qValues(observations));
    },
    dispose: () => net.dispose(),
  };
}
