// A tiny rollup plugin that strips TypeScript with esbuild (no type checking:
// `npm run typecheck` and the d.ts build do that). Faster and smaller than
// @rollup/plugin-typescript, and it keeps the `.ts` import specifiers the
// sources use (rollup resolves them as plain relative paths).
import { transform } from "esbuild";

/** @returns {import("rollup").Plugin} */
export function esbuildTs({ target = "es2022" } = {}) {
  return {
    name: "deepq-esbuild-ts",
    async transform(code, id) {
      if (!/\.[cm]?ts$/.test(id) || id.endsWith(".d.ts")) return null;
      const out = await transform(code, {
        loader: "ts",
        format: "esm",
        target,
        sourcefile: id,
        sourcemap: true,
        // Keep `/* @__PURE__ */` annotations and class names (errors report them).
        keepNames: false,
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
      });
      return { code: out.code, map: out.map };
    },
  };
}
