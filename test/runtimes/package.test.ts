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

  it("deepq.mjs and deepq.umd.js are self-contained (deepq.mjs imports only its WebGPU chunk, lazily); workerd.mjs and edge.mjs import the .wasm files beside them", () => {
    for (const f of ["deepq.mjs", "deepq.umd.js"]) {
      const code = read(f);
      // deepq.mjs: import("./deepq-webgpu.mjs"), or from <package-root URL>/dist/ (scripts/rollup/lazy-chunks.mjs).
      const lazy = [...code.matchAll(/\bimport\s*\((?=(.{0,60}))/g)].map((m) => m[1]);
      expect(lazy, f).toHaveLength(f === "deepq.mjs" ? 2 : 0);
      for (const target of lazy) expect(target).toMatch(/^("\.\/deepq-webgpu\.mjs"\)|import\.meta\.url\.replace\(.*"\/dist\/deepq-webgpu\.mjs"\))/);
      expect(code, f).not.toMatch(/^import\s|\brequire\(|__dirname/m);
      expect(code, f).toContain("H4sIA"); // base64 of gzip's magic: WebAssembly inlined, compressed
    }
    // The chunk holds tfjs's WebGPU backend and imports nothing: deepq.mjs hands it what it needs.
    const chunk = read("deepq-webgpu.mjs");
    expect(chunk).not.toMatch(/\bfrom\s*["']|\bimport\s*\(/);
    expect(chunk).toContain(`globalThis[Symbol.for("deepq.lazyImports")]`);
    const webgpuCode = /synchronously reading data from GPU to CPU/; // a message of tfjs-backend-webgpu
    expect(chunk).toMatch(webgpuCode);
    expect(read("deepq.mjs")).not.toMatch(webgpuCode);
    expect(read("deepq.umd.js")).toMatch(webgpuCode);
    for (const [f, suffix] of [["workerd.mjs", ""], ["edge.mjs", "?module"]] as const) {
      const code = read(f);
      const imports = [...code.matchAll(/import\s*\w+\s*from\s*"([^"]+)"/g)].map((m) => m[1]);
      expect(imports.length, f).toBeGreaterThan(0);
      for (const spec of imports) expect(["./deepq-simd.wasm", "./tfjs-backend-wasm-simd.wasm"].map((s) => s + suffix), f).toContain(spec);
      expect(code, f).not.toContain("AGFzbQ"); // no inlined bytes
      for (const spec of imports) expect(existsSync(join(DIST, spec!.replace(/\?module$/, ""))), spec).toBe(true);
    }
  });

  it("deepq.mjs exports the public API of src/index.ts, nothing more (nothing for its lazy chunk)", async () => {
    const api = Object.keys(await import("../../src/index.ts")).sort();
    expect(Object.keys(await import(fileUrl(join(DIST, "deepq.mjs")))).sort()).toEqual(api);
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
        import { ArenaPlan } from "deepq";
        void ArenaPlan;`,
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
