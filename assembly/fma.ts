/**
 * The start-up probe behind libm's fast path: is f64x2.relaxed_madd a fused
 * multiply-add on this host? Relaxed SIMD lets the engine fuse or not (V8
 * fuses on x86-64 with FMA3 and on arm64), so deepq asks the CPU with
 * operands whose fused and unfused results differ: (1 + 2^-30)(1 - 2^-30)
 * - 1 is -2^-60 fused and 0 unfused. src/runtime/wasm.ts calls it once per
 * instance, with operands from JavaScript so that no compiler folds them.
 */
import { fmaSoftware, setHardwareFma, usesHardwareFma } from "./lib/libm";

/**
 * Probes relaxed_madd with a*b + c on both lanes and turns the fused path
 * on where both lanes equal the exact fma and differ from a*b + c rounded
 * twice; `allow` = 0 keeps the emulation (tests run both). Returns 1 when
 * the fused path is on. Always 0 in the plain-SIMD build.
 */
export function fmaProbe(a: f64, b: f64, c: f64, allow: i32): i32 {
  let fused = false;
  if (ASC_FEATURE_RELAXED_SIMD) {
    const m = f64x2.relaxed_madd(f64x2(a, b), f64x2(b, a), f64x2.splat(c));
    const exact = fmaSoftware(a, b, c);
    fused = exact != a * b + c && f64x2.extract_lane(m, 0) == exact && f64x2.extract_lane(m, 1) == exact;
  }
  setHardwareFma(allow != 0 && fused);
  return <i32>usesHardwareFma();
}
