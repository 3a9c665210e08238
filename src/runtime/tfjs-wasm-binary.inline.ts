/**
 * Build-time module `deepq:tfjs-wasm-binary` for dist/deepq.mjs (in its
 * lazy tfjs chunks) and dist/deepq.umd.js (see scripts/rollup/tfjs.mjs): tfjs-backend-wasm's SIMD
 * binary is inlined (gzip + base64, see inline-wasm.ts), like deepq's own
 * module, so the bundle needs no file access, fetch or permission to start:
 * `deno run` without `--allow-read`, a CDN URL in any form (jsDelivr's
 * package-root URL serves the file without a redirect, so `import.meta.url`
 * cannot locate siblings), bundlers without asset handling. It is unpacked
 * and compiled only when the tfjs wasm backend is first used.
 */
import { TFJS_WASM_SIMD_GZIP_BASE64 } from "deepq:tfjs-wasm-base64";
import { BackendError } from "../errors.ts";
import { inflateBase64 } from "./inline-wasm.ts";
import { compileWasm, instantiateWasm } from "./wasm-compile.ts";

let compiled: Promise<WebAssembly.Module> | undefined;

/** Compiles the inlined binary once (memoised; a failure is not cached). */
function compile(): Promise<WebAssembly.Module> {
  compiled ??= inflateBase64(TFJS_WASM_SIMD_GZIP_BASE64)
    .then(compileWasm)
    .catch((e: unknown) => {
      compiled = undefined;
      throw e;
    });
  return compiled;
}

/**
 * emscripten's `instantiateWasm` hook (patched into tfjs-backend-wasm's
 * factory config at build time): instantiates, then calls `done`; a failure
 * rejects tfjs's backend init through `fail` instead of hanging it.
 */
export function instantiateTfjsWasm(
  imports: WebAssembly.Imports,
  done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  fail: (reason: unknown) => void,
): object {
  compile()
    .then(async (module) => done(await instantiateWasm(module, imports), module))
    .catch((e: unknown) => fail(new BackendError(`cannot instantiate tfjs's WebAssembly binary: ${(e as Error)?.message ?? e}`)));
  return {};
}
