// Output plugin for dist/deepq.mjs and its lazily imported sibling chunks:
// deepq's engines on tfjs (deepq-tfjs.mjs), tfjs itself with its WebAssembly
// binary (deepq-tfjs-lib.mjs) and tfjs's WebGPU backend (deepq-webgpu.mjs).
//
// Rollup links a lazy chunk to the entry by exporting, from the entry, every
// internal binding the chunk needs (one-letter names, which would show up
// in `import * as deepq`), and by `import … from "./deepq.mjs"` in the chunk,
// which resolves only where the entry was loaded by its file URL (and, from a
// CDN's package-root URL, would load the entry a second time). Instead:
// - the entry exports its public API only; the bindings the chunks need are
//   handed over in a global slot (`Symbol.for("deepq.lazyImports")`), set
//   just before a chunk is imported and read by the chunk's first statement;
//   a chunk that imports another lazily sets the slot again with what it got;
// - where the entry was loaded by a URL without its file name (a CDN's
//   package root, `…/npm/deepq@VERSION`, served without a redirect), its
//   chunks are imported from `<that URL>/dist/`; chunks import each other by
//   relative URLs, always resolvable as they are loaded by their file URL.
// Each rewrite asserts that its pattern matched, so a change in rollup's or
// esbuild's output fails the build instead of shipping a broken chunk.

const SLOT = `globalThis[Symbol.for("deepq.lazyImports")]`;
const HANDOFF = "__deepqLazyImports";
const RECEIVED = "__deepqReceived";

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

/** `import("./<file>")` in a chunk of this bundle, for each file of `files`. */
const importSites = (files) => new RegExp(`import\\((["'])\\./(${files.map(escape).join("|")})\\1\\)`, "g");

/** @returns {import("rollup").Plugin} */
export function linkLazyChunks() {
  return {
    name: "deepq-lazy-chunks",
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
      const entries = chunks.filter((c) => c.isEntry);
      if (entries.length !== 1) fail(`${entries.length} entry chunks, not 1`);
      const [entry] = entries;
      const lazy = chunks.filter((c) => !c.isEntry);
      if (lazy.length === 0) return;
      if (entry.imports.length > 0) fail(`${entry.fileName} imports ${entry.imports.join(", ")} statically`);
      const lazyFiles = lazy.map((c) => c.fileName);
      const publicNames = new Set(this.getModuleInfo(entry.facadeModuleId).exports);
      const fromEntry = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*(["'])\\./${escape(entry.fileName)}\\2;?`);
      const handed = new Set();
      for (const chunk of lazy) {
        const m = fromEntry.exec(chunk.code);
        const pairs = m ? specifiers(m[1]) : [];
        if (!m && chunk.imports.includes(entry.fileName)) fail(`no import from ./${entry.fileName} in ${chunk.fileName}`);
        for (const [name] of pairs) handed.add(name);
        const receive = `const ${RECEIVED}=${SLOT};const{${pairs.map(([name, local]) => `${name}:${local}`).join(",")}}=${RECEIVED};`;
        // The first statement after the chunk's static imports of its siblings (hoisted anyway).
        let code = m ? chunk.code.replace(m[0], receive) : chunk.code.replace(/^((?:\s*import[^;]*;)*)/, `$1${receive}`);
        code = code.replace(importSites(lazyFiles), (site) => `(${SLOT}=${RECEIVED},${site})`);
        chunk.code = code;
      }

      const exportStatements = [...entry.code.matchAll(/export\s*\{([^}]*)\};?/g)];
      if (exportStatements.length !== 1) fail(`${entry.fileName} has ${exportStatements.length} export statements, not 1`);
      const [statement, list] = exportStatements[0];
      const exported = specifiers(list);
      const localOf = new Map(exported.map(([local, name]) => [name, local]));
      for (const name of handed) if (!localOf.has(name)) fail(`${entry.fileName} does not export ${name}`);
      const kept = exported.filter(([, name]) => publicNames.has(name));
      let code = entry.code.replace(statement, `export { ${kept.map(([local, name]) => (local === name ? local : `${local} as ${name}`)).join(", ")} };`);
      const handoff = `\nfunction ${HANDOFF}() {\n  return {\n${[...handed].map((name) => `    ${name}: ${localOf.get(name)},\n`).join("")}  };\n}\n`;
      // Before the source map comment, which must stay last.
      code = code.replace(/(\n\/\/# sourceMappingURL=\S+\s*)?$/, (comment = "") => handoff + comment.replace(/^\n/, ""));
      let sites = 0;
      code = code.replace(importSites(lazyFiles), (_site, _q, file) => {
        sites++;
        return `(${SLOT} = ${HANDOFF}(), /\\.m?js$/.test(new URL(import.meta.url).pathname) ? import("./${file}") : import(import.meta.url.replace(/\\/?$/, "/dist/${file}")))`;
      });
      if (sites === 0) fail(`${entry.fileName} imports none of ${lazyFiles.join(", ")}`);
      entry.code = code;
    },
  };
}
