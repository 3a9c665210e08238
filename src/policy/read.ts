/**
 * The network in a file given to loadPolicy: a deepq save file (container
 * with `spec` and `params`) or a safetensors file of a PyTorch MLP or conv
 * net.
 */
import { FormatError } from "../errors.ts";
import { decodeContainer, isContainer } from "../io/container.ts";
import { readSafetensors } from "../io/safetensors.ts";
import { fromTorchTensors, type TorchConvInput } from "../nn/torch-layout.ts";
import { checkNetSpec, paramCount, type NetSpec } from "../nn/spec.ts";

/** The network's shape and its parameters in the canonical layout of src/nn/spec.ts; FormatError on anything else. */
export function readNetwork(bytes: Uint8Array, observationSize?: number, convInput?: TorchConvInput): { spec: NetSpec; params: Float32Array } {
  if (isContainer(bytes)) {
    const { meta, arrays } = decodeContainer(bytes);
    const spec = meta.spec as NetSpec | undefined;
    const params = arrays.params;
    if (!spec || !(params instanceof Float32Array)) throw new FormatError("deepq save file without a network (spec and float32 params)");
    try {
      checkNetSpec(spec);
    } catch {
      throw new FormatError("deepq save file with an invalid network spec");
    }
    if (params.length !== paramCount(spec)) throw new FormatError(`deepq save file: ${params.length} parameters do not fit its network (${paramCount(spec)})`);
    return { spec, params };
  }
  return fromTorchTensors(readSafetensors(bytes).tensors, observationSize, convInput);
}
