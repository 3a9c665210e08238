/**
 * deepq: Deep Q-Networks for every JavaScript runtime.
 * @packageDocumentation
 */
export { DeepQError, InvalidArgumentError, InvalidStateError, FormatError, BackendError, DivergenceError } from "./errors.ts";
export { init, useWasmModule } from "./runtime/wasm.ts";
export type { WasmFlavor } from "./runtime/wasm.ts";
export { capabilities, probeWebGPU } from "./runtime/capabilities.ts";
export type { Capabilities, RuntimeName, WebGPUProbe } from "./runtime/capabilities.ts";
