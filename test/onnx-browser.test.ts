/**
 * agent.exportOnnx() loaded by onnxruntime-web (its WebAssembly backend,
 * served from node_modules on the page's origin) in headless Chromium: the
 * page runs a batch of observations and the Q-values match deepq's within 1e-5.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DQN } from "../src/index.ts";
import { Rng } from "../src/runtime/rng.ts";
import { findRuntime, pageServer, ROOT, type StaticServer } from "./runtimes/harness.ts";
import { launchChromium } from "./support/browser.ts";

const chromium = findRuntime("chromium");
const ROWS = 200;
const D = 6;
const A = 4;

const page = (obs: number[]) => `<!doctype html><script type="module">
  import * as ort from "/ort/ort.wasm.min.mjs";
  ort.env.wasm.wasmPaths = "/ort/";
  ort.env.wasm.numThreads = 1; // no SharedArrayBuffer without cross-origin isolation
  try {
    const session = await ort.InferenceSession.create("/model/policy.onnx", { executionProviders: ["wasm"] });
    const out = await session.run({ obs: new ort.Tensor("float32", Float32Array.from(${JSON.stringify(obs)}), [${ROWS}, ${D}]) });
    window.__result = { inputs: session.inputNames, outputs: session.outputNames, dims: out.q_values.dims, q: Array.from(out.q_values.data) };
  } catch (e) {
    window.__result = { error: String(e && e.stack || e) };
  }
</script>`;

describe.skipIf(!chromium)("ONNX export in onnxruntime-web (wasm) in Chromium", () => {
  let browser: Browser;
  let server: StaticServer;
  let agent: DQN;
  const obs: number[] = [];

  beforeAll(async () => {
    agent = await DQN.create({ observationSize: D, nActions: A }, { netArch: [32, 32], dueling: true, seed: 5, backend: "fused" });
    const dir = mkdtempSync(join(tmpdir(), "deepq-onnx-web-"));
    writeFileSync(join(dir, "policy.onnx"), await agent.exportOnnx());
    const rng = new Rng(4);
    for (let i = 0; i < ROWS * D; i++) obs.push(Math.fround(rng.uniform(-2, 2)));
    server = await pageServer({ "/onnx.html": page(obs) }, { "/ort/": join(ROOT, "node_modules", "onnxruntime-web", "dist"), "/model/": dir });
    browser = await launchChromium(chromium!);
  }, 120_000);

  afterAll(async () => {
    agent?.dispose();
    await browser?.close();
    await server?.close();
  });

  it("runs the exported dueling network: Q-values within 1e-5 of deepq's, same greedy actions", async () => {
    const p = await browser.newPage();
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(e.message));
    await p.goto(`${server.url}/onnx.html`);
    await p.waitForFunction("window.__result", null, { timeout: 60_000 });
    const result = (await p.evaluate("window.__result")) as { error?: string; inputs: string[]; outputs: string[]; dims: number[]; q: number[] };
    await p.close();
    expect(result.error, errors.join("\n")).toBeUndefined();
    expect(result.inputs).toEqual(["obs"]);
    expect(result.outputs).toEqual(["q_values"]);
    expect(result.dims).toEqual([ROWS, A]);
    let worst = 0;
    for (let r = 0; r < ROWS; r++) {
      const row = obs.slice(r * D, (r + 1) * D);
      const mine = agent.qValues(row);
      const theirs = result.q.slice(r * A, (r + 1) * A);
      for (let a = 0; a < A; a++) worst = Math.max(worst, Math.abs(mine[a]! - theirs[a]!));
      expect(theirs.indexOf(Math.max(...theirs))).toBe(agent.predict(row));
    }
    expect(worst).toBeLessThan(1e-5);
  });
});
