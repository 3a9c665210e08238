/**
 * The built deepq/policy files in the runtimes they are for: dist/policy.mjs
 * (policy module inlined) in Node, dist/policy.workerd.mjs in workerd and
 * dist/policy.edge.mjs in Vercel's EdgeVM with WASM from bytes disabled,
 * both of which must import deepq-policy.wasm (not deepq's full module) as a
 * WebAssembly.Module. Each loads the PyTorch seed Q-network and must give its
 * golden Q-values (within 1e-5) and actions, on the build it should pick. Needs `npm run build`.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { supportsRelaxedSimd } from "../src/runtime/wasm.ts";
import { DIST, bundleForEdge, edgeVM, fileUrl, findRuntime, serveWorkerd, workerdConfig } from "./runtimes/harness.ts";

const FIXTURE = join(import.meta.dirname, "fixtures", "torch-qnet", "seed-qnet.safetensors");
const golden = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "torch-qnet", "seed-qnet.json"), "utf8")) as {
  inputs: number[][];
  q_values: number[][];
  argmax: number[];
};

interface Answer {
  exports: string[];
  flavor: string;
  q: number[][];
  actions: number[];
}

/** The source of a function `answer(deepqPolicy, bytes)` every host runs: what the policy gives on the golden inputs. */
const ANSWER = `async function answer(policyEntry, bytes) {
  const policy = await policyEntry.loadPolicy(bytes);
  const inputs = ${JSON.stringify(golden.inputs)};
  return {
    exports: Object.keys(policyEntry).sort(),
    flavor: (await policyEntry.init()).flavor,
    q: inputs.map((x) => Array.from(policy.qValues(x))),
    actions: inputs.map((x) => policy.act(x)),
  };
}`;

/** `flavor`: the build the host must run (edge builds import the plain one; inlined, relaxed SIMD where it validates). */
function expectGolden(a: Answer, flavor = "simd"): void {
  expect(a.exports).toEqual(expect.arrayContaining(["loadPolicy", "init", "useWasmModule", "DeepQError"]));
  expect(a.flavor).toBe(flavor);
  a.q.forEach((q, i) => q.forEach((v, j) => expect(Math.abs(v - golden.q_values[i]![j]!)).toBeLessThan(1e-5)));
  expect(a.actions).toEqual(golden.argmax);
}

const workerd = findRuntime("workerd");
const edgeRuntime = findRuntime("edge-runtime");

describe("deepq/policy built files", () => {
  it("dist/policy.mjs in Node: the policy module inlined", async () => {
    const entry = await import(fileUrl(join(DIST, "policy.mjs")));
    const answer = new Function(`return ${ANSWER}`)() as (e: unknown, b: Uint8Array) => Promise<Answer>;
    // The test setup turns relaxed SIMD on where Node 20 needs a flag for it.
    expectGolden(await answer(entry, new Uint8Array(readFileSync(FIXTURE))), supportsRelaxedSimd() ? "relaxed-simd" : "simd");
  });

  it.skipIf(!workerd)("dist/policy.workerd.mjs in workerd, with deepq-policy.wasm bound as a module", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deepq-policy-workerd-"));
    for (const f of ["policy.workerd.mjs", "deepq-policy.wasm"]) copyFileSync(join(DIST, f), join(dir, f));
    copyFileSync(FIXTURE, join(dir, "qnet.safetensors"));
    writeFileSync(
      join(dir, "worker.mjs"),
      `import * as policyEntry from "./policy.workerd.mjs";
import bytes from "./qnet.safetensors";
${ANSWER}
export default {
  async fetch() {
    try {
      return new Response(JSON.stringify(await answer(policyEntry, new Uint8Array(bytes))));
    } catch (e) {
      return new Response(String(e?.stack ?? e), { status: 500 });
    }
  },
};
`,
    );
    const config = workerdConfig([
      ["worker.mjs", "esModule"],
      ["policy.workerd.mjs", "esModule"],
      ["deepq-policy.wasm", "wasm"],
      ["qnet.safetensors", "data"],
    ]);
    const { status, text, log } = await serveWorkerd(workerd!, dir, config);
    expect(status, text + log).toBe(200);
    expectGolden(JSON.parse(text) as Answer);
  });

  it.skipIf(!edgeRuntime)("dist/policy.edge.mjs in EdgeVM (no WASM from bytes), with deepq-policy.wasm?module", async () => {
    const bytes = readFileSync(FIXTURE).toString("base64");
    const { script, wasm } = await bundleForEdge(
      `import * as policyEntry from ${JSON.stringify(`${DIST}/policy.edge.mjs`)};
       ${ANSWER}
       const bytes = Uint8Array.from(atob(${JSON.stringify(bytes)}), (c) => c.charCodeAt(0));
       export const run = () => answer(policyEntry, bytes);`,
      dirname(DIST),
      "__policy",
    );
    expect(Object.keys(wasm)).toEqual(["wasm_deepq_policy_wasm"]);
    const vm = await edgeVM(wasm);
    vm.evaluate(script);
    expectGolden(JSON.parse(await vm.evaluate<Promise<string>>("__policy.run().then(JSON.stringify)")) as Answer);
  });
});
