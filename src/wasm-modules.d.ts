/**
 * `deepq-wasm:NAME` imports are precompiled WebAssembly modules. The rollup
 * build keeps them external and rewrites them to `./NAME.wasm` (workerd,
 * wrangler) or `./NAME.wasm?module` (Vercel edge) beside the bundle.
 */
declare module "deepq-wasm:*" {
  const module: WebAssembly.Module;
  export default module;
}
