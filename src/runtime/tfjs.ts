/**
 * Loading TensorFlow.js backends for the Q-network engines. Each backend is
 * registered, initialised and checked by explicit calls (never by an import's
 * side effects alone, which bundlers may drop), and every failure is reported
 * truthfully: tfjs's `setBackend` resolves `false` instead of throwing, and
 * afterwards `tf.getBackend()` still names the backend that failed, so this
 * module runs the backend's factory itself and throws a {@link BackendError}
 * that says why it failed.
 *
 * tfjs has one active backend per process; engines on different backends
 * (e.g. a wasm agent and a cpu parity check) call {@link activateBackend}
 * before each piece of work.
 */
import { BUNDLED } from "./build-info.ts";
import { nodeBuiltin } from "../io/node-builtin.ts";
import * as tf from "@tensorflow/tfjs-core";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths, type BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { BackendError } from "../errors.ts";

export type TfjsBackendName = "wasm" | "webgpu" | "cpu";

/** The parts of a WebGPU adapter deepq reads (structural, so no WebGPU typings are needed). */
export interface GpuAdapterLike {
  /** Where the WebGPU implementation exposes it on the adapter (older spec, Deno). */
  readonly isFallbackAdapter?: boolean;
  /** Where newer implementations moved it (Chromium 12x+); also vendor and description. */
  readonly info?: { readonly isFallbackAdapter?: boolean; readonly vendor?: string; readonly architecture?: string; readonly description?: string };
  readonly limits: object;
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
  // Bundles deliver tfjs's binary themselves (inlined or as an imported Module).
  if (BUNDLED) return;
  const nodeModule = nodeBuiltin<{ createRequire(from: string): { resolve(id: string): string } }>("node:module");
  if (!nodeModule) return;
  const main = nodeModule.createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
  setWasmPaths(main.replace(/[^\\/]*$/, ""));
}

/**
 * tfjs's WebGPU backend: in dist/deepq.mjs, the lazy chunk
 * deepq-webgpu.mjs (see scripts/rollup/lazy-chunks.mjs), fetched on first use.
 */
async function importWebGPUBackend(): Promise<typeof import("./tfjs-webgpu.ts")> {
  try {
    return await import("./tfjs-webgpu.ts");
  } catch (e) {
    const where = BUNDLED ? " (dist/deepq-tfjs.mjs imports it from deepq-webgpu.mjs beside itself)" : "";
    throw new Error(`cannot load tfjs's WebGPU backend${where}: ${(e as Error)?.message ?? e}`);
  }
}

/** Priorities the backend packages register with (tfjs's own pick when none is set). */
const DEFAULT_PRIORITY: Record<TfjsBackendName, number> = { webgpu: 3, wasm: 2, cpu: 1 };

/** Without side effects: `tf.findBackend` starts initialising a registered backend. */
const isInitialised = (name: TfjsBackendName) => tf.engine().registry[name] !== undefined;

/**
 * Creates a backend instance: webgpu on exactly the adapter given (the one
 * the engine ladder examined, not one tfjs's own factory would request, with
 * limits raised to the adapter's as that factory does); wasm and cpu from the
 * factories their packages registered, cpu registered here if a bundler
 * dropped that (its `MathBackendCPU` keeps the package in any bundle).
 */
async function createBackend(name: TfjsBackendName, adapter: GpuAdapterLike | undefined): Promise<tf.KernelBackend> {
  if (name === "webgpu") {
    if (!adapter) throw new Error("no WebGPU adapter was given");
    const limits = ["maxComputeWorkgroupStorageSize", "maxComputeWorkgroupsPerDimension", "maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupSizeX", "maxComputeInvocationsPerWorkgroup"];
    const { WebGPUBackend } = await importWebGPUBackend();
    const device = await adapter.requestDevice({ requiredLimits: Object.fromEntries(limits.map((k) => [k, (adapter.limits as Record<string, number>)[k]])) });
    return new WebGPUBackend(device as ConstructorParameters<typeof WebGPUBackend>[0], adapter.info as ConstructorParameters<typeof WebGPUBackend>[1]);
  }
  if (name === "cpu") return tf.findBackendFactory("cpu")?.() ?? new MathBackendCPU();
  configureWasmBinaryPath();
  const factory = tf.findBackendFactory("wasm");
  if (!factory) throw new Error("@tensorflow/tfjs-backend-wasm was not loaded (dropped by a bundler?)");
  return factory();
}

/**
 * Makes a tfjs backend available and active; throws a {@link BackendError}
 * saying why it cannot run here (the active backend is unchanged then).
 * `adapter` is required for webgpu and ignored otherwise. `kernels` are the
 * kernels the caller dispatches: a bundle that dropped one fails here, not
 * in the middle of training.
 */
export async function loadBackend(name: TfjsBackendName, kernels: readonly string[], adapter?: GpuAdapterLike): Promise<void> {
  if (!isInitialised(name)) await initialise(name, adapter);
  activateBackend(name);
  registerLayoutKernels(name);
  const missing = kernels.filter((k) => !tf.getKernel(k, name));
  if (missing.length > 0) throw new BackendError(`tfjs backend '${name}' lacks the kernels ${missing.join(", ")} (dropped by a bundler?)`);
}

/**
 * Initialises a backend by calling its factory here rather than through
 * `tf.setBackend`, which swallows the factory's error (it only logs it); the
 * instance is then registered and set, which cannot fail.
 */
async function initialise(name: TfjsBackendName, adapter: GpuAdapterLike | undefined): Promise<void> {
  let backend: tf.KernelBackend;
  try {
    backend = await createBackend(name, adapter);
  } catch (e) {
    throw new BackendError(`tfjs backend '${name}' failed to initialise: ${(e as Error).message ?? e}`);
  }
  const priority = tf.engine().registryFactory[name]?.priority ?? DEFAULT_PRIORITY[name];
  if (tf.findBackendFactory(name)) tf.removeBackend(name);
  tf.registerBackend(name, () => backend, priority);
  if (!(await tf.setBackend(name))) throw new BackendError(`tfjs backend '${name}' failed to initialise`);
}

/**
 * Switches tfjs to an initialised backend. Synchronous: tfjs's `setBackend`
 * finishes before its first await for a backend that is already initialised,
 * and the result is checked rather than trusted.
 */
export function activateBackend(name: TfjsBackendName): void {
  if (tf.engine().backendName !== name && isInitialised(name)) void tf.setBackend(name);
  if (tf.engine().backendName !== name || !isInitialised(name)) {
    throw new BackendError(`tfjs backend '${name}' is not initialised; load it with loadBackend first`);
  }
}

/**
 * deepq's two layout kernels, between a flat parameter vector and the layer
 * tensors it holds: `UNFLATTEN` cuts `x` into consecutive pieces of
 * `attrs.shapes`; `FLATTEN` concatenates its inputs' elements. On wasm they
 * copy within the WASM heap: tfjs's own Slice copies the whole input out of
 * the heap for every piece (`readSync`), 70-250 us to split a 17k-parameter
 * network against ~8 us here. Elsewhere they are the backend's SplitV and
 * Concat. Neither needs the reshapes that would otherwise surround them.
 */
export const UNFLATTEN = "DeepqUnflatten";
export const FLATTEN = "DeepqFlatten";

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function registerLayoutKernels(name: TfjsBackendName): void {
  if (tf.getKernel(UNFLATTEN, name)) return;
  const splitV = tf.getKernel("SplitV", name)?.kernelFunc;
  const concat = tf.getKernel("Concat", name)?.kernelFunc;
  tf.registerKernel({
    kernelName: UNFLATTEN,
    backendName: name,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const shapes = (attrs as unknown as { shapes: number[][] }).shapes;
      if (name !== "wasm") {
        const pieces = splitV!({ inputs, backend, attrs: { numOrSizeSplits: shapes.map(size), axis: 0 } }) as tf.TensorInfo[];
        return pieces.map((p, i) => ({ ...p, shape: shapes[i]! }));
      }
      const wasm = backend as BackendWasm;
      let offset = 0;
      return shapes.map((shape) => {
        const out = wasm.makeOutput(shape, "float32");
        // Heap views are taken after makeOutput, whose allocation may grow (and detach) the heap.
        wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(inputs.x!).subarray(offset, offset + size(shape)));
        offset += size(shape);
        return out;
      });
    },
  });
  tf.registerKernel({
    kernelName: FLATTEN,
    backendName: name,
    kernelFunc: ({ inputs, backend }) => {
      const parts = Object.values(inputs) as tf.TensorInfo[];
      if (name !== "wasm") return concat!({ inputs: parts.map((t) => ({ ...t, shape: [size(t.shape)] })) as unknown as tf.NamedTensorMap, backend, attrs: { axis: 0 } });
      const wasm = backend as BackendWasm;
      const out = wasm.makeOutput([parts.reduce((n, t) => n + size(t.shape), 0)], "float32");
      const heap = wasm.typedArrayFromHeap(out);
      let offset = 0;
      for (const t of parts) {
        heap.set(wasm.typedArrayFromHeap(t), offset);
        offset += size(t.shape);
      }
      return out;
    },
  });
}
