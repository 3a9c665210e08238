/**
 * Compiling and instantiating WebAssembly, synchronously in Node. Awaiting
 * V8's asynchronous compile can leave Node's event loop empty, and Node then
 * blocks its main thread until V8's background jobs finish
 * (`NodePlatform::DrainTasks`); a concurrent optimising-compiler job that
 * needs a garbage collection waits for the main thread in turn, and the
 * process hangs for good (seen in Node 20 about once in 50 runs of the
 * runtime smoke test on a loaded machine). Compiling synchronously costs the
 * same there (~1 ms for deepq's module, ~7 ms for tfjs's 425 KB binary).
 * Browsers cap synchronous compiling on the main thread at 4 KB, so every
 * other runtime stays asynchronous.
 */
import { BackendError } from "../errors.ts";
import { capabilities } from "./capabilities.ts";
import type { Loaded, WasmFlavor } from "./wasm.ts";

/** `WebAssembly.compile`, or `new WebAssembly.Module` in Node. */
export async function compileWasm(bytes: BufferSource): Promise<WebAssembly.Module> {
  return capabilities.node ? new WebAssembly.Module(bytes) : WebAssembly.compile(bytes);
}

/** `WebAssembly.instantiate(module, imports)`, or `new WebAssembly.Instance` in Node. */
export async function instantiateWasm(module: WebAssembly.Module, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  return capabilities.node ? new WebAssembly.Instance(module, imports) : WebAssembly.instantiate(module, imports);
}

/** Whether `value` is a WebAssembly.Module: a brand check, since modules compiled in another realm (Vercel's EdgeVM) fail instanceof. */
export function isWasmModule(value: unknown): value is WebAssembly.Module {
  return Object.prototype.toString.call(value) === "[object WebAssembly.Module]";
}

/**
 * Compiles each build of a module at most once: `bytesOf(flavor)` gives the
 * build's bytes. A failure is a BackendError naming `what` and the build, and
 * is not kept, so a later call tries again.
 */
export function compilerByFlavor(what: string, bytesOf: (flavor: WasmFlavor) => BufferSource | Promise<BufferSource>): (flavor: WasmFlavor) => Promise<Loaded> {
  const byFlavor = new Map<WasmFlavor, Promise<Loaded>>();
  return (flavor) => {
    let p = byFlavor.get(flavor);
    if (!p) {
      p = Promise.resolve(bytesOf(flavor))
        .then(compileWasm)
        .then(
          (module): Loaded => ({ module, flavor }),
          (e: unknown) => {
            byFlavor.delete(flavor);
            throw new BackendError(`cannot compile ${what} (${flavor}): ${(e as Error).message}`);
          },
        );
      byFlavor.set(flavor, p);
    }
    return p;
  };
}
