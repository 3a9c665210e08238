/**
 * xoshiro128** over a 16-byte state at a caller-given address: the twin of
 * src/runtime/rng.ts (which seeds the state). Same stream, bit for bit.
 * Callers: replay sampling (once or twice per sampled row).
 */

@inline function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

/** Next 32 random bits; advances the state at `s`. */
@inline export function rngNextU32(s: usize): u32 {
  const s0 = load<u32>(s, 0);
  const s1 = load<u32>(s, 4);
  const s2 = load<u32>(s, 8);
  const s3 = load<u32>(s, 12);
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  const n1 = s1 ^ n2;
  const n0 = s0 ^ n3;
  store<u32>(s, n0, 0);
  store<u32>(s, n1, 4);
  store<u32>(s, n2 ^ t, 8);
  store<u32>(s, rotl(n3, 11), 12);
  return result;
}

/** Uniform f64 in [0, 1) with 53 random bits (two draws), as Rng.nextDouble. */
@inline export function rngNextDouble(s: usize): f64 {
  const a = <f64>(rngNextU32(s) >>> 5);
  const b = <f64>(rngNextU32(s) >>> 6);
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

/** Uniform integer in [0, n), as Rng.int. */
@inline export function rngInt(s: usize, n: u32): u32 {
  return <u32>Math.floor(rngNextDouble(s) * <f64>n);
}
