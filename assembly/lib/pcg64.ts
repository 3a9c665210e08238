/**
 * numpy's PCG64 bit generator (numpy/random/src/pcg64): a 128-bit LCG
 * advanced before each draw, output by XSL-RR, and the Generator methods
 * CartPole uses on top of it, random() and uniform(). The generator state
 * lives in linear memory at a caller-given address, PCG64_BYTES = 32 bytes:
 *
 *   +0   state, low 64 bits     +8   state, high 64 bits
 *   +16  inc, low 64 bits       +24  inc, high 64 bits
 *
 * i.e. the two u128 little-endian. Seeding (numpy's SeedSequence, once per
 * reset(seed)) is TypeScript only: src/envs/pcg64.ts computes the state and
 * writes these 32 bytes. That file is also the plain-TypeScript twin of this
 * one.
 */

/** PCG_DEFAULT_MULTIPLIER_128, as two halves. */
const MULT_HI: u64 = 0x2360ed051fc65da4;
const MULT_LO: u64 = 0x4385df649fccf645;

/** The high 64 bits of the 128-bit product a*b. */
@inline function mulHigh(a: u64, b: u64): u64 {
  const aLo = a & 0xffffffff;
  const aHi = a >>> 32;
  const bLo = b & 0xffffffff;
  const bHi = b >>> 32;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const mid = ((aLo * bLo) >>> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
  return aHi * bHi + (lh >>> 32) + (hl >>> 32) + (mid >>> 32);
}

/** Advances the generator at `state` and returns its next 64-bit output (numpy's random_raw()). */
// @ts-ignore: decorator
@inline export function pcg64Next(state: usize): u64 {
  const lo = load<u64>(state);
  const hi = load<u64>(state, 8);
  // state = state * MULT + inc (mod 2^128)
  const mulLo = lo * MULT_LO;
  const mulHi = mulHigh(lo, MULT_LO) + lo * MULT_HI + hi * MULT_LO;
  const newLo = mulLo + load<u64>(state, 16);
  const newHi = mulHi + load<u64>(state, 24) + <u64>(newLo < mulLo);
  store<u64>(state, newLo);
  store<u64>(state, newHi, 8);
  return rotr<u64>(newHi ^ newLo, newHi >>> 58);
}

/** numpy's Generator.random(): a double in [0, 1) from the top 53 bits of the next output. */
// @ts-ignore: decorator
@inline export function pcg64Random(state: usize): f64 {
  return <f64>(pcg64Next(state) >>> 11) * 1.1102230246251565e-16; // 2^-53
}

/** numpy's Generator.uniform(low, high) for one value: low + (high - low) * random(). */
// @ts-ignore: decorator
@inline export function pcg64Uniform(state: usize, low: f64, high: f64): f64 {
  return low + (high - low) * pcg64Random(state);
}
