// `npm run build` (after build:wasm) runs this. Outputs in dist/:
//   deepq.mjs       ESM, every runtime with `import` and `WebAssembly.compile`
//                   (Node, Deno, Bun, browsers, CDN); self-contained: deepq's
//                   and tfjs's WebAssembly binaries inlined (gzip + base64,
//                   src/runtime/inline-wasm.ts)
//   deepq-webgpu.mjs  tfjs's WebGPU backend, which deepq.mjs imports from
//                   beside itself only when a webgpu engine is created
//   deepq.umd.js    the same as a classic script (global `deepq`) or CommonJS,
//                   WebGPU backend included
//   workerd.mjs     workerd / wrangler: imports ./deepq-simd.wasm and
//                   ./tfjs-backend-wasm-simd.wasm as WebAssembly.Modules
//   edge.mjs        the same for Vercel edge (`./NAME.wasm?module`)
//   policy.mjs      inference only, no tfjs (once src/policy.ts exists), and
//                   policy.workerd.mjs / policy.edge.mjs (import ./deepq-policy.wasm)
//   *.wasm          the binaries workerd.mjs and edge.mjs import
// Type declarations come from scripts/build-types.mjs.
import { existsSync, rmSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import commonjs from "@rollup/plugin-commonjs";
import nodeResolve from "@rollup/plugin-node-resolve";
import { esbuildTs } from "./scripts/rollup/esbuild.mjs";
import { linkLazyChunks } from "./scripts/rollup/lazy-chunks.mjs";
import { minify, readKernelLists, tfjs, wasmAssets } from "./scripts/rollup/tfjs.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** `deepq-wasm:NAME` imports stay external; each output names the file its runtime imports. */
const wasmImportPath = (suffix) => (id) => (id.startsWith("deepq-wasm:") ? `./${id.slice("deepq-wasm:".length)}.wasm${suffix}` : id);

/**
 * The entry of a build whose WASM arrives as imported modules: hands deepq's
 * precompiled module to the runtime before anything else, then re-exports the
 * real entry. (The tfjs binary is wired by the tfjs plugin.)
 */
function moduleEntry(input, { name, loader }) {
  const id = "\0deepq:module-entry";
  return {
    name: "deepq-module-entry",
    options: (o) => ({ ...o, input: id }),
    resolveId: (source) => (source === id ? id : null),
    load: (loaded) =>
      loaded === id
        ? [
            `import deepqWasmModule from "deepq-wasm:${name}";`,
            `import { useWasmModule } from ${JSON.stringify(loader)};`,
            `useWasmModule(deepqWasmModule, "simd");`,
            `export * from ${JSON.stringify(input)};`,
          ].join("\n")
        : null,
  };
}

/** Builds that take WASM as imported modules carry no inlined bytes. */
function noInlinedDeepqWasm() {
  const stub = "\0deepq:no-inlined-wasm";
  return {
    name: "deepq-no-inlined-wasm",
    resolveId: (source) => (/wasm-bytes\.generated(\.ts)?$/.test(source) ? stub : null),
    load: (id) => (id === stub ? `export const WASM_SIMD_GZIP_BASE64 = "";\nexport const WASM_RELAXED_GZIP_BASE64 = "";\nexport const WASM_POLICY_BASE64 = "";\nexport const WASM_POLICY_RELAXED_BASE64 = "";\n` : null),
  };
}

/** Replaces src/runtime/build-info.ts with the facts of this build. */
function buildInfo(delivery) {
  const file = here("./src/runtime/build-info.ts");
  return {
    name: "deepq-build-info",
    load: (id) =>
      id === file
        ? `export const BUNDLED = true;\nexport const WASM_DELIVERY = ${JSON.stringify(delivery)};\n`
        : null,
  };
}

/**
 * The plugins every deepq bundle is built with (the runtime tests' fixtures
 * use them too, so they run what users get).
 * @param {{ delivery: "inline" | "module", tfjs: boolean, lists: { kernels: string[], gradients: string[] } }} o
 */
export function deepqPlugins({ delivery, tfjs: withTfjs, lists }) {
  return [
    buildInfo(delivery),
    ...(withTfjs ? [tfjs({ wasm: delivery, ...lists })] : []),
    ...(delivery === "module" ? [noInlinedDeepqWasm()] : []),
    // node-resolve: finds tfjs (and seedrandom, long) in node_modules, using
    // their ESM "module" builds.
    nodeResolve({ browser: false, preferBuiltins: false, mainFields: ["module", "main"], exportConditions: ["import", "default"] }),
    // commonjs: tfjs-core's dependencies seedrandom and long are CommonJS.
    commonjs({ ignoreTryCatch: true }),
    esbuildTs(),
  ];
}

export const onwarn = (warning, warn) => {
  // tfjs's ESM files use `this` at top level in TypeScript helpers.
  if (warning.code === "THIS_IS_UNDEFINED") return;
  // seedrandom references `define` / `module` in its UMD wrappers.
  if (warning.code === "CIRCULAR_DEPENDENCY" && /node_modules/.test(warning.message)) return;
  warn(warning);
};

/**
 * The builds of one entry. `files` names the outputs (relative to `outDir`):
 * `es` (WASM inlined), `umd` (classic script, global `umdName`), `workerd`
 * and `edge` (WASM as imported modules). With `lazyChunks`, code the entry
 * reaches only through `import()` (tfjs's WebGPU backend) becomes `es`'s
 * sibling chunks, named `<es>-<module>.mjs` and linked by
 * scripts/rollup/lazy-chunks.mjs; every other output inlines it.
 * `wasm` names the deepq module the workerd and edge builds import (default
 * deepq-simd, handed to `useWasmModule` of src/runtime/wasm.ts).
 * @param {{ input: string, outDir: string, lists: any, tfjs?: boolean, minified?: boolean, lazyChunks?: boolean,
 *   files: { es?: string, umd?: string, umdName?: string, workerd?: string, edge?: string },
 *   wasm?: { name: string, loader: string } }} o
 */
export function entryBuilds({ input, outDir, lists, files, tfjs: withTfjs = true, minified = true, lazyChunks = true, wasm = { name: "deepq-simd", loader: here("./src/runtime/wasm.ts") } }) {
  const post = minified ? [minify()] : [];
  const es = (file) =>
    lazyChunks
      ? { dir: outDir, entryFileNames: file, chunkFileNames: (c) => `${file.replace(/\.mjs$/, "")}-${c.name.replace(/^tfjs-/, "")}.mjs`, format: "es", plugins: [...post, linkLazyChunks()] }
      : { file: `${outDir}/${file}`, format: "es", inlineDynamicImports: true, plugins: post };
  const builds = [];
  if (files.es || files.umd) {
    builds.push({
      input,
      onwarn,
      // No facade file: the entry chunk also carries what lazy chunks need (handed over by linkLazyChunks()).
      preserveEntrySignatures: "allow-extension",
      plugins: deepqPlugins({ delivery: "inline", tfjs: withTfjs, lists }),
      output: [
        ...(files.es ? [es(files.es)] : []),
        ...(files.umd ? [{ file: `${outDir}/${files.umd}`, format: "umd", name: files.umdName, inlineDynamicImports: true, plugins: post }] : []),
      ],
    });
  }
  if (files.workerd || files.edge) {
    builds.push({
      input,
      onwarn,
      external: (id) => id.startsWith("deepq-wasm:"),
      plugins: [
        moduleEntry(input, wasm),
        ...deepqPlugins({ delivery: "module", tfjs: withTfjs, lists }),
        wasmAssets({ [`${wasm.name}.wasm`]: here(`./build/${wasm.name}.wasm`) }),
      ],
      output: [
        ...(files.workerd ? [{ file: `${outDir}/${files.workerd}`, format: "es", inlineDynamicImports: true, paths: wasmImportPath(""), plugins: post }] : []),
        ...(files.edge ? [{ file: `${outDir}/${files.edge}`, format: "es", inlineDynamicImports: true, paths: wasmImportPath("?module"), plugins: post }] : []),
      ],
    });
  }
  return builds;
}

/** Fails a build that pulls tfjs into an entry that must not have it. */
function forbidTfjs(entry) {
  return {
    name: "deepq-forbid-tfjs",
    resolveId(source) {
      if (/^@tensorflow\//.test(source)) throw new Error(`${entry} must not import tfjs (it imports ${source})`);
      return null;
    },
  };
}

export default async function config() {
  // A clean dist/ every build: no stale entry survives its source.
  rmSync(here("./dist"), { recursive: true, force: true });
  const lists = await readKernelLists();
  const builds = entryBuilds({
    input: here("./src/index.ts"),
    outDir: "dist",
    lists,
    files: { es: "deepq.mjs", umd: "deepq.umd.js", umdName: "deepq", workerd: "workerd.mjs", edge: "edge.mjs" },
  });
  // Inference-only entry `deepq/policy`: adding src/policy.ts is all it takes.
  if (existsSync(here("./src/policy.ts"))) {
    for (const b of entryBuilds({
      input: here("./src/policy.ts"),
      outDir: "dist",
      lists,
      tfjs: false,
      files: { es: "policy.mjs", workerd: "policy.workerd.mjs", edge: "policy.edge.mjs" },
      // Its own module: the forward pass alone (assembly/policy.ts).
      wasm: { name: "deepq-policy", loader: here("./src/policy/wasm.ts") },
    })) {
      b.plugins.unshift(forbidTfjs("src/policy.ts"));
      builds.push(b);
    }
  }
  builds.push(...workerBuilds());
  // The Node command line (bin/deepq.mjs), with Node's built-ins left to Node.
  for (const b of entryBuilds({ input: here("./src/cli/main.ts"), outDir: "dist", lists, minified: false, lazyChunks: false, files: { es: "cli.mjs" } })) {
    b.external = (id) => id.startsWith("node:");
    builds.push(b);
  }
  return builds;
}

/**
 * `deepq/worker`: dist/worker.mjs (startTraining, small: no deepq inside) and
 * dist/training-worker.mjs, the worker it starts, which imports deepq from
 * ./deepq.mjs beside it rather than carrying a second copy.
 */
export function workerBuilds() {
  const index = here("./src/index.ts");
  return [
    { input: here("./src/worker.ts"), onwarn, plugins: [esbuildTs()], output: { file: "dist/worker.mjs", format: "es" } },
    {
      input: here("./src/worker/training-worker.ts"),
      onwarn,
      plugins: [esbuildTs()],
      external: (id, importer) => (importer ? resolvePath(dirname(importer), id) : id) === index,
      output: { file: "dist/training-worker.mjs", format: "es", paths: (id) => (id === index ? "./deepq.mjs" : id) },
    },
  ];
}
