/**
 * deepq's glibc-identical sin/cos and exact fma, checked bit for bit:
 * against glibc's own values (the golden libm_checks and
 * test/fixtures/libm-sincos.f64 from scripts/gen-libm-fixture.c), C's fma()
 * (test/fixtures/fma-cases.f64), and between the TypeScript, scalar
 * WebAssembly and SIMD WebAssembly implementations in both module builds.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { cos, fma, sin } from "./oracles/libm.ts";
import { SINCOSTAB } from "./oracles/sincostab.ts";
import { ArenaPlan, type Arena } from "../src/runtime/wasm.ts";
import { FMA_BUILDS } from "./support/relaxed-simd.ts";
import { testArena, type TestExports } from "./support/test-wasm.ts";

function fixture(name: string): Float64Array {
  const b = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Every `stride`-th value starting at `offset`. */
function column(rows: Float64Array, stride: number, offset: number): Float64Array {
  return Float64Array.from({ length: rows.length / stride }, (_, i) => rows[i * stride + offset]!);
}

/** Indices where got and want differ in any bit (NaNs of either sign and payload count as equal). */
function mismatches(got: Float64Array, want: Float64Array): number[] {
  expect(got.length).toBe(want.length);
  const g = new BigUint64Array(got.buffer, got.byteOffset, got.length);
  const w = new BigUint64Array(want.buffer, want.byteOffset, want.length);
  const bad: number[] = [];
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) bad.push(i);
  }
  return bad;
}

/** Asserts bit equality, showing the first few differing inputs. */
function expectBits(got: Float64Array, want: Float64Array, inputs: Float64Array, what: string): void {
  const bad = mismatches(got, want);
  const shown = bad.slice(0, 5).map((i) => `x=${inputs[i]}: got ${got[i]}, want ${want[i]}`);
  expect(shown, `${what}: ${bad.length} of ${got.length} differ`).toEqual([]);
}

/** Deterministic test inputs (xorshift64*), so failures reproduce. */
function inputs(n: number, seed: bigint, make: (u: number, bits: bigint) => number): Float64Array {
  let s = seed;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    const bits = (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
    out[i] = make(Number(bits >> 11n) * 2 ** -53, bits);
  }
  return out;
}

const asDouble = (bits: bigint): number => new Float64Array(new BigUint64Array([bits]).buffer)[0]!;

const golden = JSON.parse(readFileSync(new URL("./fixtures/cartpole-v1.json", import.meta.url), "utf8")) as {
  libm_checks: [number, number, number][];
};
const goldenX = Float64Array.from(golden.libm_checks, (r) => r[0]);
const goldenSin = Float64Array.from(golden.libm_checks, (r) => r[1]);
const goldenCos = Float64Array.from(golden.libm_checks, (r) => r[2]);
const table = fixture("libm-sincos.f64");
const tableX = column(table, 3, 0);
const tableSin = column(table, 3, 1);
const tableCos = column(table, 3, 2);
const fmaRows = fixture("fma-cases.f64");
const fmaA = column(fmaRows, 4, 0);
const fmaB = column(fmaRows, 4, 1);
const fmaC = column(fmaRows, 4, 2);
const fmaWant = column(fmaRows, 4, 3);

/** Wide inputs: CartPole angles, everything up to 2.5, the reduction ranges, any bit pattern. */
const wide = inputs(60_000, 0x9e3779b97f4a7c15n, (u, bits) => {
  switch (Number(bits & 7n)) {
    case 0:
    case 1:
    case 2:
      return (2 * u - 1) * 0.25;
    case 3:
      return (2 * u - 1) * 2.5;
    case 4:
      return (bits & 8n ? -1 : 1) * 2 ** (-40 + 41.4 * u);
    case 5:
      return (bits & 8n ? -1 : 1) * 2 ** (1 + 26 * u);
    case 6:
      return (bits & 8n ? -1 : 1) * 2 ** (26 + 997 * u);
    default:
      return asDouble(bits);
  }
});
/**
 * Acrobot's arguments, where the wide kernels' paths meet: every lane mix of
 * the table, shift and reduction ranges (|x| < 10, as the pendulum's angles
 * and their sums), each range's bounds and their neighbours, and multiples
 * of pi/2 and pi/128 (the reduction's quadrants and the table's steps).
 */
const acrobotArgs = (() => {
  const edges = [0.126, 0.85546875, asDouble(0x400368fd00000000n), 105414336, 2 ** -26, 2 ** -27].flatMap((b) => {
    const bits = new BigUint64Array(new Float64Array([b]).buffer)[0]!;
    return [asDouble(bits - 1n), b, asDouble(bits + 1n)];
  });
  const steps = Array.from({ length: 40 }, (_, i) => (i - 20) * (Math.PI / 2)).concat(Array.from({ length: 128 }, (_, i) => (i * Math.PI) / 128));
  const random = inputs(20_000, 0x5851f42d4c957f2dn, (u) => (2 * u - 1) * 10);
  const all = [...edges, ...steps, ...random];
  return Float64Array.from([...all, ...all.map((v) => -v)]);
})();
const specials = Float64Array.from([0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE]);

const tsMap = (f: (x: number) => number, xs: Float64Array): Float64Array => xs.map(f);

describe("TypeScript sin/cos (src/envs/libm.ts)", () => {
  it("match glibc on the golden libm_checks", () => {
    expectBits(tsMap(sin, goldenX), goldenSin, goldenX, "sin");
    expectBits(tsMap(cos, goldenX), goldenCos, goldenX, "cos");
  });

  it(`match glibc on ${tableX.length} inputs of test/fixtures/libm-sincos.f64`, () => {
    expectBits(tsMap(sin, tableX), tableSin, tableX, "sin");
    expectBits(tsMap(cos, tableX), tableCos, tableX, "cos");
  });

  it("keep glibc's special values", () => {
    expect(Object.is(sin(0), 0) && Object.is(sin(-0), -0)).toBe(true);
    expect([cos(0), cos(-0)]).toEqual([1, 1]);
    for (const x of [Infinity, -Infinity, NaN]) {
      expect(sin(x)).toBeNaN();
      expect(cos(x)).toBeNaN();
    }
  });

  it("differ from Math.sin/Math.cos where V8 does (the reason this module exists)", () => {
    const differing = [...tableX].filter((x) => Math.sin(x) !== sin(x) || Math.cos(x) !== cos(x)).length;
    expect(differing).toBeGreaterThan(0);
  });
});

describe("software fma", () => {
  it(`TypeScript fma matches C fma() on ${fmaA.length} hard cases`, () => {
    const got = fmaA.map((a, i) => fma(a, fmaB[i]!, fmaC[i]!));
    expectBits(got, fmaWant, fmaA, "fma");
  });

  it("rounds once, where a multiply then add rounds twice", () => {
    // (1 + 2^-27)^2 - 1 = 2^-26 + 2^-54 exactly; rounding the square first loses the 2^-54.
    const a = 1 + 2 ** -27;
    expect(fma(a, a, -1)).toBe(2 ** -26 + 2 ** -54);
    expect(a * a - 1).toBe(2 ** -26);
    expect(Object.is(fma(-1, 0, -0), -0)).toBe(true);
  });
});

/** scalar: sin and cos; simd: sincos2; wide: sincosWideMany and cosWideMany. */
const KERNELS = ["scalar", "simd", "wide"] as const;
type Kernel = (typeof KERNELS)[number];

for (const [flavor, hardwareFma] of FMA_BUILDS) {
  describe(`WebAssembly libm (${flavor} build, ${hardwareFma ? "hardware fma where relaxed_madd fuses" : "software fma"})`, () => {
    const n = Math.max(wide.length, tableX.length, fmaA.length);
    let arena: Arena<TestExports>;
    let bufs: { x: number; s: number; c: number; a: number; b: number; d: number };

    beforeAll(async () => {
      const plan = new ArenaPlan();
      bufs = { x: plan.region(8 * n), s: plan.region(8 * n), c: plan.region(8 * n), a: plan.region(8 * n), b: plan.region(8 * n), d: plan.region(8 * n) };
      arena = await testArena(plan, flavor);
      const fused = arena.probeFma(hardwareFma);
      if (hardwareFma && flavor === "relaxed-simd") console.log(`relaxed_madd ${fused ? "fuses on this host: libm's fma sites run it" : "does not fuse on this host: libm emulates fma"}`);
    });

    /**
     * Runs a kernel over xs; returns [sin, cos] copies. "wide" is
     * sincosWideMany, whose cos must also equal cosWideMany's (checked here).
     */
    function run(kernel: Kernel, xs: Float64Array): [Float64Array, Float64Array] {
      arena.f64(bufs.x, xs.length).set(xs);
      if (kernel === "scalar") {
        arena.kernels.sinBatch(bufs.x, bufs.s, xs.length);
        arena.kernels.cosBatch(bufs.x, bufs.c, xs.length);
      } else if (kernel === "simd") {
        arena.kernels.sincos2Batch(bufs.x, bufs.s, bufs.c, xs.length);
      } else {
        arena.kernels.sincosWideManyBatch(bufs.x, bufs.s, bufs.c, xs.length);
        arena.kernels.cosWideManyBatch(bufs.x, bufs.d, xs.length);
        expectBits(arena.f64(bufs.d, xs.length).slice(), arena.f64(bufs.c, xs.length).slice(), xs, "cosWideMany against sincosWideMany's cos");
      }
      return [arena.f64(bufs.s, xs.length).slice(), arena.f64(bufs.c, xs.length).slice()];
    }

    // The wide kernels' fma sites are relaxed_madd in the relaxed-SIMD build
    // (it runs only where they fuse) and emulated in the SIMD build.
    const kernels = KERNELS.filter((k) => k !== "wide" || flavor === "simd" || hardwareFma);
    for (const kernel of kernels) {
      it(`${kernel} sin/cos match glibc on the golden libm_checks and the fixture`, () => {
        for (const [xs, ws, wc] of [
          [goldenX, goldenSin, goldenCos],
          [tableX, tableSin, tableCos],
        ] as const) {
          const [s, c] = run(kernel, xs);
          expectBits(s, ws, xs, `${kernel} sin`);
          expectBits(c, wc, xs, `${kernel} cos`);
        }
      });
    }

    it.each(kernels.filter((k) => k !== "scalar"))("SIMD %s equals scalar sin/cos on wide inputs, odd lengths and special values", (kernel) => {
      for (const xs of [wide, wide.subarray(0, 999), acrobotArgs, specials, Float64Array.from([specials[4]!, 0.1]), Float64Array.from([0.1, 3.0])]) {
        const [s1, c1] = run("scalar", xs);
        const [s2, c2] = run(kernel, xs);
        expectBits(s2, s1, xs, `${kernel} sin`);
        expectBits(c2, c1, xs, `${kernel} cos`);
      }
    });

    it("scalar sin/cos equal the TypeScript twin on wide inputs", () => {
      for (const xs of [wide, specials]) {
        const [s, c] = run("scalar", xs);
        expectBits(s, tsMap(sin, xs), xs, "sin");
        expectBits(c, tsMap(cos, xs), xs, "cos");
      }
    });

    it.each(kernels.filter((k) => k !== "scalar"))("%s keeps glibc's special values", (kernel) => {
      const [s, c] = run(kernel, specials);
      expect(Object.is(s[0], 0) && Object.is(s[1], -0)).toBe(true);
      expect([c[0], c[1]]).toEqual([1, 1]);
      for (const i of [2, 3, 4]) expect([s[i], c[i]]).toEqual([NaN, NaN]);
    });

    // libm-near's fma sites are relaxed_madd in the relaxed build, as the wide kernels'.
    if (flavor === "simd" || hardwareFma) {
      it("libm-near's approximations stay within 2^-46 of glibc's sin and cos (its callers assume 2^-44)", () => {
        let worst = 0;
        for (const all of [goldenX, tableX, wide, acrobotArgs]) {
          const xs = all.filter((x) => Math.abs(x) < 2 ** 20);
          const exact = run("scalar", xs);
          arena.f64(bufs.x, xs.length).set(xs);
          arena.kernels.nearBatch(bufs.x, bufs.a, bufs.b, xs.length);
          const near = [arena.f64(bufs.a, xs.length), arena.f64(bufs.b, xs.length)];
          exact.forEach((values, k) =>
            values.forEach((e, i) => {
              const d = Math.abs(near[k]![i]! - e);
              worst = Math.max(worst, e === 0 ? (d === 0 ? 0 : Infinity) : d / Math.abs(e));
            }),
          );
        }
        expect(worst).toBeLessThanOrEqual(2 ** -46);
      });
    }

    it("holds the same sin/cos table as the TypeScript twin", () => {
      expect(mismatches(arena.f64(arena.kernels.sincostabAddress(), SINCOSTAB.length).slice(), SINCOSTAB)).toEqual([]);
    });

    for (const kernel of ["fmaBatch", "fma2Batch"] as const) {
      it(`${kernel} matches C fma() on the hard cases`, () => {
        const m = fmaA.length;
        arena.f64(bufs.a, m).set(fmaA);
        arena.f64(bufs.b, m).set(fmaB);
        arena.f64(bufs.c, m).set(fmaC);
        arena.kernels[kernel](bufs.a, bufs.b, bufs.c, bufs.d, m);
        expectBits(arena.f64(bufs.d, m).slice(), fmaWant, fmaA, kernel);
      });
    }
  });
}
