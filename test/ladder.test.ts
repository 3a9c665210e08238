import { afterAll, describe, expect, it } from "vitest";
import { createEngine, WEBGPU_MIN_PARAMS, type FusedEngineProvider } from "../src/nn/ladder.ts";
import type { EngineConfig, QEngine } from "../src/nn/engine.ts";
import type { GpuAdapterLike, GpuLike } from "../src/runtime/tfjs.ts";
import { BackendError, InvalidArgumentError } from "../src/errors.ts";
import { DQN } from "../src/index.ts";

const small: EngineConfig = { spec: { observationSize: 4, nActions: 2, hidden: [64, 64], dueling: false }, learningRate: 1e-3, gamma: 0.99, doubleQ: false, loss: "huber", seed: 0 };
const large: EngineConfig = { ...small, spec: { ...small.spec, hidden: [512, 512] } };

const engines: QEngine[] = [];
afterAll(() => engines.forEach((e) => e.dispose()));
async function build(...args: Parameters<typeof createEngine>) {
  const out = await createEngine(...args);
  engines.push(out.engine);
  return out;
}

/** A navigator.gpu stand-in whose adapter can be a software fallback; requestDevice is never reached in these tests. */
function fakeGpu(adapter: Partial<GpuAdapterLike> | null): GpuLike {
  return { requestAdapter: async () => (adapter ? ({ limits: {}, requestDevice: () => Promise.reject(new Error("no device in tests")), ...adapter } as GpuAdapterLike) : null) };
}

const fakeFused = (reason: string | null, created: EngineConfig[] = []): FusedEngineProvider => ({
  unsupportedReason: () => reason,
  create: async (config) => {
    created.push(config);
    return (await createEngine(config, "cpu")).engine; // stands in for the fused engine
  },
});

describe("engine ladder", () => {
  it("auto in Node: no WebGPU, no fused engine yet, so tfjs wasm, with a reason per rung", async () => {
    const { engine, report } = await build(small, "auto");
    expect(engine.name).toBe("wasm");
    expect(report.map((r) => [r.backend, r.chosen])).toEqual([
      ["webgpu", false],
      ["fused", false],
      ["wasm", true],
      ["cpu", false],
    ]);
    expect(report[0]!.reason).toMatch(/navigator\.gpu is missing/);
    expect(report[1]!.reason).toBe("fused engine not available");
    expect(report[3]!.reason).toMatch(/not tried/);
  });

  it("auto skips WebGPU when navigator.gpu is missing, and for software fallback adapters", async () => {
    const noGpu = await build(large, "auto");
    expect(noGpu.report[0]!.reason).toMatch(/navigator\.gpu is missing/);
    for (const adapter of [{ isFallbackAdapter: true }, { info: { isFallbackAdapter: true, vendor: "mesa", description: "llvmpipe (lavapipe)" } }]) {
      const { engine, report } = await build(large, "auto", { gpu: fakeGpu(adapter) });
      expect(engine.name).toBe("wasm");
      expect(report[0]).toMatchObject({ backend: "webgpu", chosen: false });
      expect(report[0]!.reason).toMatch(/software fallback/);
    }
    const none = await build(large, "auto", { gpu: fakeGpu(null) });
    expect(none.report[0]!.reason).toMatch(/no WebGPU adapter/);
  });

  it("auto tries a hardware adapter for a large network and reports why it failed", async () => {
    expect(WEBGPU_MIN_PARAMS).toBeGreaterThan(17_000); // 4-128-128-2 stays on the CPU engines
    const tooSmall = await build(small, "auto", { gpu: fakeGpu({ isFallbackAdapter: false, info: { vendor: "acme", description: "GPU 9000" } }) });
    expect(tooSmall.report[0]!.reason).toMatch(/too small .* on acme GPU 9000/);
    const { engine, report } = await build(large, "auto", { gpu: fakeGpu({ isFallbackAdapter: false }) });
    expect(engine.name).toBe("wasm");
    expect(report[0]!.reason).toMatch(/no device in tests/);
  });

  it("auto takes the fused engine when it supports the network, and skips it with its reason otherwise", async () => {
    const created: EngineConfig[] = [];
    const taken = await build(small, "auto", { fused: fakeFused(null, created) });
    expect(created).toHaveLength(1);
    expect(taken.report[1]).toEqual({ backend: "fused", chosen: true, reason: "the fused engine supports this network" });
    expect(taken.report[2]!.reason).toMatch(/not tried/);
    const skipped = await build(small, "auto", { fused: fakeFused("more than 4 layers") });
    expect(skipped.engine.name).toBe("wasm");
    expect(skipped.report[1]!.reason).toMatch(/more than 4 layers/);
  });

  it("runs an explicitly requested engine, or throws a BackendError saying why it cannot", async () => {
    const cpu = await build(small, "cpu");
    expect(cpu.engine.name).toBe("cpu");
    expect(cpu.report.find((r) => r.chosen)).toEqual({ backend: "cpu", chosen: true, reason: "requested" });
    await expect(createEngine(small, "webgpu")).rejects.toThrow(BackendError);
    await expect(createEngine(small, "webgpu")).rejects.toThrow(/navigator\.gpu is missing/);
    await expect(createEngine(small, "fused")).rejects.toThrow(/fused engine not available/);
    // A software adapter is allowed when asked for by name (the ladder only refuses it for auto).
    await expect(createEngine(small, "webgpu", { gpu: fakeGpu({ isFallbackAdapter: true }) })).rejects.toThrow(/no device in tests/);
  });

  it("rejects an unknown backend name and bad options before loading anything", async () => {
    await expect(createEngine(small, "gpu" as "auto")).rejects.toThrow(InvalidArgumentError);
    await expect(createEngine(small, "gpu" as "auto")).rejects.toMatchObject({ argument: "options.backend" });
    await expect(createEngine({ ...small, spec: { ...small.spec, hidden: [0] } })).rejects.toMatchObject({ argument: "options.netArch[0]" });
    await expect(createEngine({ ...small, learningRate: NaN })).rejects.toMatchObject({ argument: "options.learningRate" });
  });
});

describe("the agent's backendReport", () => {
  it("names the fused engine's limit that sent a network to tfjs: parameters, width, depth", async () => {
    const cases: [number[], RegExp][] = [
      // 4-2048-2048-2: every layer within 2,048 units, but 4,210,690 parameters.
      [[2048, 2048], /at most 4194304 parameters \(FUSED_LIMITS\.maxParams\); this network has 4210690$/],
      [[4096], /layers of at most 2048 units \(FUSED_LIMITS\.maxWidth\); netArch\[0\] is 4096$/],
      [new Array(9).fill(8), /at most 8 hidden layers \(FUSED_LIMITS\.maxHiddenLayers\); netArch has 9$/],
    ];
    for (const [netArch, reason] of cases) {
      const agent = await DQN.create({ observationSize: 4, nActions: 2 }, { netArch, bufferSize: 1000 });
      expect(agent.getBackend(), `netArch ${netArch}`).toBe("wasm");
      expect(agent.backendReport().find((r) => r.backend === "fused")).toEqual({ backend: "fused", chosen: false, reason: expect.stringMatching(reason) });
      agent.dispose();
    }
  });
});
