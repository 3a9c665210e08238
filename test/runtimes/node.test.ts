/**
 * Node (the one running vitest: Node 20 in CI) on the built dist/ files.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, FIXTURES, docSnippets, expectSmoke, fileUrl, parseReport, run, tempProject } from "./harness.ts";

describe("runtime: Node", () => {
  it("dist/deepq.mjs loads and inits; AS arena; the agent trains on fused and tfjs wasm (not cpu); fused, wasm and cpu agree", async () => {
    const r = await run(process.execPath, [
      join(import.meta.dirname, "hosts", "host.mjs"),
      fileUrl(join(DIST, "deepq.mjs")),
      fileUrl(join(FIXTURES, "smoke.mjs")),
      JSON.stringify({ parity: ["fused", "wasm", "cpu"] }),
    ]);
    const report = parseReport(r);
    expectSmoke(report, { runtime: "node" });
    // No process-wide handlers left behind by emscripten's Node branch.
    expect(r.stderr).not.toMatch(/uncaughtException|unhandledRejection/);
  });

  it("docs/runtimes.md Node snippet runs through package.json exports", async () => {
    const dir = tempProject({ "main.mjs": docSnippets().node! });
    const r = await run(process.execPath, ["main.mjs"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^deepq on node: WebAssembly (relaxed-)?simd, fused engine, action [01]\n$/);
  });
});
