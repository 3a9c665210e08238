/**
 * sin and cos that return, bit for bit, what glibc 2.36 returns on x86_64
 * with FMA (__sin_fma/__cos_fma), the values behind Gymnasium's CartPole
 * golden data, for every double; and the exact software fma they need.
 *
 * This is the plain-TypeScript twin of assembly/lib/libm.ts, the same
 * algorithm step for step. That file's header documents the algorithm, the
 * multiply-adds glibc's build fuses (sites #0-27), and the measurements
 * behind emulating some exactly and leaving others a plain multiply and add.
 * Change both or neither.
 */
import { SINCOSTAB } from "./sincostab.ts";

// ---------------------------------------------------------------------------
// Exact fused multiply-add (Boldo & Melquiond 2008, rounding to odd).

/** Veltkamp's constant 2^27 + 1: splits a double into two 26-bit halves. */
const SPLIT = 134217729;

// Round-to-odd steps a double's bit pattern; the scratch views do that
// without allocating. LO/HI index the low and high 32-bit halves.
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const LO = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** a + b rounded to odd (see assembly/lib/libm.ts). */
function addOdd(a: number, b: number): number {
  const s = a + b;
  const bv = s - a;
  const e = a - (s - bv) + (b - bv);
  if (e === 0) return s;
  scratch[0] = s;
  // Truncate toward zero (one step down in magnitude when e points the
  // other way), then set the last bit. s is not zero here.
  if (s < 0 !== e < 0) {
    if (words[LO] === 0) words[HI]--;
    words[LO]--;
  }
  words[LO] |= 1;
  return scratch[0];
}

/**
 * a*b + c rounded once, exactly as a hardware fma. Holds for finite operands
 * whose product and sum stay below 2^1023 and whose product's rounding error
 * is normal (|a*b| above about 2^-969) or the product is exact.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const ta = SPLIT * a;
  const ah = ta - (ta - a);
  const al = a - ah;
  const tb = SPLIT * b;
  const bh = tb - (tb - b);
  const bl = b - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = c + p;
  const pv = s - c;
  const se = c - (s - pv) + (p - pv);
  const v = addOdd(se, pe);
  // s + 0 would turn an exact -0 into +0.
  return v === 0 ? s : s + v;
}

// ---------------------------------------------------------------------------
// glibc's constants (usncs.h, branred.h), as shortest round-trip decimals.

const S1 = -0.16666666666666666;
const S2 = 0.008333333333332329;
const S3 = -0.00019841269834414642;
const S4 = 2.755729806860771e-6;
const S5 = -2.5022014848318398e-8;
const SN3 = -0.16666666666666488;
const SN5 = 0.008333332142857223;
const CS2 = 0.5;
const CS4 = -0.04166666666666644;
const CS6 = 0.001388888740079376;
/** 1.5 * 2^45: adding it rounds |x| to a multiple of 1/128, the table step. */
const BIG = 52776558133248;
const HP0 = 1.5707963267948966;
const HP1 = 6.123233995736766e-17;
const MP1 = 1.5707963407039642;
const MP2 = -1.3909067564377153e-8;
const PP3 = -4.97899623147991e-17;
const PP4 = -1.9034889620193266e-25;
const HPINV = 0.6366197723675814;
const TOINT = 6755399441055744;
const TAYLOR_MAX = 0.126;
/** Bounds of s_sin.c's paths (it tests |x|'s high word; these are the same tests). */
const SIN_TINY = 2 ** -26;
const COS_TINY = 2 ** -27;
const TABLE_MAX = 0.85546875; // high word 0x3feb6000
const SHIFT_MAX = 2.4262638092041016; // high word 0x400368fd: one subtraction from pi/2 below
const REDUCE_MAX = 105414336; // high word 0x419921fb: reduce_sincos below, __branred above

/** fma whose addend is a reduction tail, zero on the direct paths: a*b + 0 then rounds like the fused operation. */
function fmaTail(a: number, b: number, tail: number): number {
  return tail === 0 ? a * b + tail : fma(a, b, tail);
}

/** TAYLOR_SIN: sin(a + da) for |a| < 0.126. */
function taylorSin(a: number, da: number): number {
  const xx = a * a;
  const p = fma(fma((S5 * xx + S4) * xx + S3, xx, S2), xx, S1);
  return a + fmaTail(xx, fmaTail(p, a, -0.5 * da), da);
}

/** do_sin: sin(x + dx) for |x| < 0.855. */
function doSin(x: number, dx: number): number {
  const ax = Math.abs(x);
  if (ax < TAYLOR_MAX) return taylorSin(x, dx);
  if (x <= 0) dx = -dx;
  const u = BIG + ax;
  const r = ax - (u - BIG);
  // u's low 32 bits are round(|x| * 128); u < 2^46, so that is u - BIG.
  const t = (u - BIG) * 512;
  const sn = SINCOSTAB[t]!, ssn = SINCOSTAB[t + 1]!, cs = SINCOSTAB[t + 2]!, ccs = SINCOSTAB[t + 3]!;
  const xx = r * r;
  const s = r + fmaTail(r * xx, xx * SN5 + SN3, dx);
  const c = r * dx + xx * fma(xx, xx * CS6 + CS4, CS2);
  const cor = fma(s, cs, fma(-c, sn, s * ccs + ssn));
  const v = sn + cor;
  return x < 0 ? -v : v;
}

/** do_cos: cos(x + dx) for |x| < 0.855. */
function doCos(x: number, dx: number): number {
  if (x < 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  const r = ax - (u - BIG) + dx;
  const t = (u - BIG) * 512;
  const sn = SINCOSTAB[t]!, ssn = SINCOSTAB[t + 1]!, cs = SINCOSTAB[t + 2]!, ccs = SINCOSTAB[t + 3]!;
  const xx = r * r;
  const s = fma(r * xx, xx * SN5 + SN3, r);
  const c = xx * fma(xx, xx * CS6 + CS4, CS2);
  const cor = fma(-s, sn, fma(-c, cs, -s * ssn + ccs));
  return cs + cor;
}

// A reduction's result x = n*pi/2 + (reducedHi + reducedLo); it returns n.
let reducedHi = 0;
let reducedLo = 0;

/** reduce_sincos, for 2.4262638 <= |x| < 105414336. */
function reduce(x: number): number {
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  // Exact products (see assembly/lib/libm.ts), so these are the fused results.
  const y = x - xn * MP1 - xn * MP2;
  const t2 = y - xn * PP3;
  const db = y - t2 - xn * PP3;
  const b = fma(-xn, PP4, t2);
  reducedHi = b;
  reducedLo = db + fma(-xn, PP4, t2 - b);
  // t's low bits hold xn as an integer (two's complement): n = xn mod 4.
  return xn & 3;
}

/** __branred's 2/pi in base 2^24 (75 digits). */
const TOVERP = [
  10680707, 7228996, 1387004, 2578385, 16069853, 12639074, 9804092, 4427841, 16666979, 11263675, 12935607, 2387514, 4345298,
  14681673, 3074569, 13734428, 16653803, 1880361, 10960616, 8533493, 3062596, 8710556, 7349940, 6258241, 3772886, 3769171,
  3798172, 8675211, 12450088, 3874808, 9961438, 366607, 15675153, 9132554, 7151469, 3571407, 2607881, 12013382, 4155038,
  6285869, 7677882, 13102053, 15825725, 473591, 9065106, 15363067, 6271263, 9264392, 5636912, 4652155, 7056368, 13614112,
  10155062, 1944035, 9527646, 15080200, 6658437, 6231200, 6832269, 16767104, 5075751, 3212806, 1398474, 7579849, 6349435,
  12618859, 4703257, 12806093, 14477321, 2786137, 12875403, 9837734, 14528324, 13719321, 343717,
];
const TM600 = 2 ** -600;
const TM24 = 2 ** -24;
const BR_BIG = 6755399441055744; // 1.5 * 2^52
const BR_BIG1 = 27021597764222976; // 1.5 * 2^54
const BR_MP2 = -1.3909067675399456e-8;

// One half of __branred: x * 2/pi = partInt + partHi + partLo, partInt an
// integer kept modulo 4 (in a double), the rest the fraction.
let partInt = 0;
let partHi = 0;
let partLo = 0;

function branredPart(x: number): void {
  scratch[0] = x;
  let k = Math.trunc((((words[HI]! >>> 20) & 2047) - 450) / 24);
  if (k < 0) k = 0;
  // 2^(576 - 24k) scales the digits so that the products stay in range.
  let gor = 2 ** (576 - 24 * k);
  let r0 = x * TOVERP[k]! * gor;
  gor *= TM24;
  let r1 = x * TOVERP[k + 1]! * gor;
  gor *= TM24;
  let r2 = x * TOVERP[k + 2]! * gor;
  gor *= TM24;
  const r3 = x * TOVERP[k + 3]! * gor;
  gor *= TM24;
  const r4 = x * TOVERP[k + 4]! * gor;
  gor *= TM24;
  const r5 = x * TOVERP[k + 5]! * gor;
  let s = r0 + BR_BIG - BR_BIG;
  let sum = s;
  r0 -= s;
  s = r1 + BR_BIG - BR_BIG;
  sum += s;
  r1 -= s;
  s = r2 + BR_BIG - BR_BIG;
  sum += s;
  r2 -= s;
  let t = 0 + r5 + r4 + r3 + r2 + r1 + r0;
  let bb = r0 - t + r1 + r2 + r3 + r4 + r5;
  s = t + BR_BIG - BR_BIG;
  sum += s;
  t -= s;
  const b = t + bb;
  bb = t - b + bb;
  s = sum + BR_BIG1 - BR_BIG1;
  partInt = sum - s;
  partHi = b;
  partLo = bb;
}

/** __branred, for |x| >= 105414336. */
function branred(x: number): number {
  x *= TM600;
  const t = x * SPLIT;
  const x1 = t - (t - x);
  const x2 = x - x1;
  branredPart(x1);
  const sum1 = partInt, b1 = partHi, bb1 = partLo;
  branredPart(x2);
  const sum2 = partInt, b2 = partHi, bb2 = partLo;
  let sum = sum1 + sum2;
  let b = b1 + b2;
  let bb = Math.abs(b1) > Math.abs(b2) ? b1 - b + b2 : b2 - b + b1;
  if (b > 0.5) {
    b -= 1.0;
    sum += 1.0;
  } else if (b < -0.5) {
    b += 1.0;
    sum -= 1.0;
  }
  let s = b + (bb + bb1 + bb2);
  let u = b - s + bb + (bb1 + bb2);
  b = s * SPLIT;
  const t1 = b - (b - s);
  const t2 = s - t1;
  b = s * HP0;
  bb = t1 * MP1 - b + t1 * BR_MP2 + t2 * MP1 + (t2 * BR_MP2 + s * HP1 + u * HP0);
  s = b + bb;
  u = b - s + bb;
  reducedHi = s;
  reducedLo = u;
  return sum & 3;
}

/** sin (cosine = 0) or cos (cosine = 1) of finite |x| >= 2.4262638. */
function reduced(x: number, cosine: number): number {
  const n = (Math.abs(x) < REDUCE_MAX ? reduce(x) : branred(x)) + cosine;
  const r = n & 1 ? doCos(reducedHi, reducedLo) : doSin(reducedHi, reducedLo);
  return n & 2 ? -r : r;
}

/** sin(x), identical to glibc 2.36's __sin_fma for every double. */
export function sin(x: number): number {
  const ax = Math.abs(x);
  if (ax < SIN_TINY) return x;
  if (ax < TABLE_MAX) return doSin(x, 0);
  if (ax < SHIFT_MAX) {
    const v = doCos(HP0 - ax, HP1);
    return x < 0 ? -v : v;
  }
  if (ax < Infinity) return reduced(x, 0);
  return NaN;
}

/** cos(x), identical to glibc 2.36's __cos_fma for every double. */
export function cos(x: number): number {
  const ax = Math.abs(x);
  if (ax < COS_TINY) return 1.0;
  if (ax < TABLE_MAX) return doCos(x, 0);
  if (ax < SHIFT_MAX) {
    const y = HP0 - ax;
    const a = y + HP1;
    return doSin(a, y - a + HP1);
  }
  if (ax < Infinity) return reduced(x, 1);
  return NaN;
}
