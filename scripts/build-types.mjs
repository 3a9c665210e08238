// Type declarations for dist/: tsc (5.9, declarations only, tsconfig.build.json)
// into build/types/, then copied to dist/types/ with the sources' `.ts`
// import specifiers rewritten to `.js` (what consumers' TypeScript resolves
// to the .d.ts files), plus one small entry file per package entry.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
rmSync(join(root, "build", "types"), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });

const out = join(root, "dist", "types");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(root, "build", "types"), out, { recursive: true });
const rewrite = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) rewrite(p);
    else if (p.endsWith(".d.ts")) {
      const text = readFileSync(p, "utf8").replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2");
      writeFileSync(p, text);
    }
  }
};
rewrite(out);

const entry = (file, target) => writeFileSync(join(root, "dist", file), `export * from "./types/src/${target}.js";\n`);
entry("index.d.ts", "index");
if (existsSync(join(root, "src", "policy.ts"))) entry("policy.d.ts", "policy");
entry("worker.d.ts", "worker");
console.log("types: dist/index.d.ts" + (existsSync(join(root, "src", "policy.ts")) ? ", dist/policy.d.ts" : ""));
