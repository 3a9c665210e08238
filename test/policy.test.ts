import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { POLICY_ROWS } from "../assembly/layout.ts";
import { init, loadPolicy } from "../src/policy.ts";
import { DQN, loadPolicy as loadPolicyMain } from "../src/index.ts";
import { openPolicy } from "../src/policy/policy.ts";
import { compilePolicyModule } from "../src/policy/wasm.ts";
import { init as initFull, supportsRelaxedSimd } from "../src/runtime/wasm.ts";
import { DeepQError, FormatError, InvalidArgumentError, InvalidStateError } from "../src/errors.ts";
import { encodeContainer } from "../src/io/container.ts";
import { referenceForward } from "./oracles/nn-reference.ts";
import { initParams, type NetSpec } from "../src/nn/spec.ts";
import { Rng } from "../src/runtime/rng.ts";
import { referenceArgmax, relError } from "./support/batches.ts";
import { FLAVORS } from "./support/relaxed-simd.ts";

const fixture = new Uint8Array(readFileSync(new URL("./fixtures/torch-qnet/seed-qnet.safetensors", import.meta.url)));
const golden = JSON.parse(readFileSync(new URL("./fixtures/torch-qnet/seed-qnet.json", import.meta.url), "utf8"));

describe("policy runtime (deepq/policy)", () => {
  it("reproduces the PyTorch seed Q-network: Q-values within 1e-5, identical argmax", async () => {
    const policy = await loadPolicy(fixture);
    expect([policy.observationSize, ...policy.spec.hidden, policy.nActions]).toEqual(golden.architecture);
    golden.inputs.forEach((x: number[], i: number) => {
      const q = policy.qValues(x);
      q.forEach((v, j) => expect(Math.abs(v - golden.q_values[i][j])).toBeLessThan(1e-5));
      expect(policy.act(x)).toBe(golden.argmax[i]);
    });
    policy.dispose();
  });

  it("round-trips an agent: save file and exportSafetensors give the agent's actions and Q-values", async () => {
    const agent = await DQN.create({ observationSize: 4, nActions: 3 }, { netArch: [32, 16], dueling: true, seed: 11, backend: "fused" });
    const fromSave = await loadPolicy(await agent.save());
    const fromTorch = await loadPolicy(await agent.exportSafetensors());
    for (let k = 0; k < 50; k++) {
      const x = [Math.sin(k), Math.cos(3 * k), 0.1 * k - 2, Math.sin(k * k)];
      const q = agent.qValues(x);
      for (const p of [fromSave, fromTorch]) {
        expect(p.act(x)).toBe(agent.predict(x));
        p.qValues(x).forEach((v, j) => expect(Math.abs(v - q[j]!)).toBeLessThan(1e-5));
      }
    }
    agent.dispose();
  });

  it("rejects truncated files, foreign bytes and wrong observation lengths", async () => {
    await expect(loadPolicy(fixture.slice(0, fixture.length - 3))).rejects.toThrow(FormatError);
    await expect(loadPolicy(new Uint8Array([1, 2, 3]))).rejects.toThrow(FormatError);
    await expect(loadPolicy("nope" as never)).rejects.toThrow(DeepQError);
    const policy = await loadPolicy(fixture);
    expect(() => policy.act([0, 0, 0])).toThrow(/observation/);
    expect(() => policy.act([0, NaN, 0, 0])).toThrow(DeepQError);
    // Float32Array observations (what env.step returns) take a one-pass copy and check.
    expect(() => policy.act(Float32Array.of(0, 0, Infinity, 0))).toThrow(/observation\[2\]/);
    expect(() => policy.act(Float32Array.of(0, 0, 0))).toThrow(/observation/);
    expect(policy.act(Float32Array.from(golden.inputs[0]))).toBe(golden.argmax[0]);
    policy.dispose();
  });
});

/** A deepq container holding just a network, as loadPolicy reads save files. */
const networkFile = (spec: NetSpec, params: Float32Array) => encodeContainer({ meta: { spec }, arrays: { params } });

describe("policy module (assembly/policy.ts) against the float64 reference", () => {
  it("is the forward pass alone: mlpGreedy and mlpQValues, the same entry points as deepq's full module, in both builds", async () => {
    const full = WebAssembly.Module.exports((await initFull()).module).map((e) => e.name);
    for (const flavor of FLAVORS) {
      const { module } = await compilePolicyModule(flavor);
      const names = WebAssembly.Module.exports(module).map((e) => e.name).sort();
      expect(names).toEqual(["mlpGreedy", "mlpQValues"]);
      expect(full).toEqual(expect.arrayContaining(names));
    }
    // The build init() picks: relaxed SIMD where it validates (these tests turn it on where Node needs a flag).
    expect((await init()).flavor).toBe(supportsRelaxedSimd() ? "relaxed-simd" : "simd");
  });

  it("the main entry's loadPolicy (on the full module) gives deepq/policy's Q-values and actions", async () => {
    const policy = await loadPolicy(fixture);
    const onFull = await loadPolicyMain(fixture);
    const rng = new Rng(9);
    const obs = Float32Array.from({ length: 4 * 200 }, () => rng.uniform(-3, 3));
    expect(relError(onFull.qValues(obs), policy.qValues(obs))).toBeLessThan(1e-6);
    golden.inputs.forEach((x: number[], i: number) => expect(onFull.act(x)).toBe(golden.argmax[i]));
  });

  const specs: NetSpec[] = [
    { observationSize: 4, nActions: 2, hidden: [128, 128], dueling: false },
    { observationSize: 6, nActions: 3, hidden: [24, 17], dueling: true },
    { observationSize: 3, nActions: 5, hidden: [], dueling: false },
    { observationSize: 9, nActions: 4, hidden: [13, 8, 33], dueling: true },
  ];
  for (const spec of specs) {
    const arch = [spec.observationSize, ...spec.hidden, spec.nActions].join("-") + (spec.dueling ? " dueling" : "");
    it(`${arch}: Q-values within 1e-6 of the float64 reference and its greedy actions, in both builds`, async () => {
      const rng = new Rng(17);
      // Nonzero biases too: initial weights plus noise.
      const params = initParams(spec, 5).map((v) => v + rng.uniform(-0.1, 0.1));
      // 5 chunks of POLICY_ROWS and a partial one; 4-row tiles and 1-row edges.
      const rows = 5 * POLICY_ROWS + 7;
      const obs = Float32Array.from({ length: rows * spec.observationSize }, () => rng.uniform(-3, 3));
      const ref = referenceForward(spec, params, obs, rows);
      const refGreedy = referenceArgmax(ref, spec.nActions);
      expect(refGreedy.filter((a) => a < 0).length, "rows too close to call").toBeLessThanOrEqual(rows / 100);
      for (const flavor of FLAVORS) {
        const policy = await openPolicy(networkFile(spec, params), {}, () => compilePolicyModule(flavor));
        expect(relError(policy.qValues(obs), ref)).toBeLessThan(1e-6);
        const greedy = policy.actBatch(obs);
        refGreedy.forEach((a, r) => a >= 0 && expect(greedy[r], `row ${r}`).toBe(a));
        // One row at a time takes the single-row path: the same actions, Q-values as close.
        const single = new Float32Array(100 * spec.nActions);
        for (let r = 0; r < 100; r++) {
          const row = obs.subarray(r * spec.observationSize, (r + 1) * spec.observationSize);
          expect(policy.act(row)).toBe(greedy[r]);
          single.set(policy.qValues(row), r * spec.nActions);
        }
        expect(relError(single, ref.subarray(0, single.length))).toBeLessThan(1e-6);
        policy.dispose();
      }
    });
  }

  it("actBatch: one action per row, into `out` when given; bad `out` and disposed policies are rejected", async () => {
    const policy = await loadPolicy(fixture);
    const rng = new Rng(3);
    const obs = Float32Array.from({ length: 4 * 70 }, () => rng.uniform(-2, 2));
    const out = new Int32Array(70);
    expect(policy.actBatch(obs, out)).toBe(out);
    out.forEach((a, r) => expect(a).toBe(policy.act(obs.subarray(4 * r, 4 * r + 4))));
    expect(() => policy.actBatch(obs, new Int32Array(69))).toThrow(InvalidArgumentError);
    expect(() => policy.actBatch([0, 0, 0])).toThrow(/observations/);
    policy.dispose();
    expect(() => policy.act([0, 0, 0, 0])).toThrow(InvalidStateError);
    expect(() => policy.actBatch(obs)).toThrow(InvalidStateError);
  });
});
