/**
 * deepq's general-purpose seeded generator: xoshiro128** (Blackman & Vigna),
 * 32-bit operations only, so the AssemblyScript twin (assembly/lib/rng.ts)
 * produces the same stream from the same 16-byte state in linear memory.
 * Used for replay sampling, weight initialisation and exploration. (The
 * CartPole env uses numpy's PCG64 instead, to match Gymnasium.)
 */
import { checkInt } from "../validate.ts";

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** Writes the xoshiro128** state for `seed` (an integer in [0, 2^53)) into `state` (4 x u32). */
export function seedState(state: Uint32Array, seed: number): void {
  checkInt("seed", seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  // splitmix32 over the low and high words expands any seed into 128 bits.
  let z = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296), 0x9e3779b9);
  for (let i = 0; i < 4; i++) {
    z = (z + 0x9e3779b9) | 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    state[i] = (t ^ (t >>> 15)) >>> 0;
  }
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
}

export class Rng {
  /** The generator state; may be a view into WASM memory shared with the AS twin. */
  readonly state: Uint32Array;

  constructor(seed: number, state: Uint32Array = new Uint32Array(4)) {
    this.state = state;
    seedState(state, seed);
  }

  /** Next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (two draws). */
  nextDouble(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n) for n <= 2^32 (bias below 2^-21, from the 53-bit double). */
  int(n: number): number {
    return Math.floor(this.nextDouble() * n);
  }

  /** Uniform double in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.nextDouble();
  }
}
