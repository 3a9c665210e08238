/**
 * What saving, loading and exporting models need, imported on first use:
 * the bundles put it in a lazy chunk of its own (dist/deepq-files.mjs), so
 * an agent that only trains and acts downloads none of it. Callers:
 * DQN.save, DQN.load, exportSafetensors and exportOnnx, and the main entry's
 * loadPolicy and modelToOnnx.
 */
export { checkLoadOverrides, decodeSaveFile, encodeSaveFile, loadedOptions } from "./save-file.ts";
export { writeSafetensors } from "../io/safetensors.ts";
export { ONNX_OPSET, writeOnnx } from "../io/onnx.ts";
export { toTorchTensors } from "../nn/torch-layout.ts";
export { openPolicy } from "../policy/policy.ts";
export { readNetwork } from "../policy/read.ts";
