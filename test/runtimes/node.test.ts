/**
 * Node (the one running vitest: Node 20 in CI) on the built dist/ files.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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

  it("reads deepq's modules from the .wasm files beside dist/deepq.mjs, and takes the inlined chunks where those are missing", async () => {
    for (const flavor of ["simd", "relaxed-simd"]) {
      for (const m of ["deepq", "deepq-envs"]) expect(readFileSync(join(DIST, `${m}-${flavor}.wasm`))).toEqual(readFileSync(join(DIST, "..", "build", `${m}-${flavor === "simd" ? "simd" : "relaxed"}.wasm`)));
    }
    // A copy of dist/ without one way in: init, CartPole and MountainCar (the envs module) must work through the other.
    const script = `const d = await import(process.argv[1]);
      const { flavor } = await d.init();
      const env = await d.make("MountainCar-v0");
      const agent = await d.DQN.create(await d.make("CartPole-v1"), { seed: 1 });
      console.log(flavor, env.reset({ seed: 1 }).observation.length, agent.getBackend());`;
    for (const drop of [/^deepq(-envs)?-(relaxed-)?simd\.mjs$/, /^deepq(-envs)?-(relaxed-)?simd\.wasm$/]) {
      const dir = mkdtempSync(join(tmpdir(), "deepq-dist-"));
      cpSync(DIST, dir, { recursive: true, filter: (src) => !drop.test(src.split(/[\\/]/).pop()!) });
      const r = await run(process.execPath, ["--input-type=module", "-e", script, fileUrl(join(dir, "deepq.mjs"))]);
      rmSync(dir, { recursive: true, force: true });
      expect(r.stderr, String(drop)).toBe("");
      expect(r.stdout, String(drop)).toMatch(/^(relaxed-)?simd 2 fused\n$/);
    }
  });

  it("docs/runtimes.md Node snippet runs through package.json exports", async () => {
    const dir = tempProject({ "main.mjs": docSnippets().node! });
    const r = await run(process.execPath, ["main.mjs"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^deepq on node: WebAssembly (relaxed-)?simd, fused engine, action [01]\n$/);
  });
});
