/**
 * presets: the MinAtar Breakout preset is MinAtar's DQN network (conv 16
 * 3x3, FC 128, 3 actions) on the env's [10, 10, 4] board, and its options
 * pass the public edge's checks.
 */
import { describe, expect, it } from "vitest";
import { DQN, make, presets } from "../src/index.ts";
import { layerShapes } from "../src/nn/spec.ts";

describe("presets", () => {
  it("MinAtar/Breakout-v1 builds MinAtar's network on the fused engine", async () => {
    const preset = presets["MinAtar/Breakout-v1"]!;
    // A small buffer: only the network is under test here.
    const agent = await DQN.create(await make("MinAtar/Breakout-v1"), { ...preset.options, bufferSize: 1000 });
    expect(agent.getBackend()).toBe("fused");
    expect(layerShapes(agent.spec).map((l) => [l.name, l.inSize, l.outSize])).toEqual([
      ["conv.0", 36, 16],
      ["layers.0", 1024, 128],
      ["layers.1", 128, 3],
    ]);
    expect(preset.evaluation.freq).toBeLessThanOrEqual(preset.totalTimesteps);
    agent.dispose();
  });
});
