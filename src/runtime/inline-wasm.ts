/**
 * WebAssembly binaries inlined in the self-contained bundles (dist/deepq.mjs,
 * dist/deepq.umd.js) are gzip-compressed, then base64-encoded. Base64 of a raw
 * binary gzips ~40% worse over HTTP than the binary itself (it breaks LZ77's
 * byte matches); base64 of already-compressed bytes gzips back to their size
 * (all it adds is 2 bits per character, which Huffman coding removes). So an
 * inlined binary costs a download what the .wasm file served beside the
 * bundle would, and the bundle stays one file that needs no fetch.
 * (scripts/build-wasm.mjs and scripts/rollup/tfjs.mjs write them.)
 */
import { BackendError } from "../errors.ts";
import { nodeBuiltin } from "../io/node-builtin.ts";
import { BUNDLED } from "./build-info.ts";
import { capabilities } from "./capabilities.ts";

/** Bytes of a base64 string, by the fastest decoder the runtime has. */
export function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const g = globalThis as { Buffer?: { from(s: string, encoding: "base64"): Uint8Array<ArrayBuffer> } };
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (typeof fromBase64 === "function") return fromBase64(base64);
  if (g.Buffer) return g.Buffer.from(base64, "base64");
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

interface NodeZlib {
  gunzipSync(bytes: Uint8Array): Uint8Array<ArrayBuffer>;
}

/**
 * The binary behind a gzip + base64 string. Node's zlib where the runtime
 * offers it (`process.getBuiltinModule`: Node 20.16+, Bun, Deno): Node's
 * first `DecompressionStream` loads its web-streams machinery, ~50 ms of a
 * cold start, against ~1 ms here. Elsewhere (browsers) the native
 * `DecompressionStream`.
 */
export async function inflateBase64(gzipBase64: string): Promise<Uint8Array<ArrayBuffer>> {
  const zlib = nodeBuiltin<NodeZlib>("zlib");
  if (zlib) return zlib.gunzipSync(decodeBase64(gzipBase64));
  if (typeof DecompressionStream !== "function") throw new BackendError("this runtime has no DecompressionStream, which deepq needs to unpack its inlined WebAssembly");
  const stream = new Blob([decodeBase64(gzipBase64)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * In Node, the binary `file` shipped beside the bundle whose URL is `base`
 * (dist/deepq-*.wasm beside dist/deepq.mjs), read synchronously: a cold start
 * then skips importing the chunk that inlines it (~5 ms in Node's module
 * loader) and unpacking it (~2 ms). Undefined in the sources, in other
 * runtimes (Deno would need --allow-read; browsers fetch the chunk anyway),
 * and where the bundle was copied or re-bundled without its siblings: the
 * caller then takes the inlined bytes.
 */
export function siblingWasm(file: string, base: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BUNDLED || !capabilities.node || !base.startsWith("file:")) return undefined;
  const fs = nodeBuiltin<{ readFileSync(path: URL): Uint8Array<ArrayBuffer> }>("fs");
  try {
    return fs?.readFileSync(new URL(`./${file}`, base));
  } catch {
    return undefined;
  }
}
