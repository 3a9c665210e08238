/**
 * loadPolicy as the main entry ("deepq") exports it: deepq/policy's, run on
 * deepq's full module, which the main bundle carries anyway (the policy
 * module's exports are a subset of it), so the policy module's bytes stay
 * out of the main bundle; its reader comes with the lazy model-files chunk.
 */
import { init } from "../runtime/wasm.ts";
import type { Policy, PolicyOptions } from "./policy.ts";

/**
 * Loads a policy from a deepq save file (`agent.save()`) or a safetensors
 * file of a PyTorch MLP (`agent.exportSafetensors()`, or torch's
 * `save_file(model.state_dict())`), to run on deepq's WebAssembly module.
 * The same as `loadPolicy` of deepq/policy, the small inference-only entry.
 */
export async function loadPolicy(bytes: Uint8Array, options: PolicyOptions = {}): Promise<Policy> {
  const { openPolicy } = await import("../agent/model-files.ts");
  return openPolicy(bytes, options, init);
}
