/**
 * The test module (scripts/build-wasm.mjs): deepq's kernels built with
 * SCALAR_TWINS = 1, so every kernel that has a SIMD version runs its scalar
 * twin, plus the test-only kernels of assembly/test/. It is read from build/,
 * never bundled; tests and benches instantiate arenas of it to compare the
 * twins with the shipped module and to reach the test kernels.
 */
import { readFileSync } from "node:fs";
import "./relaxed-simd.ts";
import { STATIC_BYTES } from "../../assembly/layout.ts";
import { instantiateArena, type Arena, type WasmFlavor } from "../../src/runtime/wasm.ts";
import { compilerByFlavor } from "../../src/runtime/wasm-compile.ts";

/** The test module of `flavor`, compiled once. */
export const testModule = compilerByFlavor("deepq's test module", (flavor: WasmFlavor) =>
  readFileSync(new URL(`../../build/deepq-test-${flavor === "simd" ? "simd" : "relaxed"}.wasm`, import.meta.url)),
);

/**
 * An arena of the test module holding a copy of `arena`'s regions (same
 * plan, so same addresses): its kernels run the scalar twins on the same state.
 */
export async function scalarTwin(arena: Arena): Promise<Arena> {
  const twin = await instantiateArena(await testModule(arena.flavor), arena.buffer.byteLength);
  twin.u8(STATIC_BYTES, arena.buffer.byteLength - STATIC_BYTES).set(arena.u8(STATIC_BYTES, arena.buffer.byteLength - STATIC_BYTES));
  return twin;
}
