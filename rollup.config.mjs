// `npm run build` (after build:wasm) runs this. Outputs in dist/:
//   deepq.mjs       ESM, every runtime with `import` and `WebAssembly.compile`
//                   (Node, Deno, Bun, browsers, CDN); self-contained: deepq's
//                   and tfjs's WebAssembly binaries inlined (gzip + base64,
//                   src/runtime/inline-wasm.ts)
//   deepq-webgpu.mjs  tfjs's WebGPU backend, which deepq.mjs imports from
//                   beside itself only when a webgpu engine is created
//   deepq.umd.js    the same as a classic script (global `deepq`) or CommonJS,
//                   WebGPU backend included
//   workerd.mjs     workerd / wrangler: imports ./deepq-simd.wasm,
//                   ./deepq-envs-simd.wasm and ./tfjs-backend-wasm-simd.wasm
//                   as WebAssembly.Modules
//   edge.mjs        the same for Vercel edge (`./NAME.wasm?module`)
//   policy.mjs      inference only, no tfjs (once src/policy.ts exists), and
//                   policy.workerd.mjs / policy.edge.mjs (import ./deepq-policy.wasm)
//   *.wasm          the binaries workerd.mjs and edge.mjs import, and both
//                   flavours of deepq's modules, which Node reads from here
// Type declarations come from scripts/build-types.mjs.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import commonjs from "@rollup/plugin-commonjs";
import nodeResolve from "@rollup/plugin-node-resolve";
import { esbuildTs } from "./scripts/rollup/esbuild.mjs";
import { linkLazyChunks } from "./scripts/rollup/lazy-chunks.mjs";
import { transform } from "esbuild";
import { minify, minifyOptions, readKernelLists, tfjs, wasmAssets } from "./scripts/rollup/tfjs.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** deepq's modules (scripts/build-wasm.mjs): build/<name>-simd.wasm and build/<name>-relaxed.wasm each. */
const DEEPQ_MODULES = ["deepq", "deepq-envs"];

/** `deepq-wasm:NAME` imports stay external; each output names the file its runtime imports. */
const wasmImportPath = (suffix) => (id) => (id.startsWith("deepq-wasm:") ? `./${id.slice("deepq-wasm:".length)}.wasm${suffix}` : id);

/**
 * The entry of a build whose WASM arrives as imported modules: hands deepq's
 * precompiled modules (`names`) to the runtime before anything else, then
 * re-exports the real entry. (The tfjs binary is wired by the tfjs plugin.)
 */
function moduleEntry(input, { names, loader }) {
  const id = "\0deepq:module-entry";
  return {
    name: "deepq-module-entry",
    options: (o) => ({ ...o, input: id }),
    resolveId: (source) => (source === id ? id : null),
    load: (loaded) =>
      loaded === id
        ? [
            ...names.map((name, i) => `import deepqWasmModule${i} from "deepq-wasm:${name}";`),
            `import { useWasmModule } from ${JSON.stringify(loader)};`,
            ...names.map((_, i) => `useWasmModule(deepqWasmModule${i}, "simd");`),
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
    resolveId: (source) => (/wasm-(bytes|simd|relaxed|envs-simd|envs-relaxed)\.generated(\.ts)?$/.test(source) ? stub : null),
    load: (id) => (id === stub ? `export const WASM_GZIP_BASE64 = "";\nexport const WASM_POLICY_BASE64 = "";\nexport const WASM_POLICY_RELAXED_BASE64 = "";\n` : null),
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
 * `wasm` names the deepq modules the workerd and edge builds import (default
 * deepq-simd and deepq-envs-simd, handed to `useWasmModule` of
 * src/runtime/wasm.ts).
 * @param {{ input: string, outDir: string, lists: any, tfjs?: boolean, minified?: boolean, lazyChunks?: boolean,
 *   files: { es?: string, umd?: string, umdName?: string, workerd?: string, edge?: string },
 *   wasm?: { names: string[], loader: string } }} o
 */
export function entryBuilds({ input, outDir, lists, files, tfjs: withTfjs = true, minified = true, lazyChunks = true, wasm = { names: DEEPQ_MODULES.map((m) => `${m}-simd`), loader: here("./src/runtime/wasm.ts") } }) {
  const post = minified ? [minify()] : [];
  // `es` is readable, with a source map into src/; tfjs's own code (its lazy
  // chunks) is minified, and `<es>.min.mjs` is the same entry minified, for CDNs.
  const es = (file) => {
    const base = file.replace(/\.mjs$/, "");
    return {
      dir: outDir,
      entryFileNames: file,
      format: "es",
      sourcemap: true,
      ...(lazyChunks
        ? { manualChunks: tfjsChunk, chunkFileNames: (c) => `${base}-${CHUNK_NAMES[c.name] ?? c.name}.mjs` }
        : { inlineDynamicImports: true }),
      plugins: [...(minified ? [minify((c) => MINIFIED_CHUNKS.has(c.name))] : []), linkLazyChunks(), ...(minified ? [minifiedCopy(`${base}.min.mjs`)] : [])],
    };
  };
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
        wasmAssets(Object.fromEntries(wasm.names.map((name) => [`${name}.wasm`, here(`./build/${name}.wasm`)]))),
      ],
      output: [
        ...(files.workerd ? [{ file: `${outDir}/${files.workerd}`, format: "es", inlineDynamicImports: true, paths: wasmImportPath(""), plugins: post }] : []),
        ...(files.edge ? [{ file: `${outDir}/${files.edge}`, format: "es", inlineDynamicImports: true, paths: wasmImportPath("?module"), plugins: post }] : []),
      ],
    });
  }
  return builds;
}

/** Chunk names (rollup's, from the module a chunk starts at) -> file name suffixes. */
const CHUNK_NAMES = {
  engine: "tfjs",
  "wasm-simd.generated": "simd",
  "wasm-relaxed.generated": "relaxed-simd",
  "beyond-cartpole": "envs",
  "model-files": "files",
  "wasm-envs-simd.generated": "envs-simd",
  "wasm-envs-relaxed.generated": "envs-relaxed-simd",
};
/** The lazy chunks shipped minified, without source maps: tfjs's code, and deepq's WebAssembly as base64. */
const MINIFIED_CHUNKS = new Set(["tfjs-lib", "webgpu", "wasm-simd.generated", "wasm-relaxed.generated", "wasm-envs-simd.generated", "wasm-envs-relaxed.generated"]);

/**
 * tfjs (core, the wasm and cpu backends, the wasm binary) in one lazy chunk,
 * its WebGPU backend in another; deepq's engines on tfjs get a chunk of their
 * own (readable, like the entry), which also takes the few tfjs modules that
 * import deepq code (the wasm backend's patched loader): a manual chunk pulls
 * in every static dependency of its modules, deepq's entry's ones included.
 * Everything here is reached only through `import()` (src/nn/ladder.ts);
 * linkLazyChunks fails the build if the entry imports a chunk statically.
 */
function tfjsChunk(id, { getModuleInfo }) {
  const thirdPartyOnly = (m, seen = new Set()) => {
    if (seen.has(m)) return true;
    seen.add(m);
    return /node_modules|^\0/.test(m) && getModuleInfo(m).importedIds.every((d) => thirdPartyOnly(d, seen));
  };
  if (/runtime[\\/]tfjs-webgpu\.ts$/.test(id)) return "webgpu";
  if (!thirdPartyOnly(id)) return undefined;
  return /tfjs-backend-webgpu|\0deepq-tfjs:backend-webgpu/.test(id) ? "webgpu" : "tfjs-lib";
}

/** Emits `fileName`: the entry chunk as linked, minified (for CDNs; same lazy chunks). */
function minifiedCopy(fileName) {
  return {
    name: "deepq-minified-copy",
    async generateBundle(options, bundle) {
      const entry = Object.values(bundle).find((c) => c.type === "chunk" && c.isEntry);
      const code = entry.code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
      // The entry chunk holds deepq's code only: tfjs stays in the lazy chunks.
      const out = await transform(code, minifyOptions(options.format, { keepNames: false }));
      this.emitFile({ type: "asset", fileName, source: out.code });
    },
  };
}

/**
 * The command line's build: the library's public names come from the library
 * entry (`deepq`, i.e. ./deepq.mjs at run time), never from a second copy. A
 * library module the command imports becomes `export { <public names> } from
 * "deepq"`, plus, for its other exports, a copy of the module from which only
 * those survive tree-shaking (the build fails if a public name is copied in).
 * Library modules with no public name are bundled only if listed in
 * `CLI_SHARED` (stateless checks the command shares with the library).
 */
const CLI_SHARED = ["src/agent/options.ts", "src/validate.ts", "src/nn/engine.ts", "src/nn/spec.ts", "src/limits.ts", "src/runtime/rng.ts", "src/io/event-file.ts", "src/io/node-builtin.ts", "src/nn/conv.ts"];
function fromLibraryEntry(entry) {
  const PROXY = "\0deepq-public:";
  const REST = ".cli-rest.ts";
  const src = here("./src/");
  let publicNames;
  return {
    name: "deepq-from-library-entry",
    async resolveId(source, importer, opts) {
      if (source === "deepq") return { id: "deepq", external: true };
      if (source.endsWith(REST)) return source;
      if (!importer || importer.startsWith(PROXY) || source.startsWith("\0")) return null;
      const resolved = await this.resolve(source, importer, { ...opts, skipSelf: true });
      if (!resolved || resolved.external || !resolved.id.startsWith(src) || resolved.id.startsWith(here("./src/cli/"))) return resolved;
      publicNames ??= new Set((await this.load({ id: entry })).exports);
      const { exports } = await this.load(resolved);
      return exports.some((n) => publicNames.has(n)) ? PROXY + resolved.id : resolved;
    },
    load(id) {
      if (id.endsWith(REST)) return readFileSync(id.slice(0, -REST.length) + ".ts", "utf8");
      if (!id.startsWith(PROXY)) return null;
      const file = id.slice(PROXY.length);
      const exports = this.getModuleInfo(file).exports;
      const pub = exports.filter((n) => publicNames.has(n));
      const rest = exports.filter((n) => !publicNames.has(n));
      return [`export { ${pub.join(", ")} } from "deepq";`, ...(rest.length ? [`export { ${rest.join(", ")} } from ${JSON.stringify(file.replace(/\.ts$/, REST))};`] : [])].join("\n");
    },
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk") continue;
        for (const [id, m] of Object.entries(chunk.modules)) {
          if (!id.startsWith(src) || id.startsWith(here("./src/cli/")) || m.renderedLength === 0) continue;
          const file = `src/${(id.endsWith(REST) ? id.slice(0, -REST.length) + ".ts" : id).slice(src.length).split("\\").join("/")}`;
          const copied = m.renderedExports.filter((n) => publicNames.has(n));
          if (copied.length) this.error(`${chunk.fileName} holds a second copy of ${copied.join(", ")} (from ${file})`);
          if (!CLI_SHARED.includes(file)) this.error(`${chunk.fileName} holds a second copy of ${file} (${m.renderedExports.join(", ")}): export what it needs from src/index.ts, or add it to CLI_SHARED if it is stateless`);
        }
      }
    },
  };
}

/** dist/cli.mjs, readable: the command line, importing the library from ./deepq.mjs. */
export function cliBuild() {
  return {
    input: here("./src/cli/main.ts"),
    // A proxy re-exports every public name of its module; the command uses some.
    onwarn: (warning, warn) => (warning.code === "UNUSED_EXTERNAL_IMPORT" && warning.exporter === "deepq" ? undefined : onwarn(warning, warn)),
    external: (id) => id.startsWith("node:"),
    plugins: [fromLibraryEntry(here("./src/index.ts")), esbuildTs()],
    output: { file: here("./dist/cli.mjs"), format: "es", sourcemap: true, paths: { deepq: "./deepq.mjs" } },
  };
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
  // Every build of deepq's modules as a file beside the bundles, which Node
  // reads instead of importing and unpacking the chunk that inlines it
  // (siblingWasm in src/runtime/inline-wasm.ts); workerd and edge import the
  // simd ones.
  builds[0].plugins.push(
    wasmAssets(
      Object.fromEntries(
        DEEPQ_MODULES.flatMap((m) => [
          [`${m}-simd.wasm`, here(`./build/${m}-simd.wasm`)],
          [`${m}-relaxed-simd.wasm`, here(`./build/${m}-relaxed.wasm`)],
        ]),
      ),
    ),
  );
  // Inference-only entry `deepq/policy`: adding src/policy.ts is all it takes.
  if (existsSync(here("./src/policy.ts"))) {
    for (const b of entryBuilds({
      input: here("./src/policy.ts"),
      outDir: "dist",
      lists,
      tfjs: false,
      files: { es: "policy.mjs", workerd: "policy.workerd.mjs", edge: "policy.edge.mjs" },
      // Its own module: the forward pass alone (assembly/policy.ts).
      wasm: { names: ["deepq-policy"], loader: here("./src/policy/wasm.ts") },
    })) {
      b.plugins.unshift(forbidTfjs("src/policy.ts"));
      builds.push(b);
    }
  }
  // The Node command line (bin/deepq.mjs), with Node's built-ins left to
  // Node and the library imported from ./deepq.mjs.
  builds.push(...workerBuilds());
  builds.push(cliBuild());
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
