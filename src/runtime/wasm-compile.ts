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
import { capabilities } from "./capabilities.ts";

/** `WebAssembly.compile`, or `new WebAssembly.Module` in Node. */
export async function compileWasm(bytes: BufferSource): Promise<WebAssembly.Module> {
  return capabilities.node ? new WebAssembly.Module(bytes) : WebAssembly.compile(bytes);
}

/** `WebAssembly.instantiate(module, imports)`, or `new WebAssembly.Instance` in Node. */
export async function instantiateWasm(module: WebAssembly.Module, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  return capabilities.node ? new WebAssembly.Instance(module, imports) : WebAssembly.instantiate(module, imports);
}
