/**
 * x**2 as numpy computes it (glibc's pow(x, 2.0), assembly/lib/pow2.ts),
 * checked bit for bit against glibc on test/fixtures/pow2-cases.f64
 * (scripts/gen-libm-fixture.c): Acrobot's velocities, squares pow rounds
 * the other way than x*x, squares at the fast test's 0.48-ulp edge and next
 * to powers of two, the near range's ends, the far range, zeros and
 * infinities. Both the scalar pow2 and the batched pow2Many that Acrobot's
 * vector step runs, in both builds and on both fma paths.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ArenaPlan, type Arena } from "../src/runtime/wasm.ts";
import { FMA_BUILDS } from "./support/relaxed-simd.ts";
import { testArena, type TestExports } from "./support/test-wasm.ts";

const raw = readFileSync(new URL("./fixtures/pow2-cases.f64", import.meta.url));
const rows = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
const xs = rows.filter((_, i) => i % 2 === 0);
const want = rows.filter((_, i) => i % 2 === 1);

/** Inputs whose result differs in any bit from glibc's, as "x: got, want". */
function differences(got: Float64Array): string[] {
  const g = new BigUint64Array(got.buffer);
  const w = new BigUint64Array(want.buffer);
  const bad: string[] = [];
  for (let i = 0; i < xs.length; i++) if (g[i] !== w[i]) bad.push(`${xs[i]}: ${got[i]}, want ${want[i]}`);
  return bad;
}

it("the fixture holds squares that x*x gets wrong, so a plain product fails it", () => {
  const product = Float64Array.from(xs, (x) => x * x);
  expect(differences(product).length).toBeGreaterThan(1000);
});

for (const [flavor, hardwareFma] of FMA_BUILDS) {
  describe(`pow2 (${flavor} build, ${hardwareFma ? "hardware fma where relaxed_madd fuses" : "software fma"})`, () => {
    let arena: Arena<TestExports>;
    let x = 0;
    let out = 0;
    beforeAll(async () => {
      const plan = new ArenaPlan();
      x = plan.region(8 * xs.length);
      out = plan.region(8 * xs.length);
      arena = await testArena(plan, flavor);
      arena.probeFma(hardwareFma);
      arena.f64(x, xs.length).set(xs);
    });

    it.each(["pow2Batch", "pow2ManyBatch"] as const)("%s equals glibc's pow(x, 2.0) on every fixture row", (kernel) => {
      arena.f64(out, xs.length).fill(NaN);
      arena.kernels[kernel](x, out, xs.length);
      expect(differences(arena.f64(out, xs.length).slice()).slice(0, 5)).toEqual([]);
    });

    it("pow2Many passes NaN through on either lane (and the batch's odd last input alone)", () => {
      arena.f64(x, 5).set([NaN, 3, -2.5, NaN, 0.5]);
      arena.kernels.pow2ManyBatch(x, out, 5);
      const got = arena.f64(out, 5).slice();
      arena.f64(x, xs.length).set(xs);
      expect([Number.isNaN(got[0]), got[1], got[2], Number.isNaN(got[3]), got[4]]).toEqual([true, 9, 6.25, true, 0.25]);
    });
  });
}
