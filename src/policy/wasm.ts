/**
 * The policy module (assembly/policy.ts: the fused engine's forward pass
 * alone, a few kilobytes): compiled once from the bytes inlined in the
 * bundle, or handed in precompiled where the runtime forbids compiling bytes
 * (workerd and Vercel edge import deepq-policy.wasm as a WebAssembly.Module).
 */
import { WASM_POLICY_BASE64 } from "../runtime/wasm-bytes.generated.ts";
import { decodeBase64 } from "../runtime/inline-wasm.ts";
import type { Loaded } from "../runtime/wasm.ts";
import { compileWasm } from "../runtime/wasm-compile.ts";
import { BackendError } from "../errors.ts";

let loading: Promise<Loaded> | undefined;

/**
 * Gives deepq/policy its module precompiled (deepq-policy.wasm, imported as
 * a `WebAssembly.Module` where the runtime forbids compiling bytes). Call
 * before {@link init} or {@link loadPolicy}.
 */
export function useWasmModule(module: WebAssembly.Module): void {
  // A brand check, not instanceof: modules from another realm (Vercel's EdgeVM) fail instanceof.
  if (Object.prototype.toString.call(module) !== "[object WebAssembly.Module]") throw new BackendError("useWasmModule expects a WebAssembly.Module");
  loading = Promise.resolve({ module, flavor: "simd" });
}

/** Compiles the policy module once (memoised); {@link loadPolicy} calls it. */
export function init(): Promise<Loaded> {
  loading ??= compileWasm(decodeBase64(WASM_POLICY_BASE64)).then(
    (module): Loaded => ({ module, flavor: "simd" }),
    (e: unknown) => {
      loading = undefined;
      throw new BackendError(`cannot compile deepq's policy WebAssembly module: ${(e as Error).message}`);
    },
  );
  return loading;
}
