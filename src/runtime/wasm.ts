/**
 * Loading deepq's WebAssembly modules and creating arenas (see the layout
 * in assembly/layout.ts). Each module is compiled once per process, from
 * bytes inlined in the bundle (only the flavour used is unpacked), or taken
 * precompiled from {@link useWasmModule} where the runtime forbids compiling
 * bytes (workerd, Vercel edge). The main module runs CartPole, the replay
 * buffers and the fused engine; the envs module, the other registered envs
 * (Acrobot, MountainCar, MinAtar Breakout), compiled on their first make.
 */
import { PAGE, REGION_ALIGN, STATIC_BYTES } from "../../assembly/layout.ts";
import { BackendError } from "../errors.ts";
import { relaxedSimdValidates } from "./capabilities.ts";
import { inflateBase64, siblingWasm } from "./inline-wasm.ts";
import { compilerByFlavor, instantiateWasm, isWasmModule } from "./wasm-compile.ts";
import { bindDeepq, bindEnvs, type Binder, type DeepqExports, type EnvsExports } from "./bindings.ts";

/** Which build of the module runs: plain 128-bit SIMD, or with relaxed SIMD (fused multiply-add). */
export type WasmFlavor = "simd" | "relaxed-simd";

/** A compiled module and the build it is. */
export interface Loaded {
  /** The compiled module. */
  module: WebAssembly.Module;
  /** Which build it is. */
  flavor: WasmFlavor;
}

/**
 * One of deepq's modules: its builds compiled once each (relaxed SIMD where
 * the runtime validates it), or one handed in precompiled, and the binder of
 * its exports. @internal
 */
export class WasmModule<K> {
  private provided: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;

  constructor(
    /** Compiles a build, at most once (`compilerByFlavor`). */
    readonly compile: (flavor: WasmFlavor) => Promise<Loaded>,
    readonly bind: Binder<K>,
    /** An export only this module has, which tells it from the others in {@link useWasmModule}. */
    readonly marker: string,
  ) {}

  provide(loaded: Loaded): void {
    this.provided = loaded;
    this.loading = undefined;
  }

  /** The build this runtime runs, compiled once (memoised; a failure is not kept). */
  init(): Promise<Loaded> {
    if (this.provided) return Promise.resolve(this.provided);
    this.loading ??= this.compile(supportsRelaxedSimd() ? "relaxed-simd" : "simd").catch((e: unknown) => {
      this.loading = undefined;
      throw e;
    });
    return this.loading;
  }

  /** An arena of `bytes` on this module; `build` forces a build, or gives another compiled module (tests compare them). */
  async instantiate(bytes: number, build?: WasmFlavor | Loaded): Promise<Arena<K>> {
    const loaded = build === undefined ? await this.init() : typeof build === "string" ? await this.compile(build) : build;
    return instantiateArena(loaded, bytes, this.bind);
  }
}

/**
 * The builds of the module shipped as `<file>-<flavor>.wasm`: each flavour's
 * bytes are a module of their own, `inlined(flavor)`, imported on first use
 * (dist/deepq.mjs fetches only the one it runs), or in Node the same binary
 * read from beside the bundle (siblingWasm).
 */
function shippedBuilds(what: string, file: string, inlined: (flavor: WasmFlavor) => Promise<{ WASM_GZIP_BASE64: string }>): (flavor: WasmFlavor) => Promise<Loaded> {
  return compilerByFlavor(what, async (flavor) => siblingWasm(`${file}-${flavor}.wasm`, import.meta.url) ?? inflateBase64((await inlined(flavor)).WASM_GZIP_BASE64));
}

const DEEPQ = new WasmModule(
  shippedBuilds("deepq's WebAssembly module", "deepq", (flavor) => (flavor === "simd" ? import("./wasm-simd.generated.ts") : import("./wasm-relaxed.generated.ts"))),
  bindDeepq,
  "mlpUpdate",
);

/** The envs module, @internal: the envs beyond CartPole instantiate their arenas on it. */
export const ENVS = new WasmModule<EnvsExports>(
  shippedBuilds("deepq's envs WebAssembly module", "deepq-envs", (flavor) =>
    flavor === "simd" ? import("./wasm-envs-simd.generated.ts") : import("./wasm-envs-relaxed.generated.ts"),
  ),
  bindEnvs,
  "acrobotStep",
);

/** Whether this runtime validates the relaxed-SIMD build (a probe of the same instructions, not the whole module). */
export function supportsRelaxedSimd(): boolean {
  return relaxedSimdValidates();
}

/**
 * Gives deepq one of its modules precompiled instead of letting it compile
 * the inlined bytes: the main module (`deepq-simd.wasm`) or the envs module
 * (`deepq-envs-simd.wasm`), told apart by their exports. Edge runtimes
 * (workerd, Vercel edge) import `.wasm` files as `WebAssembly.Module`s and
 * forbid compiling bytes. Call before {@link init} (the envs module: before
 * the first make of an env other than CartPole).
 */
export function useWasmModule(module: WebAssembly.Module, flavor: WasmFlavor = "simd"): void {
  if (!isWasmModule(module)) throw new BackendError("useWasmModule expects a WebAssembly.Module");
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const target = [DEEPQ, ENVS].find((m) => names.has(m.marker));
  if (!target) throw new BackendError("useWasmModule expects one of deepq's modules (deepq-simd.wasm or deepq-envs-simd.wasm)");
  target.provide({ module, flavor });
}

/**
 * Compiles the main module once (memoised; later calls return the same
 * promise). Picks the relaxed-SIMD build where the runtime validates it.
 */
export function init(): Promise<Loaded> {
  return DEEPQ.init();
}

/**
 * Live arenas and their bytes, counted down by a FinalizationRegistry as
 * memories are collected. (WeakRefs would do it too, but every WeakRef made
 * keeps its target alive until the microtask queue drains, so a loop that
 * creates envs without yielding to a task would pin every memory it made.)
 */
const live = { count: 0, bytes: 0 };
const collected = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<number>((bytes) => ((live.count -= 1), (live.bytes -= bytes))) : undefined;

/**
 * @internal The arenas (WebAssembly memories) not yet garbage-collected and
 * their bytes: how much WebAssembly memory deepq holds right now. Leak tests
 * read it after collecting garbage (and letting a task run, when
 * finalizers report); it drops as envs, buffers, networks and agents that
 * were disposed and dropped are collected.
 */
export function arenaStats(): { count: number; bytes: number } {
  return { ...live };
}

/** Plans the regions of one arena: addresses are known before its memory exists, so owners keep them as plain numbers. */
export class RegionPlan {
  private end = STATIC_BYTES;

  /** Reserves `bytes` (rounded up to the alignment) and returns the region's address. */
  region(bytes: number, align = REGION_ALIGN): number {
    const at = Math.ceil(this.end / align) * align;
    this.end = at + Math.max(0, bytes);
    return at;
  }

  /** Total bytes planned so far. */
  get bytes(): number {
    return this.end;
  }
}

/** A plan of regions (`region(bytes)` returns each one's address) of deepq's module, instantiated with a memory of exactly the size needed. */
export class ArenaPlan extends RegionPlan {
  /** Instantiates the arena; `build` forces a build of deepq's module, or gives another compiled one (tests compare them). */
  instantiate(build?: WasmFlavor | Loaded): Promise<Arena> {
    return DEEPQ.instantiate(this.bytes, build);
  }
}

/** Instantiates `loaded` with a memory of `bytes` (whole pages) that never grows; `bind` types its exports (src/runtime/bindings.ts). */
export async function instantiateArena<K>({ module, flavor }: Loaded, bytes: number, bind: Binder<K>): Promise<Arena<K>> {
  const pages = Math.ceil(bytes / PAGE);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch (e) {
    // Runtimes cap the address space all live memories reserve (V8: ~10 GiB each on 64-bit), whatever their size.
    throw new BackendError(
      `cannot allocate ${bytes} bytes of WebAssembly memory (${(e as Error).message}); each env, buffer, agent and policy holds one until it is garbage-collected: close() or dispose() those no longer used`,
    );
  }
  if (collected) {
    live.count += 1;
    live.bytes += memory.buffer.byteLength;
    collected.register(memory, memory.buffer.byteLength);
  }
  const instance = await instantiateWasm(module, {
    env: {
      memory,
      abort: () => {
        throw new BackendError("deepq's WebAssembly module aborted");
      },
    },
  });
  const arena = new Arena(memory, bind(instance.exports), flavor);
  arena.probeFma(true);
  return arena;
}

/** Operands whose product-sum differs fused (-2^-60) and unfused (0): assembly/fma.ts. */
const FMA_PROBE = [1 + 2 ** -30, 1 - 2 ** -30, -1] as const;

/** One instance of a module with its own memory, which never grows; `kernels` are its typed exports. */
export class Arena<K = DeepqExports> {
  constructor(
    /** The instance's memory (imported, never grown). */
    readonly memory: WebAssembly.Memory,
    /** The instance's exports, typed (src/runtime/bindings.ts). */
    readonly kernels: K,
    /** The build it runs. */
    readonly flavor: WasmFlavor,
  ) {}

  /**
   * Whether libm's exact fma runs as one relaxed_madd here (the relaxed-SIMD
   * build on a host whose engine fuses it) rather than emulated: set at
   * instantiation by a probe, see assembly/fma.ts.
   */
  hardwareFma = false;

  /** Probes relaxed_madd and sets {@link hardwareFma}; `allow` false keeps the emulation (tests run both paths). */
  probeFma(allow: boolean): boolean {
    // The policy module has no libm, and so no probe.
    const probe = (this.kernels as Partial<Pick<DeepqExports, "fmaProbe">>).fmaProbe;
    this.hardwareFma = probe?.(...FMA_PROBE, allow ? 1 : 0) === 1;
    return this.hardwareFma;
  }

  /** The memory's bytes. */
  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }
  /** A view of `length` values of that type at byte address `ptr` (and likewise f32, i32, u32, u8). */
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }
  /** {@inheritDoc Arena.f64} */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }
  /** {@inheritDoc Arena.f64} */
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
  /** {@inheritDoc Arena.f64} */
  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, ptr, length);
  }
  /** {@inheritDoc Arena.f64} */
  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }
}
