/**
 * TEMPORARY stand-ins for branch `libm` (glibc-exact sin/cos, numpy
 * SeedSequence -> PCG64). Deleted when `libm` is merged.
 */
export const sin = Math.sin;
export const cos = Math.cos;

/** Bytes of a PCG64 state in memory: [state lo, state hi, inc lo, inc hi] as u64. */
export const PCG64_STATE_BYTES = 32;

const M64 = (1n << 64n) - 1n;
const M128 = (1n << 128n) - 1n;
const MULT = 0x2360ed051fc65da44385df649fccf645n;

function seedSequenceWords(seed: number | bigint): Uint32Array {
  const entropy: number[] = [];
  for (let v = BigInt(seed); entropy.length === 0 || v > 0n; v >>= 32n) entropy.push(Number(v & 0xffffffffn));
  let hashConst = 0x43b0d7e5;
  const hashmix = (value: number) => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, 0x931e8875) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x: number, y: number) => {
    const r = (Math.imul(0xca01f9dd, x) - Math.imul(0x4973f715, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const pool = new Uint32Array(4);
  for (let i = 0; i < 4; i++) pool[i] = hashmix(entropy[i] ?? 0);
  for (let s = 0; s < 4; s++) for (let d = 0; d < 4; d++) if (s !== d) pool[d] = mix(pool[d]!, hashmix(pool[s]!));
  for (let s = 4; s < entropy.length; s++) for (let d = 0; d < 4; d++) pool[d] = mix(pool[d]!, hashmix(entropy[s]!));
  let hc = 0x8b51f9dd;
  const out = new Uint32Array(8);
  for (let i = 0; i < 8; i++) {
    let v = (pool[i % 4]! ^ hc) >>> 0;
    hc = Math.imul(hc, 0x58f38ded) >>> 0;
    v = Math.imul(v, hc) >>> 0;
    out[i] = (v ^ (v >>> 16)) >>> 0;
  }
  return out;
}

/** Writes numpy's PCG64(SeedSequence(seed)) state into `state` (4 x u64). */
export function seedPcg64(state: BigUint64Array, seed: number | bigint): void {
  const w = seedSequenceWords(seed);
  const u = (i: number) => BigInt(w[2 * i]!) | (BigInt(w[2 * i + 1]!) << 32n);
  const initState = (u(0) << 64n) | u(1);
  const inc = (((u(2) << 64n) | u(3)) << 1n | 1n) & M128;
  let s = (0n * MULT + inc) & M128;
  s = (s + initState) & M128;
  s = (s * MULT + inc) & M128;
  state[0] = s & M64;
  state[1] = s >> 64n;
  state[2] = inc & M64;
  state[3] = inc >> 64n;
}

/** numpy's Generator.random() on a PCG64 state. */
export function pcg64Random(state: BigUint64Array): number {
  const inc = state[2]! | (state[3]! << 64n);
  const s = (((state[0]! | (state[1]! << 64n)) * MULT) + inc) & M128;
  state[0] = s & M64;
  state[1] = s >> 64n;
  const hi = s >> 64n;
  const rot = hi >> 58n;
  const x = (hi ^ (s & M64)) & M64;
  const out = ((x >> rot) | (x << ((64n - rot) & 63n))) & M64;
  return Number(out >> 11n) / 9007199254740992;
}
