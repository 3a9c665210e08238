/**
 * numpy's float32 sin and cos (numpy/core/src/umath/loops_trigonometric.
 * dispatch.c.src, `simd_sincos_f32`, numpy 1.24 on x86-64 with AVX2 and
 * FMA3), bit for bit. Gymnasium's Acrobot needs them once per reset: its
 * reset state is float32 (`uniform(...).astype(np.float32)`), so the first
 * observation's cos and sin are numpy's float32 ones, not libm's. Called
 * by assembly/acrobot.ts for each reset, so speed does not matter.
 *
 * The algorithm: q = rint(x * 2/pi) (float32, by the 1.5 * 2^23 trick), a
 * three-constant Cody-Waite reduction r = x - q*pi/2 with fused
 * multiply-adds, then minimax polynomials in r^2 for sin and cos on
 * [-pi/4, pi/4] (fused multiply-adds throughout), picked and negated by the
 * quadrant. Valid for |x| <= 71476.0625 (beyond, numpy calls libc's cosf;
 * deepq's reset bounds keep states within +-100).
 */
import { addOdd } from "./libm";

/** a*b + c rounded once to float32, as a hardware fmaf: the product is exact in a double and rounding to odd first keeps the final rounding single. */
@inline function fmaf(a: f32, b: f32, c: f32): f32 {
  return <f32>addOdd(<f64>a * <f64>b, <f64>c);
}

// numpy's constants, by their bits (hex floats in its source).
const TWO_OVER_PI = reinterpret<f32>(0x3f22f983); // 0x1.45f306p-1
const PIO2_HIGH = reinterpret<f32>(0xbfc90fd8); // -0x1.921fb0p+00
const PIO2_MED = reinterpret<f32>(0xb4a8885a); // -0x1.5110b4p-22
const PIO2_LOW = reinterpret<f32>(0xa7c234c4); // -0x1.846988p-48
const RINT_MAGIC = reinterpret<f32>(0x4b400000); // 0x1.8p+23
const COS8 = reinterpret<f32>(0x37cc730b);
const COS6 = reinterpret<f32>(0xbab6036e);
const COS4 = reinterpret<f32>(0x3d2aaa9e);
const COS2: f32 = -0.5;
const COS0: f32 = 1.0;
const SIN9 = reinterpret<f32>(0x363e9dde);
const SIN7 = reinterpret<f32>(0xb95035dd);
const SIN5 = reinterpret<f32>(0x3c0888cd);
const SIN3 = reinterpret<f32>(0xbe2aaaab);

/** sin (cosine = 0) or cos (cosine = 1) of x, |x| <= 71476.0625. */
function sincosf(x: f32, cosine: i32): f32 {
  const q = x * TWO_OVER_PI + RINT_MAGIC - RINT_MAGIC;
  let r = fmaf(q, PIO2_HIGH, x);
  r = fmaf(q, PIO2_MED, r);
  r = fmaf(q, PIO2_LOW, r);
  const r2 = r * r;
  let c = fmaf(COS8, r2, COS6);
  c = fmaf(c, r2, COS4);
  c = fmaf(c, r2, COS2);
  c = fmaf(c, r2, COS0);
  let s = fmaf(SIN9, r2, SIN7);
  s = fmaf(s, r2, SIN5);
  s = fmaf(s, r2, SIN3);
  s = fmaf(s, r2, 0);
  s = fmaf(s, r, r);
  const quadrant = <i32>q + cosine;
  const v = quadrant & 1 ? c : s;
  return quadrant & 2 ? 0 - v : v;
}

/** numpy's float32 sin. */
export function npySinf(x: f32): f32 {
  return sincosf(x, 0);
}

/** numpy's float32 cos. */
export function npyCosf(x: f32): f32 {
  return sincosf(x, 1);
}
