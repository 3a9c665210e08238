/**
 * loadPolicy of a PyTorch conv Q-network (test/fixtures/torch-conv: its
 * script, the safetensors file and torch's Q-values on channels-last
 * observations): deepq/policy and the main entry reproduce torch, the
 * network reads back into torch's tensors unchanged, and a file whose conv
 * layers cannot be placed is a typed error.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../src/policy.ts";
import { loadPolicy as loadPolicyMain } from "../src/index.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { fromTorchTensors, toTorchTensors } from "../src/nn/torch-layout.ts";
import { FormatError, InvalidArgumentError } from "../src/errors.ts";
import { relError } from "./support/batches.ts";

const dir = new URL("./fixtures/torch-conv/", import.meta.url);
const bytes = new Uint8Array(readFileSync(new URL("conv-qnet.safetensors", dir)));
const golden = JSON.parse(readFileSync(new URL("conv-qnet.json", dir), "utf8")) as {
  observation_shape: number[];
  conv: Array<{ stride: number; padding: "valid" | "same" }>;
  observations: number[][];
  q_values: number[][];
  argmax: number[];
};
const options = { observationShape: golden.observation_shape, conv: golden.conv };

describe("loadPolicy of a PyTorch conv net", () => {
  it.each([
    ["deepq/policy", loadPolicy],
    ["the main entry", loadPolicyMain],
  ])("reproduces torch's Q-values within 1e-5 (%s)", async (_, load) => {
    const policy = await load(bytes, options);
    expect(policy.spec.conv).toEqual([
      { filters: 16, kernel: 3, stride: 1, padding: "same" },
      { filters: 8, kernel: 3, stride: 2, padding: "valid" },
    ]);
    expect([policy.observationSize, ...policy.spec.hidden, policy.nActions]).toEqual([400, 32, 3]);
    const q = policy.qValues(golden.observations.flat());
    const want = golden.q_values.flat();
    for (let i = 0; i < want.length; i++) expect(Math.abs(q[i]! - want[i]!), `Q ${i}`).toBeLessThan(1e-5);
    expect(relError(q, want)).toBeLessThan(1e-5);
    expect(Array.from(policy.actBatch(golden.observations.flat()))).toEqual(golden.argmax);
    policy.dispose();
  });

  it("reads the tensors back out unchanged (nn.Conv2d [out, in, kh, kw], NCHW flatten order)", () => {
    const { tensors } = readSafetensors(bytes);
    const { spec, params } = fromTorchTensors(tensors, undefined, options);
    const back = new Map(toTorchTensors(spec, params, ["conv", "conv2", "fc_hidden", "output"]));
    expect([...back.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [name, t] of tensors) {
      expect(back.get(name)!.shape, name).toEqual(t.shape);
      expect(back.get(name)!.data, name).toEqual(t.data);
    }
  });

  it("needs the observation shape, and strides and paddings that fit the dense layer", async () => {
    await expect(loadPolicy(bytes)).rejects.toThrow(FormatError);
    await expect(loadPolicy(bytes)).rejects.toThrow(/observationShape \[H, W, C\]/);
    // Stride 1 valid everywhere gives 6x6x8 = 288 inputs to fc_hidden, which takes 128.
    await expect(loadPolicy(bytes, { observationShape: [10, 10, 4] })).rejects.toThrow(/no layer takes 288 inputs \(the conv layers' output\)/);
    await expect(loadPolicy(bytes, { ...options, observationShape: [10, 10, 3] })).rejects.toThrow(/do not chain from the observation's 3 channels/);
    const bad = await loadPolicy(bytes, { ...options, conv: [{ stride: 0 }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    expect((bad as InvalidArgumentError).argument).toBe("options.conv[0].stride");
    const shape = await loadPolicy(bytes, { observationShape: [10, 10] }).catch((e: unknown) => e);
    expect((shape as InvalidArgumentError).argument).toBe("options.observationShape");
  });
});
