/**
 * Node 20 (V8 11.3) validates relaxed SIMD only behind a flag; later
 * runtimes ship it. Tests and benches run both builds of the module, so they
 * turn the flag on, before any compile, where the runtime still needs it.
 */
import { setFlagsFromString } from "node:v8";
import { supportsRelaxedSimd } from "../../src/runtime/wasm.ts";

if (!supportsRelaxedSimd()) setFlagsFromString("--experimental-wasm-relaxed-simd");

/** Both builds of deepq's module, for tests that run each explicitly. */
export const FLAVORS = ["simd", "relaxed-simd"] as const;

/**
 * The builds and fma paths that libm's kernels run: the SIMD build, and the
 * relaxed-SIMD build twice, fma as one relaxed_madd where this host fuses it
 * and emulated (`probeFma(false)`).
 */
export const FMA_BUILDS = [
  ["simd", true],
  ["relaxed-simd", true],
  ["relaxed-simd", false],
] as const;
