/**
 * Vercel's edge runtime: the `edge-runtime` package's EdgeVM (the sandbox
 * Vercel and `next dev` run edge functions in) with WebAssembly code
 * generation from bytes DISABLED, as in production. The code is bundled as
 * Next.js does for the edge: `edge-light` condition, and each
 * `import m from "./x.wasm?module"` becomes a `WebAssembly.Module` compiled
 * outside the sandbox and handed in as a global (`wasm_<name>`), so it comes
 * from another realm, as it does there.
 */
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import type { Report } from "./fixtures/smoke.ts";
import { DIST, FIXTURES, bundleForEdge, docSnippets, edgeVM, expectSmoke, findRuntime, tempProject } from "./harness.ts";

const edgeRuntime = findRuntime("edge-runtime");

describe.skipIf(!edgeRuntime)("runtime: Vercel edge (EdgeVM, no WASM from bytes)", () => {
  it("dist/edge.mjs with ?module imports: inits; AS arena; the agent trains on fused and tfjs wasm (not cpu); fused, wasm and cpu agree", async () => {
    const { script, wasm } = await bundleForEdge(
      `import * as deepq from ${JSON.stringify(`${DIST}/edge.mjs`)};
       import * as smoke from ${JSON.stringify(`${FIXTURES}/smoke.edge.mjs`)};
       export const run = () => smoke.report(deepq, { parity: ["fused", "wasm", "cpu"] });`,
      dirname(DIST),
      "__edgeSmoke",
    );
    expect(Object.keys(wasm).sort()).toEqual(["wasm_deepq_envs_simd_wasm", "wasm_deepq_simd_wasm", "wasm_tfjs_backend_wasm_simd_wasm"]);
    const vm = await edgeVM(wasm);
    vm.evaluate(script);
    const report = JSON.parse(await vm.evaluate<Promise<string>>("__edgeSmoke.run().then(JSON.stringify)")) as Report;
    expectSmoke(report, { runtime: "edge-light", canCompileWasm: false });
  });

  it("docs/runtimes.md route handler, bundled as Next.js does (edge-light condition), answers in EdgeVM", async () => {
    const app = tempProject({ "app/api/deepq/route.js": docSnippets().vercel! });
    const { script, wasm } = await bundleForEdge(`export * from "./app/api/deepq/route.js";`, app, "__route");
    const vm = await edgeVM(wasm);
    vm.evaluate(script);
    expect(vm.evaluate("__route.runtime")).toBe("edge");
    const text = await vm.evaluate<Promise<string>>("__route.GET(new Request('http://localhost/api/deepq')).then((r) => r.text())");
    expect(text).toMatch(/^deepq on edge-light: WebAssembly simd, fused engine, action [01]$/);
  });
});
