/**
 * Cloudflare's workerd (npm `workerd`) on dist/workerd.mjs: WASM arrives as
 * `.wasm` modules bound in the config (workerd forbids compiling bytes, so
 * `capabilities.canCompileWasm` must be false and tfjs must still run on wasm,
 * not fall back to cpu).
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { DIST, FIXTURES, docSnippets, expectSmoke, findRuntime, parseReport, serveWorkerd, tempProject, workerdConfig } from "./harness.ts";

const workerd = findRuntime("workerd");
const WASM = ["deepq-simd.wasm", "deepq-envs-simd.wasm", "tfjs-backend-wasm-simd.wasm"];

describe.skipIf(!workerd)("runtime: workerd", () => {
  it("dist/workerd.mjs with .wasm module bindings: inits; AS arena; the agent trains on fused and tfjs wasm (not cpu); fused, wasm and cpu agree", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deepq-workerd-"));
    copyFileSync(join(import.meta.dirname, "hosts", "worker.mjs"), join(dir, "worker.mjs"));
    copyFileSync(join(DIST, "workerd.mjs"), join(dir, "workerd.mjs"));
    copyFileSync(join(FIXTURES, "smoke.workerd.mjs"), join(dir, "smoke.workerd.mjs"));
    for (const f of WASM) copyFileSync(join(DIST, f), join(dir, f));
    const config = workerdConfig([
      ["worker.mjs", "esModule"],
      ["workerd.mjs", "esModule"],
      ["smoke.workerd.mjs", "esModule"],
      ...WASM.map((f): [string, "wasm"] => [f, "wasm"]),
    ]);
    const { status, text, log } = await serveWorkerd(workerd!, dir, config);
    expect(status, text + log).toBe(200);
    expectSmoke(parseReport(text), { runtime: "workerd", canCompileWasm: false });
  });

  it("docs/runtimes.md worker, bundled as wrangler does (workerd condition, .wasm as modules), runs with the doc's workerd config", async () => {
    const snippets = docSnippets();
    const app = tempProject({ "src/worker.js": snippets.workerd! });
    const out = mkdtempSync(join(tmpdir(), "deepq-workerd-app-"));
    // What wrangler does: esbuild with the workerd conditions, .wasm imports
    // kept as modules and uploaded beside the bundle.
    await build({
      entryPoints: [join(app, "src", "worker.js")],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["module", "main"],
      external: ["*.wasm"],
      outfile: join(out, "worker.js"),
      logLevel: "error",
    });
    for (const f of WASM) copyFileSync(join(DIST, f), join(out, f));
    const { status, text, log } = await serveWorkerd(workerd!, out, snippets["workerd-config"]!);
    expect(status, text + log).toBe(200);
    expect(text).toMatch(/^deepq on workerd: WebAssembly simd, fused engine, action [01]$/);
  });
});
