/**
 * agent.exportOnnx() loaded by onnxruntime-web (its WebAssembly backend,
 * served from node_modules on the page's origin) in headless Chromium: for a
 * dueling MLP and for a conv net, the page runs a batch of observations and
 * the Q-values match deepq's within 1e-5, with the same greedy actions.
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
import { CONV_SPECS } from "./support/conv-nets.ts";

const chromium = findRuntime("chromium");
const ROWS = 200;

/** The networks exported: a dueling MLP and a conv net with stacked conv layers. */
const [, CONV] = CONV_SPECS[1]!;
const MODELS = [
  { name: "dueling MLP", spaces: { observationSize: 6, nActions: 4 }, options: { netArch: [32, 32], dueling: true } },
  {
    name: `conv net ${JSON.stringify(CONV.observationShape)}`,
    spaces: { observationSize: CONV.observationSize, nActions: CONV.nActions, observationShape: CONV.observationShape },
    options: { netArch: { conv: [...CONV.conv!], dense: [...CONV.hidden] }, dueling: CONV.dueling },
  },
];

const page = (file: string, obs: number[], d: number) => `<!doctype html><script type="module">
  import * as ort from "/ort/ort.wasm.min.mjs";
  ort.env.wasm.wasmPaths = "/ort/";
  ort.env.wasm.numThreads = 1; // no SharedArrayBuffer without cross-origin isolation
  try {
    const session = await ort.InferenceSession.create("/model/${file}", { executionProviders: ["wasm"] });
    const out = await session.run({ obs: new ort.Tensor("float32", Float32Array.from(${JSON.stringify(obs)}), [${ROWS}, ${d}]) });
    window.__result = { inputs: session.inputNames, outputs: session.outputNames, dims: out.q_values.dims, q: Array.from(out.q_values.data) };
  } catch (e) {
    window.__result = { error: String(e && e.stack || e) };
  }
</script>`;

describe.skipIf(!chromium)("ONNX export in onnxruntime-web (wasm) in Chromium", () => {
  let browser: Browser;
  let server: StaticServer;
  const agents: DQN[] = [];
  const inputs: number[][] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "deepq-onnx-web-"));
    const pages: Record<string, string> = {};
    for (const [i, m] of MODELS.entries()) {
      const agent = await DQN.create(m.spaces, { ...m.options, seed: 5, backend: "fused" });
      agents.push(agent);
      writeFileSync(join(dir, `policy${i}.onnx`), await agent.exportOnnx());
      const rng = new Rng(4);
      const obs = Array.from({ length: ROWS * m.spaces.observationSize }, () => Math.fround(rng.uniform(-2, 2)));
      inputs.push(obs);
      pages[`/onnx${i}.html`] = page(`policy${i}.onnx`, obs, m.spaces.observationSize);
    }
    server = await pageServer(pages, { "/ort/": join(ROOT, "node_modules", "onnxruntime-web", "dist"), "/model/": dir });
    browser = await launchChromium(chromium!);
  }, 120_000);

  afterAll(async () => {
    agents.forEach((a) => a.dispose());
    await browser?.close();
    await server?.close();
  });

  it.each(MODELS.map((m, i) => [m.name, i] as const))("runs the exported %s: Q-values within 1e-5 of deepq's, same greedy actions", async (_, i) => {
    const { observationSize: d, nActions: a } = MODELS[i]!.spaces;
    const agent = agents[i]!;
    const obs = inputs[i]!;
    const p = await browser.newPage();
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(e.message));
    await p.goto(`${server.url}/onnx${i}.html`);
    await p.waitForFunction("window.__result", null, { timeout: 60_000 });
    const result = (await p.evaluate("window.__result")) as { error?: string; inputs: string[]; outputs: string[]; dims: number[]; q: number[] };
    await p.close();
    expect(result.error, errors.join("\n")).toBeUndefined();
    expect(result.inputs).toEqual(["obs"]);
    expect(result.outputs).toEqual(["q_values"]);
    expect(result.dims).toEqual([ROWS, a]);
    let worst = 0;
    for (let r = 0; r < ROWS; r++) {
      const row = obs.slice(r * d, (r + 1) * d);
      const mine = agent.qValues(row);
      const theirs = result.q.slice(r * a, (r + 1) * a);
      for (let j = 0; j < a; j++) worst = Math.max(worst, Math.abs(mine[j]! - theirs[j]!));
      expect(theirs.indexOf(Math.max(...theirs))).toBe(agent.predict(row));
    }
    expect(worst).toBeLessThan(1e-5);
  });
});
