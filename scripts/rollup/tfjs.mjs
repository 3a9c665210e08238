// Rollup plugin: bundles TensorFlow.js (tfjs-core + wasm/webgpu/cpu backends)
// so that one ESM file runs unchanged in Node, Deno, Bun, browsers (also from
// a CDN origin), workerd and Vercel edge.
//
// 1. Kernel sets. `import "@tensorflow/tfjs-backend-<b>"` resolves to a
//    virtual module that registers the backend and ONLY the kernels listed in
//    src/runtime/tfjs-kernels.ts; `import
//    "@tensorflow/tfjs-core/dist/register_all_gradients"` registers only the
//    listed gradients. The rest of tfjs is tree-shaken away.
// 2. Patches (each asserts that its pattern matched, so a tfjs upgrade that
//    moves the code fails the build instead of shipping a broken bundle):
//    - tfjs-core's Node platform: `require('util')` -> a Node builtin via
//      `process.getBuiltinModule` (Node >= 20.16, Deno, Bun) or the web
//      globals, and `require('node-fetch')` -> the global fetch. Deno and
//      Bun expose `process`, so they take this path too.
//    - tfjs-core's browser platform is also installed where there is neither
//      a window/worker scope nor `process` (Vercel edge).
//    - tfjs-backend-wasm's `init()`: the emscripten factory config gets an
//      `instantiateWasm` hook from `deepq:tfjs-wasm-binary` (see below), and
//      the multi-threaded build is never chosen (stubbed out: it needs
//      cross-origin isolation and a worker script beside the page).
//    - the emscripten glue: `ENVIRONMENT_IS_NODE = false` (no `require("fs")`,
//      no `__dirname`, no process-wide `uncaughtException` handlers; the hook
//      above does all loading), and its CommonJS tail becomes `export default`.
//    tfjs-core itself: the bare `@tensorflow/tfjs-core` is its `base.js` plus
//    `base_side_effects.js` (tfjs's recipe for custom bundles: its index.js
//    also registers every optimizer class for model deserialisation), and its
//    io handlers (HTTP, IndexedDB, localStorage, file routers) are marked
//    free of side effects: deepq saves with its own format, so they go.
// 3. `deepq:tfjs-wasm-binary` resolves per build to
//    src/runtime/tfjs-wasm-binary.inline.ts (the binary inlined, gzip then
//    base64, from the virtual module `deepq:tfjs-wasm-base64`) or
//    src/runtime/tfjs-wasm-binary.module.ts (an imported `WebAssembly.Module`,
//    for runtimes that forbid compiling bytes).
// 4. Module builds get the tfjs .wasm emitted beside them; `wasmAssets` emits
//    other files (deepq's own module for those builds).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { transform } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "package.json"));
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));
const slash = (p) => p.split("\\").join("/");

export const TFJS_WASM_FILE = "tfjs-backend-wasm-simd.wasm";
export const tfjsWasmPath = () => join(pkgDir("@tensorflow/tfjs-backend-wasm"), "dist", TFJS_WASM_FILE);

/** Reads the kernel and gradient lists from src/runtime/tfjs-kernels.ts (plain data). */
export async function readKernelLists(file = join(root, "src", "runtime", "tfjs-kernels.ts")) {
  const { code } = await transform(readFileSync(file, "utf8"), { loader: "ts", format: "esm" });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  return { kernels: [...mod.TFJS_KERNELS, ...mod.TFJS_KERNELS_NOT_ON_WASM], gradients: [...mod.TFJS_GRADIENTS], notOnWasm: [...mod.TFJS_KERNELS_NOT_ON_WASM] };
}

const BACKENDS = ["wasm", "webgpu", "cpu"];
const V = "\0deepq-tfjs:";

/** Replaces `from` with `to` in `code`, failing the build when `from` is absent. */
function patch(code, id, from, to) {
  const hit = typeof from === "string" ? code.includes(from) : from.test(code);
  if (!hit) {
    throw new Error(
      `deepq tfjs plugin: the pattern ${from} was not found in ${id}; tfjs changed, update scripts/rollup/tfjs.mjs`,
    );
  }
  return code.replace(from, to);
}

/**
 * @param {{ wasm: "inline" | "module", kernels: string[], gradients: string[], notOnWasm?: string[] }} options
 * @returns {import("rollup").Plugin}
 */
export function tfjs({ wasm, kernels, gradients, notOnWasm = [] }) {
  const core = pkgDir("@tensorflow/tfjs-core");
  const wasmPkg = pkgDir("@tensorflow/tfjs-backend-wasm");
  const binarySource = join(root, "src", "runtime", wasm === "inline" ? "tfjs-wasm-binary.inline.ts" : "tfjs-wasm-binary.module.ts");
  const missing = [];
  const expected = [];
  for (const b of BACKENDS) {
    for (const k of kernels) {
      try {
        readFileSync(join(pkgDir(`@tensorflow/tfjs-backend-${b}`), "dist", "kernels", `${k}.js`));
      } catch {
        missing.push(`${k} (${b})`);
        if (b === "wasm" && notOnWasm.includes(k)) expected.push(`${k} (${b})`);
      }
    }
  }
  for (const g of gradients) {
    try {
      readFileSync(join(core, "dist", "gradients", `${g}_grad.js`));
    } catch {
      throw new Error(`src/runtime/tfjs-kernels.ts lists gradient ${g}, which tfjs-core does not have`);
    }
  }

  return {
    name: "deepq-tfjs",
    generateBundle() {
      // Module builds get the tfjs binary beside them (always, so the set of
      // files to bind as modules does not depend on what the entry imports).
      if (wasm === "module") this.emitFile({ type: "asset", fileName: TFJS_WASM_FILE, source: readFileSync(tfjsWasmPath()) });
    },
    buildStart() {
      const unexpected = missing.filter((m) => !expected.includes(m));
      if (unexpected.length) this.warn(`tfjs has no kernel file for: ${unexpected.join(", ")} (listed in src/runtime/tfjs-kernels.ts)`);
    },
    resolveId(source, importer) {
      if (source === "@tensorflow/tfjs-core") return `${V}core`;
      const m = /^@tensorflow\/tfjs-backend-(wasm|webgpu|cpu)$/.exec(source);
      if (m) return `${V}backend-${m[1]}`;
      if (/^@tensorflow\/tfjs-core\/dist\/register_all_gradients(\.js)?$/.test(source)) return `${V}gradients`;
      if (source === "deepq:tfjs-wasm-binary") return binarySource;
      if (source === "deepq:tfjs-wasm-base64") return `${V}base64`;
      if (importer && slash(importer).endsWith("tfjs-backend-wasm/dist/backend_wasm.js") && /threaded-simd(\.worker)?\.js$/.test(source)) {
        return `${V}threaded-stub`;
      }
      return null;
    },
    load(id) {
      if (!id.startsWith(V)) return null;
      const what = id.slice(V.length);
      if (what === "base64") {
        return `export const TFJS_WASM_SIMD_GZIP_BASE64 = ${JSON.stringify(gzipSync(readFileSync(tfjsWasmPath()), { level: 9 }).toString("base64"))};\n`;
      }
      if (what === "core") {
        const dist = (f) => JSON.stringify(slash(join(core, "dist", f)));
        return `import ${dist("base_side_effects.js")};\nexport * from ${dist("base.js")};\n`;
      }
      if (what === "threaded-stub") {
        return `export default function threadedBuildIsNotBundled() { throw new Error("deepq bundles only tfjs's single-threaded SIMD wasm build"); }\nexport const wasmWorkerContents = "";\n`;
      }
      if (what === "gradients") {
        const lines = [`import { registerGradient } from "@tensorflow/tfjs-core";`];
        gradients.forEach((g, i) => lines.push(`import * as g${i} from ${JSON.stringify(slash(join(core, "dist", "gradients", `${g}_grad.js`)))};`));
        lines.push(`for (const m of [${gradients.map((_, i) => `g${i}`).join(", ")}]) {`);
        lines.push(`  for (const c of Object.values(m)) if (c && typeof c === "object" && typeof c.gradFunc === "function") registerGradient(c);`);
        lines.push(`}`);
        return lines.join("\n") + "\n";
      }
      const backend = what.slice("backend-".length);
      const dir = pkgDir(`@tensorflow/tfjs-backend-${backend}`);
      const have = kernels.filter((k) => !missing.includes(`${k} (${backend})`));
      const lines = [`import { registerKernel } from "@tensorflow/tfjs-core";`, `export * from ${JSON.stringify(slash(join(dir, "dist", "base.js")))};`];
      have.forEach((k, i) => lines.push(`import * as k${i} from ${JSON.stringify(slash(join(dir, "dist", "kernels", `${k}.js`)))};`));
      lines.push(`for (const m of [${have.map((_, i) => `k${i}`).join(", ")}]) {`);
      lines.push(`  for (const c of Object.values(m)) if (c && typeof c === "object" && c.backendName === ${JSON.stringify(backend)} && typeof c.kernelFunc === "function") registerKernel(c);`);
      lines.push(`}`);
      return lines.join("\n") + "\n";
    },
    transform(code, id) {
      const file = slash(id);
      if (/tfjs-core\/dist\/io\/[^/]+\.js$/.test(file)) return { code, map: null, moduleSideEffects: false };
      if (file.endsWith("tfjs-core/dist/platforms/platform_node.js")) {
        code = patch(
          code,
          id,
          "require('util')",
          `(typeof process.getBuiltinModule === "function" ? process.getBuiltinModule("util") : { TextEncoder, TextDecoder, types: { isFloat32Array: (a) => a instanceof Float32Array, isInt32Array: (a) => a instanceof Int32Array, isUint8Array: (a) => a instanceof Uint8Array, isUint8ClampedArray: (a) => a instanceof Uint8ClampedArray } })`,
        );
        code = patch(code, id, "require('node-fetch')", "globalThis.fetch");
        return { code, map: null };
      }
      if (file.endsWith("tfjs-core/dist/platforms/platform_browser.js")) {
        // Runtimes with neither a window/WorkerGlobalScope nor `process`
        // (Vercel edge) would get no platform at all and fail on the first
        // tensor; the browser platform needs only web-standard APIs.
        code = patch(
          code,
          id,
          "if (env().get('IS_BROWSER')) {",
          "if (!env().get('IS_BROWSER') && !env().get('IS_NODE')) {\n    env().setPlatform('browser', new PlatformBrowser());\n}\nif (env().get('IS_BROWSER')) {",
        );
        // Model stores (localStorage, IndexedDB) serve tf.io, which deepq does not use.
        code = patch(code, id, /\n    \/\/ Register LocalStorage IOHandler\n[\s\S]*?new BrowserIndexedDBManager\(\)\);\n    \}\n    catch \(err\) \{\n    \}\n/, "\n");
        return { code, map: null };
      }
      if (file.endsWith("tfjs-backend-wasm/dist/backend_wasm.js")) {
        code = `import { instantiateTfjsWasm as __deepqInstantiateTfjsWasm } from "deepq:tfjs-wasm-binary";\n` + code;
        code = patch(code, id, "if (threadsSupported && simdSupported && wasmPath == null) {", "if (false) {");
        code = patch(
          code,
          id,
          "wasm = wasmFactory(factoryConfig);",
          "factoryConfig.instantiateWasm = (imports, done) => __deepqInstantiateTfjsWasm(imports, done, reject);\n            wasm = wasmFactory(factoryConfig);",
        );
        return { code, map: null };
      }
      if (file.endsWith("tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js")) {
        code = patch(
          code,
          id,
          'var ENVIRONMENT_IS_NODE=typeof process=="object"&&typeof process.versions=="object"&&typeof process.versions.node=="string";',
          "var ENVIRONMENT_IS_NODE=false;",
        );
        code = patch(code, id, /if \(typeof exports === 'object' && typeof module === 'object'\)[\s\S]*$/, "export default WasmBackendModule;\n");
        return { code, map: null };
      }
      return null;
    },
  };
}

/**
 * Emits .wasm files beside the output: `files` maps an output file name to a
 * source path.
 * @returns {import("rollup").Plugin}
 */
export function wasmAssets(files) {
  return {
    name: "deepq-wasm-assets",
    generateBundle() {
      for (const [fileName, path] of Object.entries(files)) {
        this.emitFile({ type: "asset", fileName, source: readFileSync(path) });
      }
    },
  };
}

/**
 * Minifies chunks with esbuild (all of them, or those `which` accepts); legal
 * comments (tfjs's Apache-2.0 headers) are kept once each at the end of the
 * file. Minified chunks ship without source maps: they are tfjs's code or a
 * CDN build of a readable file that has one.
 * @param {(chunk: import("rollup").RenderedChunk) => boolean} [which]
 * @returns {import("rollup").Plugin}
 */
export function minify(which = () => true) {
  const minified = new Set();
  return {
    name: "deepq-minify",
    async renderChunk(code, chunk, options) {
      if (!which(chunk)) return null;
      minified.add(chunk.fileName);
      const out = await transform(code, minifyOptions(options.format));
      return { code: out.code, map: null };
    },
    generateBundle(_options, bundle) {
      for (const fileName of minified) {
        const chunk = bundle[fileName];
        if (chunk?.type !== "chunk") continue;
        delete bundle[`${fileName}.map`];
        chunk.map = null;
        chunk.code = chunk.code.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, "\n");
        chunk.sourcemapFileName = null;
      }
      minified.clear();
    },
  };
}

/**
 * esbuild's options for a minified file of `format` (rollup's name).
 * `keepNames` keeps every function's and class's `name` (a `__name` call
 * each): on for files that carry tfjs, off for deepq's own code alone,
 * which reads no function names (its errors set `name` themselves), where
 * it costs 2.6 KB of deepq.min.mjs's 49 KB gzip.
 */
export const minifyOptions = (format = "es", { keepNames = true } = {}) => ({
  minify: true,
  target: "es2022",
  format: format === "es" ? "esm" : undefined,
  legalComments: "eof",
  keepNames,
});
