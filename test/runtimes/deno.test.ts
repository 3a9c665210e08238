/**
 * Deno 2 (npm `deno`) on the built dist/ files, with no permission flags:
 * everything deepq needs is inside the bundle. WebGPU: Deno + Mesa's lavapipe
 * Vulkan driver (Debian's mesa-vulkan-drivers) grants a software adapter.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { WebGPUProbe } from "../../src/runtime/capabilities.ts";
import { DIST, FIXTURES, ROOT, docSnippets, expectClose, expectSmoke, expectSoftwareWebGPU, fileUrl, findRuntime, parseReport, run, skipOrFail, tempProject } from "./harness.ts";

const deno = findRuntime("deno");
// Quiet, hermetic Deno: no update check, no lockfile or package.json pickup
// for the host; Mesa wants a runtime dir.
const env = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), "deepq-xdg-")) };
const host = (options: object) =>
  // --allow-read only for the host's dynamic import() of computed URLs; the
  // doc snippet below proves deepq itself needs no permission.
  run(deno!, ["run", "--no-lock", "--no-prompt", "--no-config", `--allow-read=${ROOT}`, join(import.meta.dirname, "hosts", "host.mjs"), fileUrl(join(DIST, "deepq.mjs")), fileUrl(join(FIXTURES, "smoke.mjs")), JSON.stringify(options)], {
    env: { ...env, DENO_NO_PACKAGE_JSON: "1" },
    cwd: tmpdir(),
  });

describe.skipIf(!deno)("runtime: Deno", () => {
  it("dist/deepq.mjs loads and inits; AS arena; the agent trains on fused and tfjs wasm; WebGPU on lavapipe: matches wasm within 1e-6 (conv nets 1e-5), auto skips it", async () => {
    const report = parseReport(await host({ parity: ["fused", "wasm", "webgpu"], webgpu: true, convParity: ["fused", "wasm", "webgpu"] }));
    expectSmoke(report, { runtime: "deno" });
    const probe = report.webgpuProbe as WebGPUProbe;
    if (!probe.available) {
      skipOrFail(`Deno got no WebGPU adapter (${probe.reason})`, "Install Mesa's Vulkan drivers: apt-get install -y mesa-vulkan-drivers (.ci/run does it)");
      return;
    }
    expect(probe.isFallbackAdapter, `adapter ${probe.description}`).toBe(true);
    expectSoftwareWebGPU(report);
    // Conv nets: tf.conv2d's kernels on WebGPU (Conv2DBackpropFilter included, which wasm lacks) against wasm and fused.
    const conv = report.convLosses!;
    const losses = (b: string) => {
      const r = conv[b]!;
      if ("error" in r) throw new Error(`conv agent on ${b} failed: ${r.error}`);
      expect(r.backend).toBe(b);
      return r.losses;
    };
    for (const b of ["fused", "webgpu"]) expectClose(losses(b), losses("wasm"), 1e-5, `conv net, ${b} vs wasm: first losses`);
  });

  it("docs/runtimes.md Deno snippet runs with no flags (npm:deepq from node_modules)", async () => {
    const dir = tempProject({ "main.js": docSnippets().deno! });
    const r = await run(deno!, ["run", "--no-lock", "--no-prompt", "main.js"], { cwd: dir, env });
    expect(r.stdout, r.stderr).toMatch(/^deepq on deno: WebAssembly (relaxed-)?simd, fused engine, action [01]\n$/);
  });
});
