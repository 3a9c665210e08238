/**
 * deepq/policy: run a trained Q-network without tfjs. `loadPolicy` takes a
 * deepq save file or a safetensors file of a PyTorch MLP (nn.Linear weights
 * [out, in], any layer names) and runs the forward pass in deepq's policy
 * module: the fused engine's SIMD forward pass alone, a few kilobytes
 * (assembly/policy.ts; memory layout: assembly/layout.ts, "Policy runtime").
 */
import { openPolicy, type Policy, type PolicyOptions } from "./policy/policy.ts";
import { init } from "./policy/wasm.ts";

export { DeepQError, FormatError, InvalidArgumentError, InvalidStateError } from "./errors.ts";
export { init, useWasmModule } from "./policy/wasm.ts";
export type { Loaded } from "./runtime/wasm.ts";
export type { Policy, PolicyOptions } from "./policy/policy.ts";
export type { NetSpec } from "./nn/spec.ts";

/**
 * Loads a policy from a deepq save file (`agent.save()`) or a safetensors
 * file of a PyTorch MLP (`agent.exportSafetensors()`, or torch's
 * `save_file(model.state_dict())`).
 */
export function loadPolicy(bytes: Uint8Array, options: PolicyOptions = {}): Promise<Policy> {
  return openPolicy(bytes, options, init);
}
