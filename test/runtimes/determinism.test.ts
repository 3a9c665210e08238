/**
 * Env and replay sequences are bit-identical across runtimes: the
 * determinism fixture (fixtures/determinism.mjs) hashes N vector-env steps
 * with fixed actions, a seeded single env and N replay samples from fixed
 * seeds, and Acrobot and MountainCar vector steps; Node (the sources, in
 * process, and dist/deepq.mjs), Deno, Bun and Chromium must print the same
 * SHA-256 digests. Each also says whether libm's exact fma ran as one
 * relaxed_madd or in software there; the end prints that per runtime.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as deepq from "../../src/index.ts";
import { launchChromium } from "../support/browser.ts";
import { DIST, ROOT, cdnServer, fileUrl, findRuntime, pageServer, parseReport, run, type StaticServer } from "./harness.ts";

interface Digests {
  flavor: string;
  fma: "relaxed_madd" | "software";
  env: string;
  vector: string;
  replay: string;
  classic: string;
}

const FIXTURE = join(import.meta.dirname, "fixtures", "determinism.mjs");
const HOST = join(import.meta.dirname, "hosts", "host.mjs");
const hostArgs = [HOST, fileUrl(join(DIST, "deepq.mjs")), fileUrl(FIXTURE)];
const digestsOf = (d: Digests) => ({ env: d.env, vector: d.vector, replay: d.replay, classic: d.classic });

let node: Digests;
/** Which WASM build and fma path each runtime took, printed at the end. */
const paths: string[] = [];
const seen = (runtime: string, d: Digests) => {
  paths.push(`  ${runtime.padEnd(28)} ${d.flavor.padEnd(13)} fma: ${d.fma}`);
  console.info(`${runtime} (${d.flavor}, fma ${d.fma}): ${JSON.stringify(digestsOf(d))}`);
};

beforeAll(async () => {
  const { report } = (await import(FIXTURE)) as { report(api: unknown): Promise<Digests> };
  node = await report(deepq);
});

afterAll(() => {
  console.info(`libm's fma path per runtime on this CPU (digests equal on every path):\n${paths.join("\n")}`);
});

describe("determinism across runtimes", () => {
  it("Node, from the sources: the same digests run to run", async () => {
    const { report } = (await import(FIXTURE)) as { report(api: unknown): Promise<Digests> };
    for (const d of Object.values(digestsOf(node))) expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(digestsOf(await report(deepq))).toEqual(digestsOf(node));
    expect(["relaxed_madd", "software"]).toContain(node.fma);
    seen("node, sources", node);
  });

  it("Node, dist/deepq.mjs: the digests of the sources", async () => {
    // A plain node process (no vitest flags) may run the other WASM build: the digests must not care.
    const d = parseReport<Digests>(await run(process.execPath, hostArgs));
    seen("node, dist/deepq.mjs", d);
    expect(digestsOf(d)).toEqual(digestsOf(node));
  });

  const deno = findRuntime("deno");
  it.skipIf(!deno)("Deno: the digests of Node", async () => {
    const env = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", DENO_NO_PACKAGE_JSON: "1", XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), "deepq-xdg-")) };
    const d = parseReport<Digests>(await run(deno!, ["run", "--no-lock", "--no-prompt", "--no-config", `--allow-read=${ROOT}`, ...hostArgs], { env, cwd: tmpdir() }));
    seen("deno", d);
    expect(digestsOf(d)).toEqual(digestsOf(node));
  });

  const bun = findRuntime("bun");
  it.skipIf(!bun)("Bun: the digests of Node", async () => {
    const d = parseReport<Digests>(await run(bun!, hostArgs));
    seen("bun", d);
    expect(digestsOf(d)).toEqual(digestsOf(node));
  });

  const chromium = findRuntime("chromium");
  describe.skipIf(!chromium)("Chromium", () => {
    let browser: Browser;
    let cdn: StaticServer;
    let pages: StaticServer;

    beforeAll(async () => {
      cdn = await cdnServer();
      pages = await pageServer({
        "/determinism.html": `<!doctype html><script type="module">
          import * as deepq from "${cdn.url}/npm/deepq@0.1.0";
          import { report } from "${cdn.url}/npm/deepq@0.1.0/test/runtimes/fixtures/determinism.mjs";
          try {
            window.__report = await report(deepq);
          } catch (e) {
            window.__report = { error: String(e && e.stack || e) };
          }
        </script>`,
      });
      browser = await launchChromium(chromium!);
    });

    afterAll(async () => {
      await browser?.close();
      await cdn?.close();
      await pages?.close();
    });

    it("Chromium (bundle from a CDN origin): the digests of Node", async () => {
      const page = await browser.newPage();
      try {
        // localhost is a secure context, so crypto.subtle exists.
        await page.goto(`${pages.url.replace("127.0.0.1", "localhost")}/determinism.html`);
        await page.waitForFunction("window.__report", null, { timeout: 60_000 });
        const d = (await page.evaluate("window.__report")) as Digests & { error?: string };
        if (d.error) throw new Error(d.error);
        seen("chromium", d);
        expect(digestsOf(d)).toEqual(digestsOf(node));
      } finally {
        await page.close();
      }
    });
  });
});
