/**
 * MT19937 as numpy's legacy `RandomState` runs it (numpy/random/src/mt19937):
 * seeding by `init_genrand`, 32-bit draws, and the two RandomState methods
 * MinAtar's Breakout calls, `randint(2)` and `rand()`. The state lives at a
 * caller-given address, MT19937_BYTES = 2500 bytes: 624 u32 words, then the
 * i32 index of the next word (624: regenerate before the next draw).
 * Callers: Breakout's reset (one draw) and step (two draws).
 */
const N = 624;
const M = 397;
const MATRIX_A: u32 = 0x9908b0df;
const UPPER: u32 = 0x80000000;
const LOWER: u32 = 0x7fffffff;
const POS = N << 2;

/** `RandomState(seed)` for an integer seed: init_genrand(seed), next draw regenerates. */
export function mtSeed(s: usize, seed: u32): void {
  let x = seed;
  store<u32>(s, x);
  for (let i = 1; i < N; i++) {
    x = 1812433253 * (x ^ (x >>> 30)) + <u32>i;
    store<u32>(s + (<usize>i << 2), x);
  }
  store<i32>(s + POS, N);
}

@inline function twist(s: usize, i: i32, j: i32, k: i32): void {
  const y = (load<u32>(s + (<usize>i << 2)) & UPPER) | (load<u32>(s + (<usize>j << 2)) & LOWER);
  store<u32>(s + (<usize>i << 2), load<u32>(s + (<usize>k << 2)) ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A));
}

/** Regenerates the 624 words (mt19937_gen). */
function regenerate(s: usize): void {
  let i = 0;
  for (; i < N - M; i++) twist(s, i, i + 1, i + M);
  for (; i < N - 1; i++) twist(s, i, i + 1, i + M - N);
  twist(s, N - 1, 0, M - 1);
  store<i32>(s + POS, 0);
}

/** The next tempered 32-bit draw (mt19937_next32). */
export function mtNextU32(s: usize): u32 {
  let pos = load<i32>(s + POS);
  if (pos >= N) {
    regenerate(s);
    pos = 0;
  }
  let y = load<u32>(s + (<usize>pos << 2));
  store<i32>(s + POS, pos + 1);
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y;
}

/** `RandomState.rand()`: 53 random bits from two draws, a double in [0, 1). */
export function mtRand(s: usize): f64 {
  const a = <f64>(mtNextU32(s) >>> 5);
  const b = <f64>(mtNextU32(s) >>> 6);
  return (a * 67108864.0 + b) / 9007199254740992.0;
}
