// Output plugin for dist/deepq.mjs and its lazily imported sibling chunks
// (tfjs's WebGPU backend, dist/deepq-webgpu.mjs).
//
// Rollup links a lazy chunk to the entry by exporting, from the entry, every
// internal binding the chunk needs (~80 one-letter names, which would show up
// in `import * as deepq`), and by `import … from "./deepq.mjs"` in the chunk,
// which resolves only where the entry was loaded by its file URL. Instead:
// - the entry exports its public API only; the bindings a chunk needs are
//   handed over in a global slot (`Symbol.for("deepq.lazyImports")`), set
//   just before the chunk is imported and read by the chunk's first statement;
// - where the entry was loaded by a URL without its file name (a CDN's
//   package root, `…/npm/deepq@VERSION`, served without a redirect), the chunk
//   is imported from `<that URL>/dist/`, so WebGPU works from any URL form.
// Each rewrite asserts that its pattern matched, so a change in rollup's or
// esbuild's output fails the build instead of shipping a broken chunk.

const SLOT = `globalThis[Symbol.for("deepq.lazyImports")]`;
const HANDOFF = "__deepqLazyImports";

/** `a as b, c` -> [["a", "b"], ["c", "c"]] */
const specifiers = (list) =>
  list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [from, to = from] = s.split(/\s+as\s+/);
      return [from, to];
    });

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function fail(message) {
  throw new Error(`deepq lazy-chunks plugin: ${message}; rollup's or esbuild's output changed, update scripts/rollup/lazy-chunks.mjs`);
}

/** @returns {import("rollup").Plugin} */
export function linkLazyChunks() {
  return {
    name: "deepq-lazy-chunks",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
      const entry = chunks.find((c) => c.isEntry);
      const lazy = chunks.filter((c) => !c.isEntry);
      if (!entry || lazy.length === 0) return;
      const publicNames = new Set(this.getModuleInfo(entry.facadeModuleId).exports);
      const fromEntry = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*(["'])\\./${escape(entry.fileName)}\\2;?`);
      const handed = new Set();
      for (const chunk of lazy) {
        if (chunk.imports.some((f) => f !== entry.fileName)) fail(`${chunk.fileName} imports ${chunk.imports.join(", ")}, not only ${entry.fileName}`);
        const m = fromEntry.exec(chunk.code);
        if (!m) fail(`no import from ./${entry.fileName} in ${chunk.fileName}`);
        const pairs = specifiers(m[1]);
        for (const [name] of pairs) handed.add(name);
        chunk.code = chunk.code.replace(m[0], `const{${pairs.map(([name, local]) => `${name}:${local}`).join(",")}}=${SLOT};`);
      }

      const exportStatements = [...entry.code.matchAll(/export\s*\{([^}]*)\};?/g)];
      if (exportStatements.length !== 1) fail(`${entry.fileName} has ${exportStatements.length} export statements, not 1`);
      const [statement, list] = exportStatements[0];
      const exported = specifiers(list);
      const localOf = new Map(exported.map(([local, name]) => [name, local]));
      for (const name of handed) if (!localOf.has(name)) fail(`${entry.fileName} does not export ${name}`);
      const kept = exported.filter(([, name]) => publicNames.has(name));
      let code = entry.code.replace(statement, `export{${kept.map(([local, name]) => (local === name ? local : `${local} as ${name}`)).join(",")}};`);
      code += `\nfunction ${HANDOFF}(){return{${[...handed].map((name) => `${name}:${localOf.get(name)}`).join(",")}}}\n`;
      for (const chunk of lazy) {
        const site = new RegExp(`import\\((["'])\\./${escape(chunk.fileName)}\\1\\)`, "g");
        if (!site.test(code)) fail(`${entry.fileName} has no import("./${chunk.fileName}")`);
        code = code.replace(
          site,
          `(${SLOT}=${HANDOFF}(),/\\.m?js$/.test(new URL(import.meta.url).pathname)?import("./${chunk.fileName}"):import(import.meta.url.replace(/\\/?$/,"/dist/${chunk.fileName}")))`,
        );
      }
      entry.code = code;
    },
  };
}
