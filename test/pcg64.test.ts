/**
 * numpy's SeedSequence -> PCG64 -> random()/uniform() path, in TypeScript
 * (src/envs/pcg64.ts) and WebAssembly (assembly/lib/pcg64.ts), checked
 * exactly against the golden pcg64_checks and against each other.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { PCG64_BYTES } from "../assembly/layout.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { generateState, Pcg64, pcg64Seed, readPcg64, seedSequencePool, writePcg64 } from "../src/envs/pcg64.ts";
import { ArenaPlan, type Arena } from "../src/runtime/wasm.ts";
import { testArena, type TestExports } from "./support/test-wasm.ts";

interface Check {
  seed: string;
  seed_sequence_pool_uint32: number[];
  generate_state_uint64: string[];
  pcg64_initial_state: { state: string; inc: string };
  random_raw_uint64: string[];
  random_double: number[];
  uniform_m005_005_x4: number[];
}

const checks = (JSON.parse(readFileSync(new URL("./fixtures/cartpole-v1.json", import.meta.url), "utf8")) as { pcg64_checks: Check[] }).pcg64_checks;

/** Bits of doubles, so that comparisons are exact (and -0 differs from 0). */
const bits = (xs: ArrayLike<number>): bigint[] => [...new BigUint64Array(Float64Array.from(xs).buffer)];

describe("TypeScript SeedSequence and PCG64", () => {
  for (const c of checks) {
    it(`reproduce numpy for seed ${c.seed}`, () => {
      const seed = BigInt(c.seed);
      const pool = seedSequencePool(seed);
      expect([...pool]).toEqual(c.seed_sequence_pool_uint32);
      expect(generateState(pool, 4).map(String)).toEqual(c.generate_state_uint64);
      const init = pcg64Seed(seed);
      expect({ state: String(init.state), inc: String(init.inc) }).toEqual(c.pcg64_initial_state);
      const raw = new Pcg64(init);
      expect(c.random_raw_uint64.map(() => String(raw.nextU64()))).toEqual(c.random_raw_uint64);
      const rnd = new Pcg64(init);
      expect(bits(c.random_double.map(() => rnd.random()))).toEqual(bits(c.random_double));
      const uni = Pcg64.fromSeed(seed);
      expect(bits(c.uniform_m005_005_x4.map(() => uni.uniform(-0.05, 0.05)))).toEqual(bits(c.uniform_m005_005_x4));
    });
  }

  it("takes number seeds up to 2^53 - 1 as numpy does", () => {
    // numpy 2.4: Generator(PCG64(2**53 - 1)).bit_generator.random_raw(3), and uniform(-0.05, 0.05, 2) of a fresh one.
    const g = Pcg64.fromSeed(Number.MAX_SAFE_INTEGER);
    expect([g.nextU64(), g.nextU64(), g.nextU64()]).toEqual([14504086537174452373n, 11184320671718615185n, 9917144533064508987n]);
    const h = Pcg64.fromSeed(Number.MAX_SAFE_INTEGER);
    expect(bits([h.uniform(-0.05, 0.05), h.uniform(-0.05, 0.05)])).toEqual(bits([0.028626810667611496, 0.01063032385025929]));
    expect(pcg64Seed(42)).toEqual(pcg64Seed(42n));
  });

  it("rejects seeds SeedSequence would not take, or a number could not hold exactly", () => {
    for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 53, -1n, "1", null]) {
      expect(() => pcg64Seed(bad as number)).toThrow(InvalidArgumentError);
    }
  });

  it("round-trips its state through memory and keeps it while drawing", () => {
    const g = Pcg64.fromSeed(7);
    for (let i = 0; i < 5; i++) g.random();
    const buf = new ArrayBuffer(64);
    writePcg64(buf, 32, g.state);
    expect(readPcg64(buf, 32)).toEqual(g.state);
    const h = new Pcg64(readPcg64(buf, 32));
    expect(h.nextU64()).toBe(g.nextU64());
  });
});

for (const flavor of ["simd", "relaxed-simd"] as const) {
  describe(`WebAssembly PCG64 (${flavor} build)`, () => {
    const n = 4096;
    let arena: Arena<TestExports>;
    let state: number;
    let out: number;

    beforeAll(async () => {
      const plan = new ArenaPlan();
      state = plan.region(PCG64_BYTES);
      out = plan.region(8 * n);
      arena = await testArena(plan, flavor);
    });

    for (const c of checks) {
      it(`reproduces numpy for seed ${c.seed}`, () => {
        const init = pcg64Seed(BigInt(c.seed));
        writePcg64(arena.buffer, state, init);
        arena.kernels.pcg64Fill(state, out, c.random_raw_uint64.length);
        expect([...new BigUint64Array(arena.buffer, out, c.random_raw_uint64.length)].map(String)).toEqual(c.random_raw_uint64);
        writePcg64(arena.buffer, state, init);
        arena.kernels.pcg64RandomFill(state, out, c.random_double.length);
        expect(bits(arena.f64(out, c.random_double.length))).toEqual(bits(c.random_double));
        writePcg64(arena.buffer, state, init);
        arena.kernels.pcg64UniformFill(state, out, 4, -0.05, 0.05);
        expect(bits(arena.f64(out, 4))).toEqual(bits(c.uniform_m005_005_x4));
      });
    }

    it("streams and final state equal the TypeScript generator's over long runs", () => {
      for (const seed of [0, 12345, 2 ** 53 - 1]) {
        const ts = Pcg64.fromSeed(seed);
        writePcg64(arena.buffer, state, ts.state);
        arena.kernels.pcg64Fill(state, out, n);
        const raw = [...new BigUint64Array(arena.buffer, out, n)];
        expect(raw).toEqual(Array.from({ length: n }, () => ts.nextU64()));
        arena.kernels.pcg64UniformFill(state, out, n, -2.4, 2.4);
        expect(bits(arena.f64(out, n))).toEqual(bits(Array.from({ length: n }, () => ts.uniform(-2.4, 2.4))));
        expect(readPcg64(arena.buffer, state)).toEqual(ts.state);
      }
    });
  });
}
