/**
 * Bun (npm `bun`) on the built dist/ files.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, FIXTURES, docSnippets, expectSmoke, fileUrl, findRuntime, parseReport, run, tempProject } from "./harness.ts";

const bun = findRuntime("bun");

describe.skipIf(!bun)("runtime: Bun", () => {
  it("dist/deepq.mjs loads and inits; AS arena; the agent trains on fused and tfjs wasm (not cpu); fused, wasm and cpu agree", async () => {
    const r = await run(bun!, [join(import.meta.dirname, "hosts", "host.mjs"), fileUrl(join(DIST, "deepq.mjs")), fileUrl(join(FIXTURES, "smoke.mjs")), JSON.stringify({ parity: ["fused", "wasm", "cpu"] })]);
    expectSmoke(parseReport(r), { runtime: "bun" });
  });

  it("docs/runtimes.md Node snippet runs unchanged in Bun", async () => {
    const dir = tempProject({ "main.mjs": docSnippets().node! });
    const r = await run(bun!, ["main.mjs"], { cwd: dir });
    expect(r.stdout, r.stderr).toMatch(/^deepq on bun: WebAssembly (relaxed-)?simd, fused engine, action [01]\n$/);
  });
});
