// Type declarations for dist/: tsc (declarations only, tsconfig.build.json)
// into build/types/, then rollup-plugin-dts bundles them per package entry
// into dist/index.d.ts and dist/policy.d.ts (the types both share in one
// chunk beside them): only what the public API names ships, not the
// internal modules' declarations.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const types = join(root, "build", "types");
rmSync(types, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });

// The sources import `.ts` files; their declarations are `.d.ts` files.
const rewrite = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) rewrite(p);
    else if (p.endsWith(".d.ts")) writeFileSync(p, readFileSync(p, "utf8").replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2"));
  }
};
rewrite(types);

const input = { index: join(types, "src", "index.d.ts") };
if (existsSync(join(root, "src", "policy.ts"))) input.policy = join(types, "src", "policy.d.ts");
input.worker = join(types, "src", "worker.d.ts");
const bundle = await rollup({ input, plugins: [dts({ respectExternal: true })] });
const { output } = await bundle.write({ dir: join(root, "dist"), format: "es", entryFileNames: "[name].d.ts", chunkFileNames: "types-shared.d.ts" });
await bundle.close();
console.log(`types: ${output.map((o) => `dist/${o.fileName}`).join(", ")}`);
