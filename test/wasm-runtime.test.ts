import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ArenaPlan, ENVS, init, instantiateArena, supportsRelaxedSimd, useWasmModule } from "../src/runtime/wasm.ts";
import { make } from "../src/envs/registry.ts";
import { BackendError } from "../src/errors.ts";
import { bindDeepq } from "../src/runtime/bindings.ts";
import { REGION_ALIGN, STATIC_BYTES } from "../assembly/layout.ts";

describe("wasm runtime", () => {
  it("a memory the runtime cannot allocate is a BackendError that says what to do, not a RangeError", async () => {
    const tooBig = 2 ** 32 + 65536; // past wasm32's 65,536 pages
    await expect(instantiateArena(await init(), tooBig, bindDeepq)).rejects.toThrow(BackendError);
    await expect(instantiateArena(await init(), tooBig, bindDeepq)).rejects.toThrow(/cannot allocate .* close\(\) or dispose\(\)/);
  });

  it("init() is memoised", async () => {
    const a = init();
    expect(init()).toBe(a);
    const { flavor } = await a;
    expect(flavor).toBe(supportsRelaxedSimd() ? "relaxed-simd" : "simd");
  });

  it("static data fits below STATIC_BYTES, and the module agrees on it", async () => {
    for (const flavor of ["simd", "relaxed-simd"] as const) {
      const arena = await new ArenaPlan().instantiate(flavor);
      expect(arena.kernels.heapBase()).toBeLessThanOrEqual(STATIC_BYTES);
      expect(arena.kernels.staticBytes()).toBe(STATIC_BYTES);
    }
  });

  it("plans aligned regions and sizes the memory once", async () => {
    const plan = new ArenaPlan();
    const a = plan.region(10);
    const b = plan.region(100);
    expect(a).toBe(STATIC_BYTES);
    expect(b % REGION_ALIGN).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 10);
    const arena = await plan.instantiate();
    expect(arena.buffer.byteLength).toBeGreaterThanOrEqual(b + 100);
    expect(() => arena.memory.grow(1)).toThrow();
  });

  it("useWasmModule takes the main or the envs module, told apart by their exports, and refuses any other module", async () => {
    const compiled = (name: string) => new WebAssembly.Module(readFileSync(new URL(`../build/${name}.wasm`, import.meta.url)));
    const main = await init();
    useWasmModule(compiled("deepq-envs-simd"));
    expect((await ENVS.init()).flavor).toBe("simd");
    expect(await init()).toBe(main);
    const env = await make("MountainCar-v0");
    expect(env.reset({ seed: 1 }).observation).toHaveLength(2);
    expect(() => useWasmModule(compiled("deepq-policy"))).toThrow(/one of deepq's modules/);
    expect(() => useWasmModule(new Uint8Array(8) as never)).toThrow(BackendError);
  });
});
