/**
 * The engine ladder (DESIGN.md, "Engines"): which engine runs a Q-network.
 *
 * `backend: "auto"` takes the first rung that can run the network:
 *   1. "webgpu": a WebGPU adapter that is not a software fallback
 *      (`isFallbackAdapter`: lavapipe and SwiftShader are, and there tfjs
 *      webgpu trained ~30x slower than wasm), for a network of at least
 *      {@link WEBGPU_MIN_PARAMS} parameters (tfjs's WebGPU backend, a lazily
 *      loaded chunk of dist/deepq.mjs, is fetched only when this rung runs);
 *   2. "fused": deepq's AssemblyScript engine, for the networks it supports;
 *   3. "wasm": tfjs's WebAssembly backend;
 *   4. "cpu": tfjs's plain-JavaScript backend (always available).
 * Any other `backend` runs exactly that engine or throws a BackendError
 * saying why it cannot run here. Either way the report says, per rung, why it
 * was taken or skipped.
 */
import { BackendError } from "../errors.ts";
import type { GpuAdapterLike, GpuLike } from "../runtime/tfjs.ts";
import { checkBackendOption, checkEngineConfig, type BackendOption, type EngineConfig, type EngineName, type QEngine } from "./engine.ts";
import { paramCount } from "./spec.ts";

/**
 * The tfjs engines' module, imported on first use: in dist/deepq.mjs it is a
 * lazily fetched chunk (tfjs and its WebAssembly binary), so an agent on the
 * fused engine never downloads or compiles tfjs.
 */
let tfjsEngineModule: Promise<typeof import("./tfjs/engine.ts")> | undefined;
const loadTfjsEngineModule = () =>
  (tfjsEngineModule ??= import("./tfjs/engine.ts").catch((e: unknown) => {
    tfjsEngineModule = undefined;
    throw new BackendError(`cannot load deepq's tfjs engines: ${(e as Error)?.message ?? e}`);
  }));

/** Why one rung of the ladder was taken or skipped. */
export interface BackendReportEntry {
  /** The engine. */
  backend: EngineName;
  /** Whether the agent runs on it. */
  chosen: boolean;
  /** Why it was chosen or passed over (measured, missing, or asked for). */
  reason: string;
}

/**
 * The hook the fused AssemblyScript engine plugs into: pass one as
 * `LadderOptions.fused`. Until it is passed, "auto" skips the rung with the
 * reason "fused engine not available" and `backend: "fused"` throws.
 */
export interface FusedEngineProvider {
  /** Why the fused engine cannot run this network, or null when it can. */
  unsupportedReason(config: EngineConfig): string | null;
  create(config: EngineConfig): Promise<QEngine>;
}

export interface LadderOptions {
  fused?: FusedEngineProvider;
  /** `navigator.gpu` or a stand-in; default `globalThis.navigator?.gpu`. */
  gpu?: GpuLike;
  /** Smallest network (in parameters) for which "auto" takes WebGPU; default {@link WEBGPU_MIN_PARAMS}. */
  webgpuMinParams?: number;
}

/**
 * Below this many parameters "auto" does not try WebGPU. Not measured on a
 * GPU: the development machine has only software adapters. The estimate:
 * a tfjs update dispatches ~50 kernels, and a WebGPU dispatch costs tens of
 * microseconds, so an update costs ~1-2 ms on any GPU; the wasm update costs
 * ~8 flops per parameter per sample at ~10-20 GFLOP/s, i.e. ~1-2 ms at batch
 * 64 only from ~100k parameters (4-128-128-2 has 17k, 4-256-256-2 67k).
 * Measure on real hardware and override with `webgpuMinParams`.
 */
export const WEBGPU_MIN_PARAMS = 100_000;

const RUNGS: readonly EngineName[] = ["webgpu", "fused", "wasm", "cpu"];

/** Thrown by a rung that cannot run; its message is the report's reason. */
class Skip extends Error {}

/**
 * Builds the engine for `backend` and reports why each rung was taken or
 * skipped. Throws a DeepQError for a bad config or backend name, and a
 * BackendError when an explicitly requested engine cannot run here.
 */
export async function createEngine(config: EngineConfig, backend: BackendOption = "auto", options: LadderOptions = {}): Promise<{ engine: QEngine; report: BackendReportEntry[] }> {
  return runLadder(checkEngineConfig(config), checkBackendOption(backend), options);
}

/** {@link createEngine} for a config and backend already checked (the agent's, from resolveOptions). */
export async function runLadder(config: EngineConfig, backend: BackendOption, options: LadderOptions = {}): Promise<{ engine: QEngine; report: BackendReportEntry[] }> {
  const tryRung = (rung: EngineName, auto: boolean): Promise<QEngine> => {
    switch (rung) {
      case "webgpu":
        return webgpuEngine(config, options, auto);
      case "fused":
        if (!options.fused) throw new Skip("fused engine not available");
        return fusedEngine(config, options.fused);
      case "wasm":
      case "cpu":
        return tfjsEngine(config, rung);
    }
  };

  if (backend !== "auto") {
    try {
      const engine = await tryRung(backend, false);
      return { engine, report: RUNGS.map((r) => ({ backend: r, chosen: r === backend, reason: r === backend ? "requested" : `not requested (backend: "${backend}")` })) };
    } catch (e) {
      throw e instanceof Skip ? new BackendError(`backend "${backend}" cannot run here: ${e.message}`) : e;
    }
  }

  const report: BackendReportEntry[] = [];
  for (const rung of RUNGS) {
    try {
      const engine = await tryRung(rung, true);
      report.push({ backend: rung, chosen: true, reason: chosenReason(rung, config) });
      for (const rest of RUNGS.slice(RUNGS.indexOf(rung) + 1)) report.push({ backend: rest, chosen: false, reason: `not tried: "${rung}" was chosen` });
      return { engine, report };
    } catch (e) {
      if (!(e instanceof Skip) && !(e instanceof BackendError)) throw e;
      report.push({ backend: rung, chosen: false, reason: e.message });
    }
  }
  throw new BackendError(`no engine can run here: ${report.map((r) => `${r.backend}: ${r.reason}`).join("; ")}`);
}

function chosenReason(rung: EngineName, config: EngineConfig): string {
  switch (rung) {
    case "webgpu":
      return `hardware WebGPU adapter and ${paramCount(config.spec)} parameters`;
    case "fused":
      return "the fused engine supports this network";
    case "wasm":
      return "tfjs wasm backend loaded";
    case "cpu":
      return "fallback: plain JavaScript";
  }
}

async function fusedEngine(config: EngineConfig, fused: FusedEngineProvider): Promise<QEngine> {
  const unsupported = fused.unsupportedReason(config);
  if (unsupported !== null) throw new Skip(`fused engine does not support this network: ${unsupported}`);
  return fused.create(config);
}

/**
 * `auto` also requires a hardware adapter and a network big enough to pay for
 * GPU dispatch. The adapter is examined first, so the report names a
 * software adapter as such whatever the network's size.
 */
async function webgpuEngine(config: EngineConfig, options: LadderOptions, auto: boolean): Promise<QEngine> {
  const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) throw new Skip("WebGPU is not available in this runtime (navigator.gpu is missing)");
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (e) {
    throw new Skip(`requesting a WebGPU adapter failed: ${(e as Error).message}`);
  }
  if (!adapter) throw new Skip("no WebGPU adapter was granted");
  const fallback = adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter ?? false;
  if (auto && fallback) throw new Skip(`the WebGPU adapter is a software fallback (${describeAdapter(adapter)}), slower than wasm`);
  const params = paramCount(config.spec);
  const minParams = options.webgpuMinParams ?? WEBGPU_MIN_PARAMS;
  if (auto && params < minParams) throw new Skip(`network too small for the GPU to win (${params} parameters < ${minParams}) on ${describeAdapter(adapter)}`);
  return tfjsEngine(config, "webgpu", adapter);
}

function describeAdapter(adapter: GpuAdapterLike): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.description].filter((s) => s).join(" ") || "unnamed adapter";
}

/** The tfjs engines behind their lazy chunk (see tfjsEngineModule). */
async function tfjsEngine(config: EngineConfig, backend: "wasm" | "webgpu" | "cpu", adapter?: GpuAdapterLike): Promise<QEngine> {
  const { TfjsEngine } = await loadTfjsEngineModule();
  return TfjsEngine.fromConfig(config, backend, adapter);
}
