/**
 * Batch kernels over deepq's bit-exact math (assembly/lib/libm.ts,
 * assembly/lib/pcg64.ts), for the tests and the benchmark. Each takes
 * addresses of f64 (or u64) arrays in the arena. Every SIMD kernel has a
 * scalar twin that the tests compare it with.
 */
import { cos, cos2, fma, fma2, sin, sin2, sincos2, usesHardwareFma } from "../lib/libm";
import { cosWideMany, MANY_PAIRS, sincosWideMany } from "../lib/libm-wide";
import { cosNear2, sinNear2 } from "../lib/libm-near";
import { pcg64Next, pcg64Random, pcg64Uniform } from "../lib/pcg64";
import { pow2, pow2Many, POW2_MANY_PAIRS } from "../lib/pow2";
import { SINCOSTAB } from "../lib/sincostab";

/** out[i] = sin(x[i]). */
export function sinBatch(x: usize, out: usize, n: i32): void {
  for (let i: usize = 0, m = <usize>n << 3; i < m; i += 8) store<f64>(out + i, sin(load<f64>(x + i)));
}

/** out[i] = cos(x[i]). */
export function cosBatch(x: usize, out: usize, n: i32): void {
  for (let i: usize = 0, m = <usize>n << 3; i < m; i += 8) store<f64>(out + i, cos(load<f64>(x + i)));
}

/** sinOut[i] = sin(x[i]), cosOut[i] = cos(x[i]) through sincos2, two at a time (an odd last one alone). */
export function sincos2Batch(x: usize, sinOut: usize, cosOut: usize, n: i32): void {
  const m = <usize>n << 3;
  let i: usize = 0;
  for (; i + 16 <= m; i += 16) {
    sincos2(v128.load(x + i), usesHardwareFma());
    v128.store(sinOut + i, sin2);
    v128.store(cosOut + i, cos2);
  }
  if (i < m) {
    sincos2(f64x2.splat(load<f64>(x + i)), usesHardwareFma());
    store<f64>(sinOut + i, f64x2.extract_lane(sin2, 0));
    store<f64>(cosOut + i, f64x2.extract_lane(cos2, 0));
  }
}

/** An odd last input of {@link manyBatch}, in both lanes, and its result. */
const LAST_PAIR = memory.data(16, 16);
const LAST_OUT = memory.data(16, 16);

/** `many` (cosWideMany or pow2Many) over x[0, n) into out, `chunk` pairs at a time (an odd last one alone, in both lanes). */
function manyBatch(x: usize, out: usize, n: i32, chunk: i32, many: (x: usize, out: usize, pairs: i32) => void): void {
  const pairs = n >> 1;
  for (let p = 0; p < pairs; p += chunk) many(x + (<usize>p << 4), out + (<usize>p << 4), min(chunk, pairs - p));
  if (n & 1) {
    const i = <usize>(n - 1) << 3;
    v128.store(LAST_PAIR, f64x2.splat(load<f64>(x + i)));
    many(LAST_PAIR, LAST_OUT, 1);
    store<f64>(out + i, load<f64>(LAST_OUT));
  }
}

/** out[i] = cos(x[i]) through cosWideMany, MANY_PAIRS pairs at a time. */
export function cosWideManyBatch(x: usize, out: usize, n: i32): void {
  manyBatch(x, out, n, MANY_PAIRS, cosWideMany);
}

/** sin and cos through sincosWideMany, MANY_PAIRS pairs at a time (an odd last one alone, in both lanes). */
export function sincosWideManyBatch(x: usize, sinOut: usize, cosOut: usize, n: i32): void {
  const pairs = n >> 1;
  for (let p = 0; p < pairs; p += MANY_PAIRS) {
    const at = <usize>p << 4;
    sincosWideMany(x + at, sinOut + at, cosOut + at, min(MANY_PAIRS, pairs - p));
  }
  if (n & 1) {
    const i = <usize>(n - 1) << 3;
    v128.store(LAST_PAIR, f64x2.splat(load<f64>(x + i)));
    sincosWideMany(LAST_PAIR, LAST_OUT, LAST_PAIR, 1);
    store<f64>(sinOut + i, load<f64>(LAST_OUT));
    store<f64>(cosOut + i, load<f64>(LAST_PAIR));
  }
}

/** sin and cos through libm-near's approximations, two at a time (an odd last one in both lanes). */
export function nearBatch(x: usize, sinOut: usize, cosOut: usize, n: i32): void {
  const m = <usize>n << 3;
  for (let i: usize = 0; i < m; i += 16) {
    const v = i + 16 <= m ? v128.load(x + i) : f64x2.splat(load<f64>(x + i));
    const s = sinNear2(v);
    const c = cosNear2(v);
    store<f64>(sinOut + i, f64x2.extract_lane(s, 0));
    store<f64>(cosOut + i, f64x2.extract_lane(c, 0));
    if (i + 16 <= m) {
      store<f64>(sinOut + i, f64x2.extract_lane(s, 1), 8);
      store<f64>(cosOut + i, f64x2.extract_lane(c, 1), 8);
    }
  }
}

/** out[i] = fma(a[i], b[i], c[i]). */
export function fmaBatch(a: usize, b: usize, c: usize, out: usize, n: i32): void {
  for (let i: usize = 0, m = <usize>n << 3; i < m; i += 8) {
    store<f64>(out + i, fma(load<f64>(a + i), load<f64>(b + i), load<f64>(c + i)));
  }
}

/** out[i] = fma(a[i], b[i], c[i]) through fma2, two at a time (n even). */
export function fma2Batch(a: usize, b: usize, c: usize, out: usize, n: i32): void {
  for (let i: usize = 0, m = <usize>n << 3; i < m; i += 16) {
    v128.store(out + i, fma2(v128.load(a + i), v128.load(b + i), v128.load(c + i)));
  }
}

/** out[i] = pow2(x[i]), scalar. */
export function pow2Batch(x: usize, out: usize, n: i32): void {
  for (let i: usize = 0, m = <usize>n << 3; i < m; i += 8) store<f64>(out + i, pow2(load<f64>(x + i)));
}

/** The same through pow2Many, POW2_MANY_PAIRS pairs at a time. */
export function pow2ManyBatch(x: usize, out: usize, n: i32): void {
  manyBatch(x, out, n, POW2_MANY_PAIRS, pow2Many);
}

/** Writes the next n raw outputs of the generator at `state` (u64 each). */
export function pcg64Fill(state: usize, out: usize, n: i32): void {
  for (let i: usize = 0, m = <usize>n << 3; i < m; i += 8) store<u64>(out + i, pcg64Next(state));
}

/** Writes the next n random() doubles of the generator at `state`. */
export function pcg64RandomFill(state: usize, out: usize, n: i32): void {
  for (let i: usize = 0, m = <usize>n << 3; i < m; i += 8) store<f64>(out + i, pcg64Random(state));
}

/** Writes n draws of uniform(low, high) from the generator at `state`. */
export function pcg64UniformFill(state: usize, out: usize, n: i32, low: f64, high: f64): void {
  for (let i: usize = 0, m = <usize>n << 3; i < m; i += 8) store<f64>(out + i, pcg64Uniform(state, low, high));
}

/** Address of the sin/cos table in static data (the tests compare it with the TypeScript copy). */
export function sincostabAddress(): usize {
  return SINCOSTAB;
}
