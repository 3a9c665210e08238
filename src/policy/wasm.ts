/**
 * The policy module (assembly/policy.ts: the fused engine's forward pass
 * alone, a few kilobytes), in two builds like deepq's full module: with
 * relaxed SIMD (fused multiply-add), picked where the runtime validates it,
 * and plain SIMD. Compiled once from the bytes inlined in the bundle, or
 * handed in precompiled where the runtime forbids compiling bytes (workerd
 * and Vercel edge import deepq-policy.wasm, the plain build, as a
 * WebAssembly.Module).
 */
import { WASM_POLICY_BASE64, WASM_POLICY_RELAXED_BASE64 } from "../runtime/wasm-bytes.generated.ts";
import { relaxedSimdValidates } from "../runtime/capabilities.ts";
import { decodeBase64 } from "../runtime/inline-wasm.ts";
import type { Loaded } from "../runtime/wasm.ts";
import { compilerByFlavor, isWasmModule } from "../runtime/wasm-compile.ts";
import { BackendError } from "../errors.ts";

let provided: Loaded | undefined;

/**
 * Gives deepq/policy its module precompiled (deepq-policy.wasm, imported as
 * a `WebAssembly.Module` where the runtime forbids compiling bytes). Call
 * before {@link init} or {@link loadPolicy}.
 */
export function useWasmModule(module: WebAssembly.Module): void {
  if (!isWasmModule(module)) throw new BackendError("useWasmModule expects a WebAssembly.Module");
  provided = { module, flavor: "simd" };
}

/** The inlined build of `flavor`, compiled once (memoised). @internal */
export const compilePolicyModule = compilerByFlavor("deepq's policy WebAssembly module", (flavor) =>
  decodeBase64(flavor === "simd" ? WASM_POLICY_BASE64 : WASM_POLICY_RELAXED_BASE64),
);

/** Compiles the policy module once (memoised), relaxed SIMD where it validates; {@link loadPolicy} calls it. */
export function init(): Promise<Loaded> {
  if (provided) return Promise.resolve(provided);
  return compilePolicyModule(relaxedSimdValidates() ? "relaxed-simd" : "simd");
}
