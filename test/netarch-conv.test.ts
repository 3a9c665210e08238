/**
 * netArch with conv layers: the form it takes, the geometry it gives on an
 * [H, W, C] observation (TensorFlow's padding rules), and bad shapes, each a
 * typed error naming the argument, raised before any memory is allocated.
 */
import { describe, expect, it } from "vitest";
import { DQN } from "../src/agent/dqn.ts";
import { loadPolicy } from "../src/policy.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { decodeContainer } from "../src/io/container.ts";
import { resolveOptions } from "../src/agent/options.ts";
import { make } from "../src/envs/registry.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { convGeometry, parseNetArch } from "../src/nn/conv.ts";
import { layerShapes, paramCount, type NetSpec } from "../src/nn/spec.ts";
import { arenaStats } from "../src/runtime/wasm.ts";

const MINATAR: NetSpec = { observationSize: 400, observationShape: [10, 10, 4], nActions: 3, hidden: [128], dueling: false, conv: [{ filters: 16, kernel: 3, stride: 1, padding: "valid" }] };

describe("netArch with conv layers", () => {
  it("keeps [64, 64] an MLP and fills conv defaults (stride 1, valid)", () => {
    expect(resolveOptions({ netArch: [64, 64] }).netArch).toEqual([64, 64]);
    expect(resolveOptions({ netArch: { dense: [32] } }).netArch).toEqual([32]);
    expect(resolveOptions({ netArch: { conv: [{ filters: 16, kernel: 3 }], dense: [128] } }).netArch).toEqual({
      conv: [{ filters: 16, kernel: 3, stride: 1, padding: "valid" }],
      dense: [128],
    });
  });

  it("places layers as TensorFlow pads them", () => {
    const g = (shape: number[], kernel: number, stride: number, padding: "valid" | "same") => {
      const [l] = convGeometry(shape, [{ filters: 2, kernel, stride, padding }]);
      return [l!.outH, l!.outW, l!.padTop, l!.padLeft];
    };
    expect(g([10, 10, 4], 3, 1, "valid")).toEqual([8, 8, 0, 0]);
    expect(g([10, 10, 4], 3, 2, "valid")).toEqual([4, 4, 0, 0]);
    expect(g([10, 10, 4], 3, 1, "same")).toEqual([10, 10, 1, 1]);
    expect(g([10, 10, 4], 3, 2, "same")).toEqual([5, 5, 0, 0]); // one row of padding, at the bottom
    expect(g([9, 7, 2], 4, 2, "same")).toEqual([5, 4, 1, 1]); // 3 rows (1 top), 3 columns (1 left)
  });

  it("gives the MinAtar network PyTorch's parameter count (conv 16 3x3, FC 128, 3 actions)", () => {
    const shapes = layerShapes(MINATAR);
    expect(shapes.map((l) => [l.name, l.inSize, l.outSize])).toEqual([
      ["conv.0", 36, 16],
      ["layers.0", 1024, 128],
      ["layers.1", 128, 3],
    ]);
    expect(paramCount(MINATAR)).toBe(16 * 4 * 9 + 16 + (1024 * 128 + 128) + (128 * 3 + 3));
  });

  it("trains an MLP on the flattened [10, 10, 4] observation", async () => {
    const agent = await DQN.create(await make("MinAtar/Breakout-v1"), { netArch: [32], bufferSize: 100, backend: "fused" });
    expect(agent.observationSize).toBe(400);
    expect(agent.spec.observationShape).toEqual([10, 10, 4]);
    agent.dispose();
  });
});

describe("an agent with a conv net", () => {
  it("trains on MinAtar Breakout on the fused engine, saves, loads, and runs in deepq/policy", async () => {
    const env = await make("MinAtar/Breakout-v1");
    const agent = await DQN.create(env, { netArch: { conv: [{ filters: 16, kernel: 3 }], dense: [32] }, bufferSize: 2000, learningStarts: 100, batchSize: 16, seed: 1 });
    expect(agent.getBackend()).toBe("fused");
    await agent.learn({ totalTimesteps: 400 });
    const back = await DQN.load(await agent.save(), { env });
    expect(back.spec.conv).toEqual([{ filters: 16, kernel: 3, stride: 1, padding: "valid" }]);
    const policy = await loadPolicy(await agent.save());
    expect(policy.spec.conv).toEqual(agent.spec.conv);
    for (let s = 0; s < 5; s++) {
      const obs = env.reset({ seed: s }).observation;
      const action = agent.predict(obs, { deterministic: true });
      expect(back.predict(obs, { deterministic: true })).toBe(action);
      // deepq/policy runs the same forward pass, conv layer included.
      expect(policy.act(obs)).toBe(action);
      expect(policy.qValues(obs)).toEqual(agent.qValues(obs));
    }
  });

  it("exports safetensors in nn.Conv2d's layout, the next layer's inputs in NCHW flatten order", async () => {
    // Checked once by hand against MinAtar's QNetwork in PyTorch (load_state_dict, Q-values within 4e-8).
    const agent = await DQN.create(await make("MinAtar/Breakout-v1"), { netArch: { conv: [{ filters: 16, kernel: 3 }], dense: [32] }, bufferSize: 100 });
    const params = decodeContainer(await agent.save()).arrays.params as Float32Array;
    const { tensors } = readSafetensors(await agent.exportSafetensors({ names: ["conv", "fc_hidden", "output"] }));
    const conv = tensors.get("conv.weight")!;
    const fc = tensors.get("fc_hidden.weight")!;
    expect([conv.shape, fc.shape, tensors.get("output.weight")!.shape]).toEqual([[16, 4, 3, 3], [32, 1024], [3, 32]]);
    // Canonical conv W [ky, kx, c, o] -> torch [o, c, ky, kx]; fc row (y, x, f) of the 8x8x16 output -> column f*64 + y*8 + x.
    const [ky, kx, c, o] = [1, 2, 3, 5];
    expect(conv.data[((o * 4 + c) * 3 + ky) * 3 + kx]).toBe(params[((ky * 3 + kx) * 4 + c) * 16 + o]);
    const fcOffset = 16 * 36 + 16;
    const [y, x, f, j] = [2, 3, 7, 9];
    expect(fc.data[j * 1024 + f * 64 + y * 8 + x]).toBe(params[fcOffset + ((y * 8 + x) * 16 + f) * 32 + j]);
  });

  it.each(["wasm", "cpu"] as const)("trains on the tfjs %s engine; its save runs on the fused engine with the same Q-values", async (backend) => {
    const env = await make("MinAtar/Breakout-v1");
    const agent = await DQN.create(env, { netArch: { conv: [{ filters: 4, kernel: 3, stride: 2, padding: "same" }], dense: [16] }, bufferSize: 500, learningStarts: 50, batchSize: 8, seed: 2, backend });
    expect(agent.getBackend()).toBe(backend);
    await agent.learn({ totalTimesteps: 150 });
    const fused = await DQN.load(await agent.save(), { env, backend: "fused" });
    expect(fused.getBackend()).toBe("fused");
    for (let s = 0; s < 3; s++) {
      const obs = env.reset({ seed: s }).observation;
      const [a, b] = [agent.qValues(obs), fused.qValues(obs)];
      for (let i = 0; i < a.length; i++) expect(a[i]!).toBeCloseTo(b[i]!, 5);
    }
    agent.dispose();
    fused.dispose();
  });
});

describe("bad conv netArch", () => {
  const conv = (layer: Record<string, unknown>) => ({ netArch: { conv: [{ filters: 8, kernel: 3, ...layer }], dense: [16] } });
  it.each([
    [{ netArch: "64" }, "options.netArch", /conv/],
    [{ netArch: { conv: {} } }, "options.netArch.conv", /array/],
    [{ netArch: { dense: [0] } }, "options.netArch.dense[0]", /integer in \[1, 65536\]/],
    [{ netArch: { conv: [], layers: [3] } }, "options.netArch.layers", /unknown option/],
    [{ netArch: { conv: [null] } }, "options.netArch.conv[0]", /filters, kernel/],
    [conv({ filters: 0 }), "options.netArch.conv[0].filters", /integer in \[1, 4096\]/],
    [conv({ filters: 1.5 }), "options.netArch.conv[0].filters", /integer/],
    [conv({ kernel: "3" }), "options.netArch.conv[0].kernel", /integer in \[1, 64\]/],
    [conv({ stride: 0 }), "options.netArch.conv[0].stride", /integer in \[1, 16\]/],
    [conv({ padding: "full" }), "options.netArch.conv[0].padding", /"valid", "same"/],
    [conv({ dilation: 2 }), "options.netArch.conv[0].dilation", /unknown option/],
  ])("%j is an InvalidArgumentError naming %s", (options, argument, allowed) => {
    let error: unknown;
    try {
      resolveOptions(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as Error).message).toMatch(allowed);
  });

  it.each([
    ["a conv net on a flat observation", () => make("CartPole-v1"), conv({}), "options.netArch.conv", /\[H, W, C\]/],
    ["a kernel larger than the observation", () => make("MinAtar/Breakout-v1"), conv({ kernel: 11 }), "options.netArch.conv[0].kernel", /10x10/],
    [
      "a kernel larger than the previous layer's output",
      () => make("MinAtar/Breakout-v1"),
      { netArch: { conv: [{ filters: 8, kernel: 3, stride: 2 }, { filters: 8, kernel: 5 }] } },
      "options.netArch.conv[1].kernel",
      /4x4/,
    ],
    ["a flattened conv output wider than 65536", () => make("MinAtar/Breakout-v1"), conv({ filters: 4096, padding: "same" }), "options.netArch.conv (flattened output)", /65536/],
  ])("%s is rejected before anything is allocated", async (_, env, options, argument, allowed) => {
    const e = await env();
    const before = arenaStats().count;
    const error = await DQN.create(e, options).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as Error).message).toMatch(allowed);
    expect(arenaStats().count).toBeLessThanOrEqual(before);
  });

  it("rejects an observationShape that does not match observationSize", async () => {
    const error = await DQN.create({ observationSize: 400, nActions: 3, observationShape: [10, 10, 3] }, conv({})).catch((x: unknown) => x);
    expect((error as InvalidArgumentError).argument).toBe("envOrSpec.observationShape");
  });
});
