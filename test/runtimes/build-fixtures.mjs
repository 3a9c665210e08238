// Bundles test/runtimes/fixtures/smoke.ts with the same plugins as dist/
// (rollup.config.mjs) into build/runtimes/: smoke.mjs (WASM inlined),
// smoke.workerd.mjs and smoke.edge.mjs (WASM imported as modules, the .wasm
// files beside them). Not minified, so stack traces stay readable. Run by `pretest`.
import { fileURLToPath } from "node:url";
import { rollup } from "rollup";
import { entryBuilds } from "../../rollup.config.mjs";
import { readKernelLists } from "../../scripts/rollup/tfjs.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const t0 = performance.now();
const lists = await readKernelLists();
const builds = entryBuilds({
  input: `${root}test/runtimes/fixtures/smoke.ts`,
  outDir: `${root}build/runtimes`,
  lists,
  minified: false,
  files: { es: "smoke.mjs", workerd: "smoke.workerd.mjs", edge: "smoke.edge.mjs" },
});
for (const { output, ...input } of builds) {
  const bundle = await rollup(input);
  for (const o of output) await bundle.write(o);
  await bundle.close();
}
console.log(`runtime fixtures: build/runtimes/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
