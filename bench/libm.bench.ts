/**
 * Throughput of deepq's bit-exact math: sin and cos of CartPole-like angles
 * (both functions per angle) through the SIMD sincos2, the scalar
 * WebAssembly functions, the TypeScript twin and, for scale, V8's
 * Math.sin/Math.cos (not glibc-identical); and the PCG64 generator.
 */
import { cos, sin } from "../test/oracles/libm.ts";
import { Pcg64 } from "../src/envs/pcg64.ts";
import { PCG64_BYTES } from "../assembly/layout.ts";
import { ArenaPlan } from "../src/runtime/wasm.ts";
import { rate, type BenchRow } from "./harness.ts";
import { testArena, type TestExports } from "../test/support/test-wasm.ts";

export default async (): Promise<BenchRow[]> => {
  const n = 4096;
  const plan = new ArenaPlan();
  const x = plan.region(8 * n);
  const s = plan.region(8 * n);
  const c = plan.region(8 * n);
  const state = plan.region(PCG64_BYTES);
  const arena = await testArena(plan, "relaxed-simd");
  const k = arena.kernels;
  // Angles as a CartPole episode sees them: mostly well inside +-0.21 rad.
  const angles = arena.f64(x, n);
  const rng = Pcg64.fromSeed(1);
  for (let i = 0; i < n; i++) angles[i] = rng.uniform(-0.21, 0.21);
  const plain = Float64Array.from(angles);
  let sink = 0;

  const simd = rate(() => (k.sincos2Batch(x, s, c, n), n));
  const scalar = rate(() => (k.sinBatch(x, s, n), k.cosBatch(x, c, n), n));
  const ts = rate(() => {
    for (let i = 0; i < n; i++) sink += sin(plain[i]!) + cos(plain[i]!);
    return n;
  });
  const math = rate(() => {
    for (let i = 0; i < n; i++) sink += Math.sin(plain[i]!) + Math.cos(plain[i]!);
    return n;
  });
  const wasmRandom = rate(() => (k.pcg64RandomFill(state, s, n), n));
  const tsRandom = rate(() => {
    for (let i = 0; i < n; i++) sink += rng.random();
    return n;
  });
  if (sink === 42) console.log(sink);

  const row = (name: string, value: number, unit: string, of?: [number, string]): BenchRow => ({
    suite: "libm",
    name,
    value,
    unit,
    ...(of ? { ratio: value / of[0], ratioOf: of[1] } : {}),
  });
  return [
    row(`sin+cos, wasm SIMD sincos2 (${arena.flavor})`, simd, "angles/s", [scalar, "wasm scalar"]),
    row("sin+cos, wasm scalar", scalar, "angles/s"),
    row("sin+cos, TypeScript twin", ts, "angles/s", [scalar, "wasm scalar"]),
    row("sin+cos, Math.sin+Math.cos (not glibc-exact)", math, "angles/s", [simd, "wasm SIMD"]),
    row("PCG64 random(), wasm", wasmRandom, "draws/s"),
    row("PCG64 random(), TypeScript", tsRandom, "draws/s", [wasmRandom, "wasm"]),
  ];
};
