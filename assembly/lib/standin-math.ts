/**
 * TEMPORARY stand-ins for branch `libm` (glibc-exact sin/cos, numpy PCG64).
 * Math.sin/Math.cos are musl's here, not glibc's: a few CartPole steps differ
 * by 1 ulp. Deleted when `libm` is merged.
 */

@inline export function sin(x: f64): f64 {
  return Math.sin(x);
}

@inline export function cos(x: f64): f64 {
  return Math.cos(x);
}

/** Lane-wise sin and cos of an f64x2, left in SIN2 / COS2. */
export let SIN2: v128 = f64x2.splat(0);
export let COS2: v128 = f64x2.splat(0);
@inline export function sinCos2(x: v128): void {
  const a = f64x2.extract_lane(x, 0);
  const b = f64x2.extract_lane(x, 1);
  SIN2 = f64x2.replace_lane(f64x2.splat(Math.sin(a)), 1, Math.sin(b));
  COS2 = f64x2.replace_lane(f64x2.splat(Math.cos(a)), 1, Math.cos(b));
}

// PCG64 (XSL-RR 128/64) over [state lo, state hi, inc lo, inc hi] u64 at `s`.
const MULT_HI: u64 = 0x2360ed051fc65da4;
const MULT_LO: u64 = 0x4385df649fccf645;

@inline function mulhi64(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const t = a1 * b0 + ((a0 * b0) >> 32);
  const u = a0 * b1 + (t & 0xffffffff);
  return a1 * b1 + (t >> 32) + (u >> 32);
}

/** numpy's Generator.random(): the next double in [0, 1). */
export function pcg64Random(s: usize): f64 {
  const lo = load<u64>(s, 0), hi = load<u64>(s, 8);
  const incLo = load<u64>(s, 16), incHi = load<u64>(s, 24);
  const mLo = lo * MULT_LO;
  let nHi = mulhi64(lo, MULT_LO) + lo * MULT_HI + hi * MULT_LO;
  const nLo = mLo + incLo;
  nHi += incHi + <u64>(nLo < mLo);
  store<u64>(s, nLo, 0);
  store<u64>(s, nHi, 8);
  const rot = <u64>(nHi >> 58);
  const out = rotr<u64>(nHi ^ nLo, rot);
  return <f64>(out >> 11) * (1.0 / 9007199254740992.0);
}
