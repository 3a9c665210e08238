/**
 * A saved model as ONNX, without building an agent: what `deepq export
 * --onnx` runs, and what an edge service or build step calls on a model file.
 */
import { InvalidArgumentError } from "../errors.ts";
import type { ConvOptions } from "../nn/conv.ts";

/** What {@link modelToOnnx} wrote. */
export interface OnnxExport {
  /** The ONNX model: input `obs` float32 [batch, observationSize] (a conv net's [H, W, C] observations flattened row by row), output `q_values` [batch, nActions]. */
  onnx: Uint8Array;
  /** The ONNX opset the model declares. */
  opset: number;
  /** Floats per observation (a conv net's H x W x C). */
  observationSize: number;
  /** Q-values per observation. */
  nActions: number;
  /** The hidden widths. */
  netArch: readonly number[];
  /** Conv layers before netArch's hidden layers (empty for an MLP). */
  conv: readonly ConvOptions[];
  /** Whether the head is dueling (value + advantage). */
  dueling: boolean;
}

/**
 * The Q-network of a deepq save file (`agent.save()`) or of a safetensors
 * PyTorch network as an ONNX model, the same bytes as `agent.exportOnnx()`.
 * Bytes that are neither reject with a FormatError. (Asynchronous because
 * the readers and writers load on first use, a lazy chunk of the bundles.)
 */
export async function modelToOnnx(model: Uint8Array): Promise<OnnxExport> {
  if (!(model instanceof Uint8Array)) throw new InvalidArgumentError("model", model, "a Uint8Array (a deepq save file or a safetensors file)");
  const { ONNX_OPSET, readNetwork, writeOnnx } = await import("../agent/model-files.ts");
  const { spec, params } = readNetwork(model);
  return { onnx: writeOnnx(spec, params), opset: ONNX_OPSET, observationSize: spec.observationSize, nActions: spec.nActions, netArch: [...spec.hidden], conv: [...(spec.conv ?? [])], dueling: spec.dueling };
}
