/**
 * How this copy of deepq was built. These are the values of the unbundled
 * sources (vitest, tsx); rollup.config.mjs replaces the module in every
 * bundle, so code can take bundle-only paths without guessing, e.g. skip
 * pointing tfjs at its .wasm files (the bundles deliver them themselves).
 */

/** True in dist/ bundles (and the runtime-test fixtures built like them). */
export const BUNDLED: boolean = false;

/**
 * How the WebAssembly binaries (deepq's and tfjs's) arrive:
 * - "sources": unbundled; tfjs loads its own binaries from node_modules.
 * - "inline": dist/deepq.mjs, dist/deepq.umd.js: inlined as base64.
 * - "module": dist/workerd.mjs, dist/edge.mjs: imported `WebAssembly.Module`s.
 */
export const WASM_DELIVERY: "sources" | "inline" | "module" = "sources";
