/**
 * Loading TensorFlow.js backends for the Q-network engines. Each backend is
 * registered, initialised and checked by explicit calls (never by an import's
 * side effects alone, which bundlers may drop), and every failure is reported
 * truthfully: tfjs's `setBackend` resolves `false` instead of throwing, and
 * afterwards `tf.getBackend()` still names the backend that failed, so this
 * module checks the result, restores the previous backend and throws a
 * {@link BackendError} that says why.
 *
 * tfjs has one active backend per process; engines on different backends
 * (e.g. a wasm agent and a cpu parity check) call {@link activateBackend}
 * before each piece of work.
 */
import * as tf from "@tensorflow/tfjs-core";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { BackendError } from "../errors.ts";

export type TfjsBackendName = "wasm" | "webgpu" | "cpu";

/** The parts of a WebGPU adapter deepq reads (structural, so no WebGPU typings are needed). */
export interface GpuAdapterLike {
  /** Where the WebGPU implementation exposes it on the adapter (older spec, Deno). */
  readonly isFallbackAdapter?: boolean;
  /** Where newer implementations moved it (Chromium 12x+); also vendor and description. */
  readonly info?: { readonly isFallbackAdapter?: boolean; readonly vendor?: string; readonly architecture?: string; readonly description?: string };
  readonly limits: Record<string, unknown>;
  requestDevice(descriptor?: object): Promise<unknown>;
}

/** `navigator.gpu`, as far as deepq uses it. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: "high-performance" | "low-power" }): Promise<GpuAdapterLike | null>;
}

/**
 * Where the wasm backend fetches its `.wasm` binaries. Node only, for now:
 * tfjs's Node glue looks beside itself (dist/wasm-out/), where the binaries
 * are not, so it is pointed at the package's dist/. Elsewhere tfjs's default
 * (beside the script) applies. The bundle replaces this function.
 */
function configureWasmBinaryPath(): void {
  const nodeModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:module") as
    | { createRequire(from: string): { resolve(id: string): string } }
    | undefined;
  if (!nodeModule) return;
  const main = nodeModule.createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
  setWasmPaths(main.replace(/[^\\/]*$/, ""));
}

/** Registers the cpu backend if its package's import did not (its `MathBackendCPU` keeps the package in any bundle). */
function registerCpu(): void {
  if (!tf.findBackendFactory("cpu")) tf.registerBackend("cpu", () => new MathBackendCPU(), 1);
}

/**
 * Registers webgpu on a given adapter, replacing the factory tfjs registers on
 * import (which requests its own adapter): the backend then runs on exactly
 * the adapter the engine ladder examined. Limits are raised to the adapter's,
 * as tfjs's own factory does.
 */
function registerWebGpu(adapter: GpuAdapterLike): void {
  if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
  const limitNames = ["maxComputeWorkgroupStorageSize", "maxComputeWorkgroupsPerDimension", "maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupSizeX", "maxComputeInvocationsPerWorkgroup"];
  const requiredLimits = Object.fromEntries(limitNames.map((k) => [k, adapter.limits[k]]));
  tf.registerBackend("webgpu", async () => {
    const device = await adapter.requestDevice({ requiredLimits });
    return new WebGPUBackend(device as ConstructorParameters<typeof WebGPUBackend>[0], adapter.info as ConstructorParameters<typeof WebGPUBackend>[1]);
  });
}

/**
 * Makes a tfjs backend available and active; throws a {@link BackendError}
 * saying why it cannot run here (the previous backend stays active then).
 * `adapter` is required for webgpu and ignored otherwise. `kernels` are the
 * kernels the caller dispatches: a bundle that dropped one fails here, not
 * in the middle of training.
 */
export async function loadBackend(name: TfjsBackendName, kernels: readonly string[], adapter?: GpuAdapterLike): Promise<void> {
  if (!tf.findBackend(name)) await initialise(name, adapter);
  activateBackend(name);
  const missing = kernels.filter((k) => !tf.getKernel(k, name));
  if (missing.length > 0) throw new BackendError(`tfjs backend '${name}' lacks the kernels ${missing.join(", ")} (dropped by a bundler?)`);
}

async function initialise(name: TfjsBackendName, adapter: GpuAdapterLike | undefined): Promise<void> {
  if (name === "cpu") registerCpu();
  if (name === "wasm") configureWasmBinaryPath();
  if (name === "webgpu") {
    if (!adapter) throw new BackendError("tfjs backend 'webgpu' needs a WebGPU adapter, and none was given");
    registerWebGpu(adapter);
  }
  if (!tf.findBackendFactory(name)) {
    throw new BackendError(`tfjs backend '${name}' is not registered: @tensorflow/tfjs-backend-${name} was not loaded (dropped by a bundler?)`);
  }
  const previous = tf.engine().backendName;
  let ok = false;
  let failure = "";
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    failure = `: ${(e as Error).message}`;
  }
  if (!ok) {
    if (previous && previous !== name && tf.findBackend(previous)) await tf.setBackend(previous);
    const hint = name === "wasm" ? " (usually its .wasm binary could not be loaded; tfjs logged the cause)" : "";
    throw new BackendError(`tfjs backend '${name}' failed to initialise${failure || hint}`);
  }
}

/**
 * Switches tfjs to an initialised backend. Synchronous: tfjs's `setBackend`
 * finishes before its first await for a backend that is already initialised,
 * and the result is checked rather than trusted.
 */
export function activateBackend(name: TfjsBackendName): void {
  if (tf.engine().backendName !== name) void tf.setBackend(name);
  if (tf.engine().backendName !== name || tf.engine().backend !== tf.findBackend(name)) {
    throw new BackendError(`tfjs backend '${name}' is not initialised; load it with loadBackend first`);
  }
}
