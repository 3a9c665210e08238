/**
 * The test module (scripts/build-wasm.mjs): deepq's kernels built with
 * SCALAR_TWINS = 1, so every kernel that has a SIMD version runs its scalar
 * twin, plus the test-only kernels of assembly/test/. It is read from build/,
 * never bundled; tests and benches instantiate arenas of it to compare the
 * twins with the shipped module and to reach the test kernels, which are
 * bound here as src/runtime/bindings.ts binds the shipped ones.
 */
import { readFileSync } from "node:fs";
import "./relaxed-simd.ts";
import { STATIC_BYTES } from "../../assembly/layout.ts";
import { bindExports, bindDeepq, type DeepqExports } from "../../src/runtime/bindings.ts";
import { instantiateArena, type Arena, type RegionPlan, type WasmFlavor } from "../../src/runtime/wasm.ts";
import { compilerByFlavor } from "../../src/runtime/wasm-compile.ts";

/** The test module's exports: deepq's (as scalar twins) and assembly/test/'s. Addresses of f64 (or u64) arrays, counts. */
export interface TestExports extends DeepqExports {
  /** out[i] = sin(x[i]), scalar. */
  sinBatch(x: number, out: number, n: number): void;
  /** out[i] = cos(x[i]), scalar. */
  cosBatch(x: number, out: number, n: number): void;
  /** sin and cos through the SIMD sincos2, two at a time. */
  sincos2Batch(x: number, sinOut: number, cosOut: number, n: number): void;
  /** sin and cos through sincosWideMany (assembly/lib/libm-wide.ts), MANY_PAIRS pairs at a time. */
  sincosWideManyBatch(x: number, sinOut: number, cosOut: number, n: number): void;
  /** sin and cos through libm-near's approximations (within 2^-44 relative), two at a time. */
  nearBatch(x: number, sinOut: number, cosOut: number, n: number): void;
  /** cos through cosWideMany, MANY_PAIRS pairs at a time. */
  cosWideManyBatch(x: number, out: number, n: number): void;
  /** out[i] = fma(a[i], b[i], c[i]), scalar. */
  fmaBatch(a: number, b: number, c: number, out: number, n: number): void;
  /** The same through fma2, two at a time (n even). */
  fma2Batch(a: number, b: number, c: number, out: number, n: number): void;
  /** out[i] = x[i]**2 as glibc's pow(x, 2.0), scalar (assembly/lib/pow2.ts). */
  pow2Batch(x: number, out: number, n: number): void;
  /** The same through pow2Many (the lanes its fast test leaves out gathered, two at a time), in chunks (an odd last one alone). */
  pow2ManyBatch(x: number, out: number, n: number): void;
  /** n raw u64 outputs of the PCG64 state at `state`. */
  pcg64Fill(state: number, out: number, n: number): void;
  /** n random() doubles. */
  pcg64RandomFill(state: number, out: number, n: number): void;
  /** n uniform(low, high) draws. */
  pcg64UniformFill(state: number, out: number, n: number, low: number, high: number): void;
  /** Address of the sin/cos table in static data. */
  sincostabAddress(): number;
  /** n u32 draws of the xoshiro128** state at `state`. */
  rngFillU32(state: number, out: number, n: number): void;
  /** n doubles of the same generator. */
  rngFillDouble(state: number, out: number, n: number): void;
}

const TEST_NAMES: Record<Exclude<keyof TestExports, keyof DeepqExports>, true> = {
  sinBatch: true,
  cosBatch: true,
  sincos2Batch: true,
  sincosWideManyBatch: true,
  nearBatch: true,
  cosWideManyBatch: true,
  fmaBatch: true,
  fma2Batch: true,
  pow2Batch: true,
  pow2ManyBatch: true,
  pcg64Fill: true,
  pcg64RandomFill: true,
  pcg64UniformFill: true,
  sincostabAddress: true,
  rngFillU32: true,
  rngFillDouble: true,
};

const bindTest = (exports: WebAssembly.Exports): TestExports => ({
  ...bindDeepq(exports),
  ...bindExports<Omit<TestExports, keyof DeepqExports>>(exports, TEST_NAMES, "deepq's test module"),
});

/** The test module of `flavor`, compiled once. */
export const testModule = compilerByFlavor("deepq's test module", (flavor: WasmFlavor) =>
  readFileSync(new URL(`../../build/deepq-test-${flavor === "simd" ? "simd" : "relaxed"}.wasm`, import.meta.url)),
);

/** An arena of the test module for the regions of `plan`. */
export async function testArena(plan: RegionPlan, flavor: WasmFlavor = "simd"): Promise<Arena<TestExports>> {
  return instantiateArena(await testModule(flavor), plan.bytes, bindTest);
}

/**
 * An arena of the test module holding a copy of `arena`'s regions (same
 * plan, so same addresses): its kernels run the scalar twins on the same state.
 */
export async function scalarTwin(arena: Arena): Promise<Arena<TestExports>> {
  const bytes = arena.buffer.byteLength;
  const twin = await instantiateArena(await testModule(arena.flavor), bytes, bindTest);
  twin.u8(STATIC_BYTES, bytes - STATIC_BYTES).set(arena.u8(STATIC_BYTES, bytes - STATIC_BYTES));
  return twin;
}
