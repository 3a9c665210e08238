/**
 * deepq: Deep Q-Networks for every JavaScript runtime.
 * @packageDocumentation
 */
export { DeepQError, InvalidArgumentError, InvalidStateError, FormatError, BackendError, DivergenceError } from "./errors.ts";
export { init, useWasmModule } from "./runtime/wasm.ts";
export type { WasmFlavor } from "./runtime/wasm.ts";
export { ReplayBuffer, PrioritizedReplayBuffer, ReplayPlan } from "./replay/buffer.ts";
export type { ReplayBatch, ReplayBatchAddresses, ReplayAddresses, ReplayBufferOptions, PrioritizedReplayBufferOptions } from "./replay/buffer.ts";
