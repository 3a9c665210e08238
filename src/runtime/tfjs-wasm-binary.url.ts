/**
 * Build-time module `deepq:tfjs-wasm-binary` for dist/deepq.mjs and
 * dist/deepq.umd.js (see scripts/rollup/tfjs.mjs): tfjs-backend-wasm's SIMD
 * binary lies beside the bundle and is found through `import.meta.url`, so it
 * loads from a CDN origin as well as from disk. Browsers stream-compile it
 * (`instantiateStreaming`) when it is served as `application/wasm`; Node
 * reads `file:` URLs with `fs`; Deno and Bun `fetch` them.
 */
import { BackendError } from "../errors.ts";

const FILE = "tfjs-backend-wasm-simd.wasm";

type Source = Response | ArrayBuffer | Uint8Array<ArrayBuffer>;

interface NodeFs {
  promises: { readFile(url: URL): Promise<Uint8Array<ArrayBuffer>> };
}

async function readFileUrl(url: URL): Promise<Source | undefined> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }).process;
  const fs = proc?.getBuiltinModule?.("node:fs") as NodeFs | undefined;
  if (fs) return fs.promises.readFile(url);
  // Node < 20.16 has no getBuiltinModule and its fetch rejects file: URLs.
  // The specifier is hidden from bundlers that would try to resolve it.
  if (proc?.versions?.node && typeof (globalThis as { Deno?: unknown }).Deno === "undefined") {
    const spec = "node:fs";
    const mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as NodeFs;
    return mod.promises.readFile(url);
  }
  return undefined;
}

let url: URL | undefined;

/** Where the binary is looked for: beside the bundle. */
export function tfjsWasmUrl(): URL {
  url ??= new URL(`./${FILE}`, import.meta.url);
  return url;
}

async function load(imports: WebAssembly.Imports): Promise<WebAssembly.WebAssemblyInstantiatedSource> {
  const at = tfjsWasmUrl();
  let source: Source | undefined = at.protocol === "file:" ? await readFileUrl(at) : undefined;
  if (!source) {
    const res = await fetch(at);
    if (!res.ok) throw new BackendError(`cannot load tfjs's WebAssembly binary from ${at.href}: HTTP ${res.status}`);
    source = res;
  }
  if (source instanceof Response) {
    if (typeof WebAssembly.instantiateStreaming === "function" && source.headers.get("content-type")?.split(";")[0] === "application/wasm") {
      return WebAssembly.instantiateStreaming(source, imports);
    }
    source = await source.arrayBuffer();
  }
  return WebAssembly.instantiate(source, imports);
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
  load(imports).then(
    (r) => done(r.instance, r.module),
    (e: unknown) => fail(e instanceof BackendError ? e : new BackendError(`cannot instantiate tfjs's WebAssembly binary from ${tfjsWasmUrl().href}: ${(e as Error)?.message ?? e}`)),
  );
  return {};
}
