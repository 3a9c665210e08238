/**
 * numpy's random number path as Gymnasium uses it: SeedSequence(seed) ->
 * PCG64 -> Generator.random() / uniform(). Gymnasium's `reset(seed=s)` makes
 * `Generator(PCG64(SeedSequence(s)))`, and CartPole's reset draws
 * `uniform(-0.05, 0.05, size=4)` from it; these functions reproduce that
 * stream bit for bit (numpy >= 1.17, checked against numpy 1.24 and 2.x).
 *
 * Seeding uses BigInt (it runs once per reset(seed)); the generator itself
 * steps its 128-bit state in 16-bit limbs held in doubles, so random() costs
 * no allocation. assembly/lib/pcg64.ts is the WebAssembly twin of the
 * generator; {@link writePcg64} and {@link readPcg64} move a state between
 * the two.
 */
import { InvalidArgumentError } from "../errors.ts";

/** A PCG64 state: the 128-bit LCG state and increment (odd), as numpy's `bit_generator.state["state"]`. */
export interface Pcg64State {
  state: bigint;
  inc: bigint;
}

// SeedSequence's hashing constants (numpy/random/bit_generator.pyx).
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
/** PCG_DEFAULT_MULTIPLIER_128. */
const MULTIPLIER = 0x2360ed051fc65da44385df649fccf645n;

/** The entropy as SeedSequence takes it: a non-negative integer of any size (a number must be a safe integer). */
function entropyWords(seed: number | bigint): number[] {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidArgumentError("seed", seed, "a non-negative safe integer");
    seed = BigInt(seed);
  } else if (typeof seed !== "bigint" || seed < 0n) {
    throw new InvalidArgumentError("seed", seed, "a non-negative integer");
  }
  // _int_to_uint32_array: 32-bit words, least significant first; 0 is [0].
  const words = [Number(seed & 0xffffffffn)];
  for (let n = seed >> 32n; n > 0n; n >>= 32n) words.push(Number(n & 0xffffffffn));
  return words;
}

/** SeedSequence(seed).pool: the entropy hashed and mixed into four 32-bit words. */
export function seedSequencePool(seed: number | bigint): Uint32Array {
  const entropy = entropyWords(seed);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const pool = new Uint32Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i]! : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst]!, hashmix(pool[src]!));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst]!, hashmix(entropy[src]!));
  }
  return pool;
}

/** SeedSequence.generate_state(n, np.uint64) from a pool. */
export function generateState(pool: Uint32Array, n: number): bigint[] {
  let hashConst = INIT_B;
  const word = (i: number): bigint => {
    let value = (pool[i % pool.length]! ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_B) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return BigInt((value ^ (value >>> 16)) >>> 0);
  };
  const out: bigint[] = [];
  // Pairs of 32-bit words viewed as one little-endian uint64.
  for (let i = 0; i < n; i++) {
    const lo = word(2 * i);
    out.push(lo | (word(2 * i + 1) << 32n));
  }
  return out;
}

/** The state numpy's `PCG64(seed)` starts from (pcg64_set_seed after SeedSequence). */
export function pcg64Seed(seed: number | bigint): Pcg64State {
  const [s0, s1, i0, i1] = generateState(seedSequencePool(seed), 4) as [bigint, bigint, bigint, bigint];
  const initState = (s0 << 64n) | s1;
  const inc = (((i0 << 64n) | i1) << 1n | 1n) & MASK128;
  // pcg_setseq_128_srandom_r: step from zero, add the seed, step again.
  const step = (s: bigint): bigint => (s * MULTIPLIER + inc) & MASK128;
  return { state: step((step(0n) + initState) & MASK128), inc };
}

const LIMBS = 8;
const LIMB = 65536;
/** The multiplier in 16-bit limbs, least significant first. */
const MULT_LIMBS = Array.from({ length: LIMBS }, (_, i) => Number((MULTIPLIER >> BigInt(16 * i)) & 0xffffn));

/** Scratch for the next state's limbs (the generator is not reentrant). */
const next = new Float64Array(LIMBS);

function toLimbs(v: bigint, out: Float64Array): void {
  for (let i = 0; i < LIMBS; i++) out[i] = Number((v >> BigInt(16 * i)) & 0xffffn);
}

function fromLimbs(l: Float64Array): bigint {
  let v = 0n;
  for (let i = LIMBS - 1; i >= 0; i--) v = (v << 16n) | BigInt(l[i]!);
  return v;
}

/** A PCG64 generator with numpy's Generator.random() and uniform() on top. */
export class Pcg64 {
  private readonly s = new Float64Array(LIMBS);
  private readonly inc = new Float64Array(LIMBS);
  /** The last output's high and low 32 bits. */
  private hi = 0;
  private lo = 0;

  constructor(state: Pcg64State) {
    toLimbs(state.state & MASK128, this.s);
    toLimbs(state.inc & MASK128, this.inc);
  }

  /** numpy's `Generator(PCG64(seed))`, Gymnasium's `np_random` after `reset(seed=seed)`. */
  static fromSeed(seed: number | bigint): Pcg64 {
    return new Pcg64(pcg64Seed(seed));
  }

  get state(): Pcg64State {
    return { state: fromLimbs(this.s), inc: fromLimbs(this.inc) };
  }

  /** Advances the LCG and leaves the XSL-RR output in hi/lo. */
  private step(): void {
    const s = this.s;
    const inc = this.inc;
    // state = state * MULT + inc (mod 2^128), schoolbook on 16-bit limbs:
    // each column sums at most 8 products below 2^32, exact in a double.
    let carry = 0;
    for (let k = 0; k < LIMBS; k++) {
      let col = carry + inc[k]!;
      for (let i = 0; i <= k; i++) col += s[i]! * MULT_LIMBS[k - i]!;
      carry = Math.floor(col * (1 / LIMB));
      next[k] = col - carry * LIMB;
    }
    for (let k = 0; k < LIMBS; k++) s[k] = next[k]!;
    // XSL-RR: rotate (high 64 bits ^ low 64 bits) right by the top 6 bits.
    let xh = ((s[7]! ^ s[3]!) * LIMB + (s[6]! ^ s[2]!)) >>> 0;
    let xl = ((s[5]! ^ s[1]!) * LIMB + (s[4]! ^ s[0]!)) >>> 0;
    let rot = s[7]! >>> 10;
    if (rot >= 32) {
      const t = xh;
      xh = xl;
      xl = t;
      rot -= 32;
    }
    if (rot === 0) {
      this.hi = xh;
      this.lo = xl;
    } else {
      this.hi = ((xh >>> rot) | (xl << (32 - rot))) >>> 0;
      this.lo = ((xl >>> rot) | (xh << (32 - rot))) >>> 0;
    }
  }

  /** The next 64-bit output, numpy's `bit_generator.random_raw()`. */
  nextU64(): bigint {
    this.step();
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** numpy's `Generator.random()`: (next >> 11) * 2^-53, in [0, 1). */
  random(): number {
    this.step();
    return (this.hi * 2097152 + (this.lo >>> 11)) * 1.1102230246251565e-16;
  }

  /** numpy's `Generator.uniform(low, high)` for one value: low + (high - low) * random(). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }
}

/** Writes a state in assembly/lib/pcg64.ts's layout (PCG64_BYTES at `ptr`). */
export function writePcg64(buffer: ArrayBufferLike, ptr: number, state: Pcg64State): void {
  const v = new BigUint64Array(buffer, ptr, 4);
  v[0] = state.state & MASK64;
  v[1] = (state.state >> 64n) & MASK64;
  v[2] = state.inc & MASK64;
  v[3] = (state.inc >> 64n) & MASK64;
}

/** Reads a state written by {@link writePcg64} or advanced by the WebAssembly generator. */
export function readPcg64(buffer: ArrayBufferLike, ptr: number): Pcg64State {
  const v = new BigUint64Array(buffer, ptr, 4);
  return { state: (v[1]! << 64n) | v[0]!, inc: (v[3]! << 64n) | v[2]! };
}
