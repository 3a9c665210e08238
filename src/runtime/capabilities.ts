/**
 * What the JavaScript runtime deepq runs in can do. `capabilities` holds the
 * facts that can be read synchronously (a frozen object); `probeWebGPU()`
 * asks for a WebGPU adapter, which is async, once (memoised).
 */

/** The runtime deepq detected, most specific first. */
export type RuntimeName = "deno" | "bun" | "node" | "workerd" | "edge-light" | "browser" | "worker" | "unknown";

/** What the current runtime can do, detected once at import (`capabilities`). */
export interface Capabilities {
  /** The single best name for the runtime. */
  readonly runtime: RuntimeName;
  /** Node.js itself (not Deno or Bun, which also expose `process.versions.node`). */
  readonly node: boolean;
  /** Deno. */
  readonly deno: boolean;
  /** Bun. */
  readonly bun: boolean;
  /** A window with a document (the main thread of a page). */
  readonly browser: boolean;
  /** A dedicated, shared or service worker of a browser (or a Deno worker). */
  readonly worker: boolean;
  /** Cloudflare workerd (Workers). */
  readonly workerd: boolean;
  /** Vercel's edge runtime (`EdgeRuntime` global). */
  readonly edgeLight: boolean;
  /** workerd or Vercel edge: WASM must arrive as imported modules (entry `deepq/workerd`). */
  readonly edge: boolean;
  /** Whether `WebAssembly.Module` may be compiled from bytes here (false on workerd and Vercel edge). */
  readonly canCompileWasm: boolean;
  /** Whether WebAssembly 128-bit SIMD validates. */
  readonly wasmSimd: boolean;
  /** Whether WebAssembly relaxed SIMD validates. */
  readonly wasmRelaxedSimd: boolean;
  /** Whether `SharedArrayBuffer` can be used (cross-origin isolated pages, Node, Deno, Bun). */
  readonly sharedMemory: boolean;
  /** Whether `navigator.gpu` exists; whether an adapter is granted needs {@link probeWebGPU}. */
  readonly webgpuApi: boolean;
  /** Logical processors reported by the runtime (1 when unknown). */
  readonly hardwareConcurrency: number;
}

/** What `probeWebGPU()` found: the adapter `navigator.gpu` grants, if any. */
export interface WebGPUProbe {
  /** Whether `navigator.gpu.requestAdapter()` returned an adapter. */
  readonly available: boolean;
  /** Whether that adapter is a software fallback (SwiftShader, lavapipe, WARP). */
  readonly isFallbackAdapter: boolean;
  /** The adapter's vendor (`GPUAdapterInfo.vendor`), "" if unknown. */
  readonly vendor: string;
  /** The adapter's architecture (`GPUAdapterInfo.architecture`), "" if unknown. */
  readonly architecture: string;
  /** The adapter's description (`GPUAdapterInfo.description`), "" if unknown. */
  readonly description: string;
  /** Why no adapter, when there is none. */
  readonly reason?: string;
}

// `(module (func (result v128) (v128.const i32x4 0 0 0 0)))`-style probes.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
// `(func (result v128) (i32x4.relaxed_trunc_f32x4_s (v128.const ...)))`.
const RELAXED_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 25, 1, 23, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 129, 2, 11]);
// The smallest valid module: magic and version.
const EMPTY_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** Whether relaxed SIMD validates now (unlike `capabilities`, asked afresh: a V8 flag can turn it on after import). */
export const relaxedSimdValidates = (): boolean => validates(RELAXED_PROBE);

type Global = typeof globalThis & {
  Deno?: { version?: { deno?: string } };
  Bun?: unknown;
  EdgeRuntime?: unknown;
  WorkerGlobalScope?: new () => unknown;
  process?: { versions?: { node?: string; bun?: string } };
  document?: unknown;
  window?: unknown;
};

function detect(): Capabilities {
  const g = globalThis as Global;
  const nav = (g as { navigator?: { userAgent?: string; gpu?: unknown; hardwareConcurrency?: number } }).navigator;
  const deno = typeof g.Deno?.version?.deno === "string";
  const bun = typeof g.Bun !== "undefined" || typeof g.process?.versions?.bun === "string";
  const node = !deno && !bun && typeof g.process?.versions?.node === "string";
  const workerd = nav?.userAgent === "Cloudflare-Workers";
  const edgeLight = typeof g.EdgeRuntime === "string";
  const browser = !deno && typeof g.window === "object" && typeof g.document === "object";
  const worker = !browser && typeof g.WorkerGlobalScope === "function" && g instanceof g.WorkerGlobalScope;
  let canCompileWasm = false;
  try {
    canCompileWasm = typeof WebAssembly === "object" && new WebAssembly.Module(EMPTY_MODULE) instanceof WebAssembly.Module;
  } catch {
    canCompileWasm = false;
  }
  const runtime: RuntimeName = deno
    ? "deno"
    : bun
      ? "bun"
      : node
        ? "node"
        : workerd
          ? "workerd"
          : edgeLight
            ? "edge-light"
            : browser
              ? "browser"
              : worker
                ? "worker"
                : "unknown";
  let sharedMemory = false;
  try {
    sharedMemory = typeof SharedArrayBuffer === "function" && new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    sharedMemory = false;
  }
  return Object.freeze({
    runtime,
    node,
    deno,
    bun,
    browser,
    worker,
    workerd,
    edgeLight,
    edge: workerd || edgeLight,
    canCompileWasm,
    wasmSimd: validates(SIMD_PROBE),
    wasmRelaxedSimd: relaxedSimdValidates(),
    sharedMemory,
    webgpuApi: typeof nav?.gpu === "object" && nav.gpu !== null,
    hardwareConcurrency: Math.max(1, Number(nav?.hardwareConcurrency) || 1),
  });
}

/**
 * The runtime's synchronous facts, detected once when deepq is imported and
 * frozen. (Annotated pure, so a bundle that never reads it drops it.)
 */
export const capabilities: Capabilities = /* @__PURE__ */ detect();

let webgpu: Promise<WebGPUProbe> | undefined;

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  requestAdapterInfo?: () => Promise<{ vendor?: string; architecture?: string; description?: string }>;
}

async function probe(): Promise<WebGPUProbe> {
  const none = (reason: string): WebGPUProbe =>
    Object.freeze({ available: false, isFallbackAdapter: false, vendor: "", architecture: "", description: "", reason });
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(o?: object): Promise<AdapterLike | null> } } }).navigator?.gpu;
  if (!gpu) return none("navigator.gpu is not defined");
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return none(`requestAdapter() threw: ${(e as Error)?.message ?? e}`);
  }
  if (!adapter) return none("requestAdapter() returned null");
  let info = adapter.info;
  if (!info && typeof adapter.requestAdapterInfo === "function") {
    try {
      info = await adapter.requestAdapterInfo();
    } catch {
      info = undefined;
    }
  }
  return Object.freeze({
    available: true,
    // Moved from the adapter to adapter.info in the 2025 WebGPU spec; read both.
    isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false),
    vendor: info?.vendor ?? "",
    architecture: info?.architecture ?? "",
    description: info?.description ?? "",
  });
}

/** Asks for a WebGPU adapter once (memoised) and reports what was granted. Never rejects. */
export function probeWebGPU(): Promise<WebGPUProbe> {
  webgpu ??= probe();
  return webgpu;
}
