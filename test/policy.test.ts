import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { loadPolicy } from "../src/policy.ts";
import { DQN } from "../src/index.ts";
import { DeepQError, FormatError } from "../src/errors.ts";

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
    policy.dispose();
  });
});
