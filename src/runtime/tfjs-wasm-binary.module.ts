/**
 * Build-time module `deepq:tfjs-wasm-binary` for dist/workerd.mjs and
 * dist/edge.mjs (see scripts/rollup/tfjs.mjs): workerd and Vercel edge
 * forbid compiling WebAssembly from bytes, so tfjs-backend-wasm's binary
 * arrives as an imported, precompiled `WebAssembly.Module` (the file beside
 * the bundle, bound as a module by wrangler/workerd or `?module` on Vercel),
 * and only instantiating it is left to do.
 */
import tfjsWasmModule from "deepq-wasm:tfjs-backend-wasm-simd";
import { BackendError } from "../errors.ts";
import { isWasmModule } from "./wasm-compile.ts";

/** emscripten's `instantiateWasm` hook, patched into tfjs-backend-wasm's factory config. */
export function instantiateTfjsWasm(
  imports: WebAssembly.Imports,
  done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  fail: (reason: unknown) => void,
): object {
  if (!isWasmModule(tfjsWasmModule)) {
    fail(new BackendError("tfjs-backend-wasm-simd.wasm was not imported as a WebAssembly.Module: bind it as a CompiledWasm module (wrangler, workerd) or import it with ?module (Vercel)"));
    return {};
  }
  WebAssembly.instantiate(tfjsWasmModule, imports).then(
    (instance) => done(instance, tfjsWasmModule),
    (e: unknown) => fail(new BackendError(`cannot instantiate tfjs's WebAssembly module: ${(e as Error)?.message ?? e}`)),
  );
  return {};
}
