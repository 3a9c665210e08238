/**
 * Headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
 * loading the bundle cross-origin from a CDN stand-in (a second HTTP server on
 * 127.0.0.1, another port = another origin, with CORS headers) through
 * `<script type="module">`. WebGPU is enabled (`--enable-unsafe-webgpu`): on a
 * machine without a GPU, Chromium grants SwiftShader, a fallback adapter.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebGPUProbe } from "../../src/runtime/capabilities.ts";
import { launchChromium } from "../support/browser.ts";
import type { Report } from "./fixtures/smoke.ts";
import { cdnServer, docSnippets, expectSmoke, expectSoftwareWebGPU, findRuntime, pageServer, skipOrFail, type StaticServer } from "./harness.ts";

const chromium = findRuntime("chromium");
const CDN_PREFIX = "https://cdn.jsdelivr.net";

/** A page that imports the bundle from `bundleUrl` and the smoke fixture from the CDN origin, and leaves the report in `window.__report`. */
const smokePage = (bundleUrl: string, options: object) => `<!doctype html><script type="module">
  import * as deepq from "${bundleUrl}";
  import * as smoke from "${bundleUrl.replace(/\/npm\/.*$/, "")}/build/runtimes/smoke.mjs";
  try {
    window.__report = await smoke.report(deepq, ${JSON.stringify(options)});
  } catch (e) {
    window.__report = { error: String(e && e.stack || e) };
  }
</script>`;

/** "simd" or "relaxed-simd", from a page's "WebAssembly <flavour>" text. */
const flavor = (text: unknown) => /WebAssembly ((?:relaxed-)?simd)/.exec(String(text))?.[1] ?? "none";

describe.skipIf(!chromium)("runtime: Chromium, bundle from a cross-origin CDN", () => {
  let browser: Browser;
  let cdn: StaticServer;
  let pages: StaticServer;

  beforeAll(async () => {
    cdn = await cdnServer();
    const snippets = docSnippets();
    pages = await pageServer({
      // The package-root URL, as jsDelivr serves it: no redirect to dist/.
      "/smoke.html": smokePage(`${cdn.url}/npm/deepq@0.1.0`, { parity: ["fused", "wasm", "cpu", "webgpu"], webgpu: true }),
      "/snippet.html": snippets.browser!.replaceAll(CDN_PREFIX, cdn.url),
      "/snippet-umd.html": snippets["browser-umd"]!.replaceAll(CDN_PREFIX, cdn.url),
      "/snippet-webgpu.html": snippets["browser-webgpu"]!.replaceAll(CDN_PREFIX, cdn.url),
    });
    browser = await launchChromium(chromium!, ["--enable-unsafe-webgpu"]);
  });

  afterAll(async () => {
    await browser?.close();
    await cdn?.close();
    await pages?.close();
  });

  async function open(path: string, ready: string): Promise<{ value: unknown; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    try {
      // localhost vs the CDN's 127.0.0.1: different origins.
      await page.goto(`${pages.url.replace("127.0.0.1", "localhost")}${path}`);
      await page.waitForFunction(ready, null, { timeout: 60_000 });
      return { value: await page.evaluate(ready), errors };
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}\npage errors: ${errors.join("\n")}`);
    } finally {
      await page.close();
    }
  }

  async function smokeReport(path: string): Promise<Report> {
    const { value } = await open(path, "window.__report");
    const report = value as Report & { error?: string };
    if (report.error) throw new Error(report.error);
    return report;
  }

  /** Whether Chromium granted a WebGPU adapter; skips (locally) or fails (CI) when not. */
  function adapterGranted(report: Report): boolean {
    const probe = report.webgpuProbe as WebGPUProbe;
    if (probe.available) return true;
    skipOrFail(`Chromium granted no WebGPU adapter (${probe.reason})`, "Chromium needs --enable-unsafe-webgpu and its SwiftShader Vulkan ICD (Debian's chromium package ships it)");
    return false;
  }

  it("dist/deepq.min.mjs (the jsdelivr entry) from the CDN's package-root URL (no redirect): inits; AS arena; the agent trains on fused, wasm, cpu and WebGPU (SwiftShader, its chunks from …/dist/), which agree within 1e-6; auto skips the software adapter", async () => {
    const report = await smokeReport("/smoke.html");
    expectSmoke(report, { runtime: "browser" });
    expect(cdn.requests).toContain("/npm/deepq@0.1.0");
    if (!adapterGranted(report)) return;
    expect((report.webgpuProbe as WebGPUProbe).isFallbackAdapter, `adapter ${JSON.stringify(report.webgpuProbe)}`).toBe(true);
    expectSoftwareWebGPU(report);
    // The `jsdelivr` entry (the minified build) fetched its chunks from …/dist/.
    for (const chunk of ["deepq-tfjs.mjs", "deepq-tfjs-lib.mjs", "deepq-webgpu.mjs"]) expect(cdn.requests).toContain(`/npm/deepq@0.1.0/dist/${chunk}`);
    expect(cdn.requests.some((r) => /^\/npm\/deepq@0\.1\.0\/dist\/deepq-(relaxed-)?simd\.mjs$/.test(r)), cdn.requests.join(", ")).toBe(true);
  });

  it("docs/runtimes.md <script type=module> snippet runs from the CDN origin", async () => {
    const before = cdn.requests.length;
    const { value, errors } = await open("/snippet.html", "document.body && document.body.textContent.startsWith('deepq on') && document.body.textContent");
    expect(value).toMatch(/^deepq on browser: WebAssembly (relaxed-)?simd, fused engine \(webgpu: the WebGPU adapter is a software fallback \(.*swiftshader.*\), slower than wasm\)$/);
    expect(errors).toEqual([]);
    // A fused agent downloads the minified entry and the one WebAssembly flavour it runs: no tfjs, no WebGPU chunk.
    expect(cdn.requests.slice(before)).toEqual(["/npm/deepq@0.1.0/dist/deepq.min.mjs", `/npm/deepq@0.1.0/dist/deepq-${flavor(value)}.mjs`]);
  });

  it("docs/runtimes.md classic <script> snippet: dist/deepq.umd.js defines the deepq global", async () => {
    const { value, errors } = await open("/snippet-umd.html", "document.body && document.body.textContent.startsWith('deepq on') && document.body.textContent");
    expect(value).toMatch(/^deepq on browser: WebAssembly (relaxed-)?simd, fused engine, action [01]$/);
    expect(errors).toEqual([]);
    expect(cdn.requests).toContain("/npm/deepq@0.1.0/dist/deepq.umd.js");
  });

  it("docs/runtimes.md WebGPU snippet trains on webgpu (SwiftShader), its chunks (tfjs, WebGPU) fetched beside dist/deepq.min.mjs", async () => {
    const before = cdn.requests.length;
    const { value, errors } = await open("/snippet-webgpu.html", "document.body && document.body.textContent.startsWith('trained on') && document.body.textContent");
    expect(value).toMatch(/^trained on webgpu, loss \d+\.\d{3}$/);
    expect(errors).toEqual([]);
    const dist = (f: string) => `/npm/deepq@0.1.0/dist/${f}`;
    expect(new Set(cdn.requests.slice(before))).toEqual(new Set(["deepq.min.mjs", "deepq-tfjs.mjs", "deepq-tfjs-lib.mjs", "deepq-webgpu.mjs"].map(dist).concat(cdn.requests.slice(before).filter((r) => /deepq-(relaxed-)?simd\.mjs$/.test(r)))));
    expect(cdn.requests.slice(before).filter((r) => /deepq-(relaxed-)?simd\.mjs$/.test(r)).length, "at most one WebAssembly flavour").toBeLessThanOrEqual(1);
  });
});
