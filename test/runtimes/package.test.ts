/**
 * The package as users install it: `exports` conditions pick the right file,
 * the files are self-contained, and the type declarations compile in a
 * consumer.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { DIST, ROOT, fileUrl, run, tempProject } from "./harness.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const read = (f: string) => readFileSync(join(DIST, f), "utf8");

describe("package", () => {
  it("exports: each condition resolves to its build", async () => {
    const dir = tempProject();
    const resolveWith = async (specifier: string, conditions: string[] = []) => {
      const r = await run(process.execPath, [...conditions.map((c) => `--conditions=${c}`), "--input-type=module", "-e", `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`], { cwd: dir });
      expect(r.stderr).toBe("");
      return r.stdout.trim().replace(fileUrl(ROOT), "");
    };
    expect(await resolveWith("deepq")).toBe("dist/deepq.mjs");
    expect(await resolveWith("deepq", ["browser"])).toBe("dist/deepq.mjs");
    expect(await resolveWith("deepq", ["workerd"])).toBe("dist/workerd.mjs");
    expect(await resolveWith("deepq", ["edge-light"])).toBe("dist/edge.mjs");
    expect(await resolveWith("deepq/workerd")).toBe("dist/workerd.mjs");
    expect(await resolveWith("deepq/workerd", ["edge-light"])).toBe("dist/edge.mjs");
    expect(await resolveWith("deepq/umd")).toBe("dist/deepq.umd.js");
    expect(Object.keys(pkg.exports["."])[0]).toBe("types");
    expect(pkg.sideEffects).toBe(false);
    for (const field of ["main", "module", "unpkg", "jsdelivr", "types"]) expect(existsSync(join(ROOT, pkg[field])), field).toBe(true);
  });

  it("deepq.mjs (readable) and deepq.min.mjs (CDN) import only their lazy chunks, lazily; deepq.umd.js is self-contained; workerd.mjs and edge.mjs import the .wasm files beside them", () => {
    // import("./deepq-X.mjs"), or from <package-root URL>/dist/ (scripts/rollup/lazy-chunks.mjs).
    const lazyImports = (code: string) => [...code.matchAll(/\bimport\s*\((?=(.{0,80}))/g)].map((m) => m[1]!);
    const chunks = ["deepq-simd.mjs", "deepq-relaxed-simd.mjs", "deepq-tfjs.mjs", "deepq-envs.mjs", "deepq-envs-simd.mjs", "deepq-envs-relaxed-simd.mjs", "deepq-files.mjs"];
    for (const f of ["deepq.mjs", "deepq.min.mjs"]) {
      const code = read(f);
      const targets = lazyImports(code).map((t) => /^(["'])\.\/([\w.-]+)\1\)|^import\.meta\.url\.replace\(.*"\/dist\/([\w.-]+)"\)/.exec(t)?.slice(2).find(Boolean));
      expect(new Set(targets), f).toEqual(new Set(chunks));
      expect(code, f).not.toMatch(/^import\s|\bimport\s*[{*\w][^(]*?from\s*["']|\brequire\(|__dirname/m);
      expect(code, f).not.toContain("H4sIA"); // no WebAssembly: each flavour is its own chunk
      expect(code, f).not.toMatch(/tensorflow|Backend name '/); // no tfjs
    }
    expect(read("deepq.umd.js")).toContain("H4sIA"); // base64 of gzip's magic: WebAssembly inlined, compressed
    for (const f of ["deepq-simd.mjs", "deepq-relaxed-simd.mjs", "deepq-envs-simd.mjs", "deepq-envs-relaxed-simd.mjs", "deepq-tfjs-lib.mjs"]) expect(read(f), f).toContain("H4sIA");
    // Lazy chunks import one another (relative URLs), never the entry: deepq.mjs hands them what they need.
    for (const f of [...chunks, "deepq-tfjs-lib.mjs", "deepq-webgpu.mjs"]) {
      const code = read(f);
      expect(code, f).not.toMatch(/from\s*["']\.\/deepq(\.min)?\.mjs["']/);
      for (const [, dep] of code.matchAll(/from\s*["']\.\/([\w.-]+)["']/g)) expect(["deepq-tfjs-lib.mjs"], `${f} imports ${dep}`).toContain(dep);
    }
    expect(lazyImports(read("deepq-tfjs.mjs")).map((t) => t.slice(1, 19))).toEqual(["./deepq-webgpu.mjs"]);
    expect(read("deepq-tfjs.mjs")).toContain(`globalThis[Symbol.for("deepq.lazyImports")]`);
    const webgpuCode = /synchronously reading data from GPU to CPU/; // a message of tfjs-backend-webgpu
    expect(read("deepq-webgpu.mjs")).toMatch(webgpuCode);
    for (const f of ["deepq.mjs", "deepq-tfjs.mjs", "deepq-tfjs-lib.mjs"]) expect(read(f), f).not.toMatch(webgpuCode);
    expect(read("deepq.umd.js")).toMatch(webgpuCode);
    for (const [f, suffix] of [["workerd.mjs", ""], ["edge.mjs", "?module"]] as const) {
      const code = read(f);
      const imports = [...code.matchAll(/import\s*[\w$]+\s*from\s*"([^"]+)"/g)].map((m) => m[1]);
      expect(imports.length, f).toBeGreaterThan(0);
      expect(new Set(imports), f).toEqual(new Set(["./deepq-simd.wasm", "./deepq-envs-simd.wasm", "./tfjs-backend-wasm-simd.wasm"].map((s) => s + suffix)));
      expect(code, f).not.toContain("AGFzbQ"); // no inlined bytes
      expect(code, f).not.toContain("H4sIA");
      for (const spec of imports) expect(existsSync(join(DIST, spec!.replace(/\?module$/, ""))), spec).toBe(true);
    }
  });

  it("deepq.mjs, policy.mjs and cli.mjs are readable, with source maps into src/ that carry the sources; the .min.mjs twins are minified", () => {
    for (const f of ["deepq.mjs", "deepq-tfjs.mjs", "policy.mjs", "cli.mjs"]) {
      const code = read(f);
      const lines = code.split("\n");
      expect(lines.length, f).toBeGreaterThan(300);
      // Node prints the source line of an uncaught error's throw site: no line of code may flood a terminal
      // (imports, inlined binaries and lines holding one string literal, such as a preset's notes, throw nothing).
      const longest = lines.filter((l) => !/^import |^const \w+ = "[\w+/=]+";$|^\s*\w+: "(?:[^"\\]|\\.)*",?$/.test(l)).reduce((a, l) => (l.length > a.length ? l : a), "");
      expect(longest.length, `${f}: ${longest.slice(0, 200)}`).toBeLessThan(1000);
      expect(code, f).toMatch(new RegExp(`\\n//# sourceMappingURL=${f.replace(".", "\\.")}\\.map\\n?$`));
      const map = JSON.parse(read(`${f}.map`)) as { sources: string[]; sourcesContent: string[] };
      expect(map.sources.length, f).toBeGreaterThan(0);
      expect(map.sources.filter((p) => p.startsWith("../src/")).length, f).toBeGreaterThan(0);
      for (const [i, source] of map.sources.entries()) {
        // deepq's sources (the memory layout is shared with assembly/); deepq-tfjs.mjs also has the tfjs modules deepq patches.
        expect(source, f).toMatch(f === "deepq-tfjs.mjs" ? /^\.\.\/(src|assembly|node_modules\/@tensorflow)\/.*\.[jt]s$/ : /^\.\.\/(src|assembly)\/.*\.ts$/);
        expect(map.sourcesContent[i], source).toBe(readFileSync(join(DIST, source), "utf8"));
      }
    }
    for (const f of ["deepq.min.mjs", "policy.min.mjs"]) {
      expect(read(f).split("\n").length, f).toBeLessThan(20);
      expect(read(f), f).not.toContain("sourceMappingURL");
    }
    // The command line imports the library entry instead of bundling a second copy.
    // (The command itself, with train --seeds, tune and export, is about 60 KB; the library is over 1 MB.)
    expect(read("cli.mjs")).toMatch(/^import \{[^}]*\bDQN\b[^}]*\} from '\.\/deepq\.mjs';$/m);
    expect(read("cli.mjs").length).toBeLessThan(100_000);
  });

  it("deepq.mjs and deepq.min.mjs export the public API of src/index.ts, nothing more (nothing for their lazy chunks)", async () => {
    const api = Object.keys(await import("../../src/index.ts")).sort();
    for (const f of ["deepq.mjs", "deepq.min.mjs"]) expect(Object.keys(await import(fileUrl(join(DIST, f)))).sort(), f).toEqual(api);
  });

  it("deepq/policy: built from src/policy.ts once it exists (own builds, self-contained, no tfjs)", async () => {
    expect(pkg.exports["./policy"]).toMatchObject({ types: "./dist/policy.d.ts", default: "./dist/policy.mjs" });
    if (!existsSync(join(ROOT, "src", "policy.ts"))) {
      // Not written yet: nothing may be built for it (no stale file).
      expect(existsSync(join(DIST, "policy.mjs"))).toBe(false);
      return;
    }
    const dir = tempProject();
    const resolve = async (conditions: string[]) =>
      (await run(process.execPath, [...conditions.map((c) => `--conditions=${c}`), "--input-type=module", "-e", `console.log(import.meta.resolve("deepq/policy"))`], { cwd: dir })).stdout.trim().replace(fileUrl(ROOT), "");
    expect(await resolve([])).toBe("dist/policy.mjs");
    expect(await resolve(["workerd"])).toBe("dist/policy.workerd.mjs");
    expect(await resolve(["edge-light"])).toBe("dist/policy.edge.mjs");
    for (const f of ["policy.mjs", "policy.workerd.mjs", "policy.edge.mjs"]) expect(read(f), f).not.toMatch(/tensorflow|tfjs/i);
    expect(existsSync(join(DIST, "policy.d.ts"))).toBe(true);
  });

  it("type declarations compile in a consumer (moduleResolution bundler and node16)", () => {
    const dir = tempProject({
      "main.ts": `import { init, capabilities, probeWebGPU, DeepQError, type Capabilities, type WebGPUProbe } from "deepq";
        import * as edge from "deepq/workerd";
        const c: Capabilities = capabilities;
        const runtime: "node" | string = c.runtime;
        export async function f(): Promise<string> {
          const { flavor } = await init();
          const p: WebGPUProbe = await probeWebGPU();
          const e: DeepQError = new edge.DeepQError("x");
          return flavor + runtime + p.isFallbackAdapter + e.name;
        }
        // @ts-expect-error not exported
        import { FusedQNet } from "deepq";
        void FusedQNet;`,
    });
    for (const moduleResolution of [ts.ModuleResolutionKind.Bundler, ts.ModuleResolutionKind.Node16]) {
      const options: ts.CompilerOptions = {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: moduleResolution === ts.ModuleResolutionKind.Bundler ? ts.ModuleKind.ESNext : ts.ModuleKind.Node16,
        moduleResolution,
        lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
        types: [],
        skipLibCheck: false,
        skipDefaultLibCheck: true, // check deepq's .d.ts files, not lib.dom.d.ts
      };
      const program = ts.createProgram([join(dir, "main.ts")], options);
      const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(diags, `moduleResolution ${ts.ModuleResolutionKind[moduleResolution]}`).toEqual([]);
    }
  });
});
