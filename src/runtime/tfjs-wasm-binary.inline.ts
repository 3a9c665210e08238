/**
 * Build-time module `deepq:tfjs-wasm-binary` for dist/deepq.mjs and
 * dist/deepq.umd.js (see scripts/rollup/tfjs.mjs): tfjs-backend-wasm's SIMD
 * binary is inlined as base64, like deepq's own module, so the bundle needs
 * no file access, fetch or permission to start: `deno run` without
 * `--allow-read`, a CDN URL in any form (jsDelivr's package-root URL serves
 * the file without a redirect, so `import.meta.url` cannot locate siblings),
 * bundlers without asset handling.
 */
import { TFJS_WASM_SIMD_BASE64 } from "deepq:tfjs-wasm-base64";
import { BackendError } from "../errors.ts";

let compiled: Promise<WebAssembly.Module> | undefined;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (typeof fromBase64 === "function") return fromBase64(base64);
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Compiles the inlined binary once (memoised; a failure is not cached). */
function compile(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(decode(TFJS_WASM_SIMD_BASE64)).catch((e: unknown) => {
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
    .then(async (module) => done(await WebAssembly.instantiate(module, imports), module))
    .catch((e: unknown) => fail(new BackendError(`cannot instantiate tfjs's WebAssembly binary: ${(e as Error)?.message ?? e}`)));
  return {};
}
