/**
 * The MLP engine's dense kernels over f32 matrices in linear memory, each a
 * v128 version beside its scalar twin (same arguments, same result up to
 * summation order and fused rounding; tests run every update both ways: the
 * test module is built with SCALAR_TWINS = 1, see assembly/lib/mlp.ts). Pointers are byte addresses, strides and
 * sizes count floats; every row stride the v128 versions load along is a
 * multiple of 4.
 *
 * The three products of a layer's forward and backward pass all use W in its
 * natural [in, out] layout, so no transposed copy exists:
 *   Y  = X·W    splat form: broadcast X[m, k], multiply row k of W  (gemmSplat)
 *   dW = Xᵀ·dY  the same splat form with X read down its columns      (gemmSplat)
 *   dX = dY·Wᵀ  dot form: row m of dY against row n of W              (gemmDotRelu)
 */

/** a·b + c per lane: one fused multiply-add in the relaxed-SIMD build, mul then add otherwise. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function ldf(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

@inline function stf(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

/**
 * ReLU as pmax (v < 0 ? 0 : v): one instruction where f32x4.max needs eight,
 * and NaN still propagates. (Only an exact -0 input keeps its sign.)
 */
@inline function relu4(v: v128, relu: bool): v128 {
  return relu ? f32x4.pmax(v, f32x4.splat(0)) : v;
}

@inline function reluf(v: f32, relu: bool): f32 {
  return relu ? max(v, <f32>0) : v;
}

// ---------------------------------------------------------------------------
// gemmSplat: C = A·B (+ bias) (ReLU)
// ---------------------------------------------------------------------------

/**
 * C[m, n] = bias[n] + Σ_k A(m, k)·B[k, n], ReLU'd when `relu`, for m < M and
 * n < N (N a multiple of 4); `bias` 0 means none. A(m, k) = a[m·sam + k·sak]
 * is read one scalar at a time and broadcast, so one kernel serves X·W
 * (sam = row stride of X, sak = 1) and Xᵀ·dY (sam = 1, sak = row stride).
 * Register tiles of 4 rows × 8 columns (8 accumulators: FMA latency × 2 FMA
 * units on current x86), 4-column and 1-row edges; N = 4 goes to narrowRow.
 * Callers: every layer of every batched forward pass, and the weight gradient
 * of every layer in each update.
 */
export function gemmSplat(M: i32, N: i32, K: i32, a: usize, sam: i32, sak: i32, b: usize, ldb: i32, bias: usize, c: usize, ldc: i32, relu: bool): void {
  if (N == 4) {
    for (let m = 0; m < M; m++) narrowRow(m, K, a, sam, sak, b, ldb, bias, c, ldc, relu);
    return;
  }
  let m = 0;
  for (; m + 4 <= M; m += 4) splatRows(4, m, N, K, a, sam, sak, b, ldb, bias, c, ldc, relu);
  for (; m < M; m++) splatRows(1, m, N, K, a, sam, sak, b, ldb, bias, c, ldc, relu);
}

@inline function splatRows(R: i32, m: i32, N: i32, K: i32, a: usize, sam: i32, sak: i32, b: usize, ldb: i32, bias: usize, c: usize, ldc: i32, relu: bool): void {
  const pa = a + (<usize>(m * sam) << 2);
  const pc = c + (<usize>(m * ldc) << 2);
  let n = 0;
  for (; n + 8 <= N; n += 8) splatTile(R, 2, pa, sam, sak, K, b + (<usize>n << 2), ldb, bias ? bias + (<usize>n << 2) : 0, pc + (<usize>n << 2), ldc, relu);
  if (n < N) splatTile(R, 1, pa, sam, sak, K, b + (<usize>n << 2), ldb, bias ? bias + (<usize>n << 2) : 0, pc + (<usize>n << 2), ldc, relu);
}

/** One R×(4·V) tile of gemmSplat, R ∈ {1, 4}, V ∈ {1, 2} (compile-time after inlining). */
@inline function splatTile(R: i32, V: i32, pa: usize, sam: i32, sak: i32, K: i32, pb: usize, ldb: i32, pbias: usize, pc: usize, ldc: i32, relu: bool): void {
  const zero = f32x4.splat(0);
  const i0 = pbias ? v128.load(pbias) : zero;
  const i1 = V > 1 && pbias ? v128.load(pbias, 16) : zero;
  let c00 = i0, c01 = i1, c10 = i0, c11 = i1, c20 = i0, c21 = i1, c30 = i0, c31 = i1;
  const sa = <usize>sam << 2;
  const ska = <usize>sak << 2;
  const skb = <usize>ldb << 2;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    const b1 = V > 1 ? v128.load(pb, 16) : zero;
    let s = v128.load32_splat(pa);
    c00 = madd(s, b0, c00);
    if (V > 1) c01 = madd(s, b1, c01);
    if (R > 1) {
      s = v128.load32_splat(pa + sa);
      c10 = madd(s, b0, c10);
      if (V > 1) c11 = madd(s, b1, c11);
      s = v128.load32_splat(pa + 2 * sa);
      c20 = madd(s, b0, c20);
      if (V > 1) c21 = madd(s, b1, c21);
      s = v128.load32_splat(pa + 3 * sa);
      c30 = madd(s, b0, c30);
      if (V > 1) c31 = madd(s, b1, c31);
    }
    pa += ska;
    pb += skb;
  }
  const sc = <usize>ldc << 2;
  v128.store(pc, relu4(c00, relu));
  if (V > 1) v128.store(pc, relu4(c01, relu), 16);
  if (R > 1) {
    v128.store(pc + sc, relu4(c10, relu));
    if (V > 1) v128.store(pc + sc, relu4(c11, relu), 16);
    v128.store(pc + 2 * sc, relu4(c20, relu));
    if (V > 1) v128.store(pc + 2 * sc, relu4(c21, relu), 16);
    v128.store(pc + 3 * sc, relu4(c30, relu));
    if (V > 1) v128.store(pc + 3 * sc, relu4(c31, relu), 16);
  }
}

/**
 * One row of a 4-column gemmSplat (the head of a network with up to 4
 * outputs, and its weight gradient): the k terms go round-robin into four
 * partial sums, P_j = Σ_{k ≡ j (mod 4)} A(m, k)·B[k, :] in increasing k (P_0
 * starting from the bias), and C[m, :] = (P_0 + P_1) + (P_2 + P_3). One
 * vector of accumulators would otherwise make each row one chain of K
 * dependent FMAs. The single-row forward pass calls it too (gemvSparse), so
 * one row still gets bit for bit its outputs in a batch.
 */
function narrowRow(m: i32, K: i32, a: usize, sam: i32, sak: i32, b: usize, ldb: i32, bias: usize, c: usize, ldc: i32, relu: bool): void {
  let pa = a + (<usize>(m * sam) << 2);
  let pb = b;
  const ska = <usize>sak << 2;
  const skb = <usize>ldb << 2;
  let p0 = bias ? v128.load(bias) : f32x4.splat(0);
  let p1 = f32x4.splat(0);
  let p2 = p1;
  let p3 = p1;
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    p0 = madd(v128.load32_splat(pa), v128.load(pb), p0);
    p1 = madd(v128.load32_splat(pa + ska), v128.load(pb + skb), p1);
    p2 = madd(v128.load32_splat(pa + 2 * ska), v128.load(pb + 2 * skb), p2);
    p3 = madd(v128.load32_splat(pa + 3 * ska), v128.load(pb + 3 * skb), p3);
    pa += 4 * ska;
    pb += 4 * skb;
  }
  // At most three terms left, for P_0, P_1, P_2 in turn.
  if (k < K) p0 = madd(v128.load32_splat(pa), v128.load(pb), p0);
  if (k + 1 < K) p1 = madd(v128.load32_splat(pa + ska), v128.load(pb + skb), p1);
  if (k + 2 < K) p2 = madd(v128.load32_splat(pa + 2 * ska), v128.load(pb + 2 * skb), p2);
  v128.store(c + (<usize>(m * ldc) << 2), relu4(f32x4.add(f32x4.add(p0, p1), f32x4.add(p2, p3)), relu));
}

/** Scalar twin of {@link gemmSplat}. */
export function gemmSplatScalar(M: i32, N: i32, K: i32, a: usize, sam: i32, sak: i32, b: usize, ldb: i32, bias: usize, c: usize, ldc: i32, relu: bool): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc: f32 = bias ? ldf(bias, n) : 0;
      for (let k = 0; k < K; k++) acc += ldf(a, m * sam + k * sak) * ldf(b, k * ldb + n);
      stf(c, m * ldc + n, reluf(acc, relu));
    }
  }
}

// ---------------------------------------------------------------------------
// gemvSparse: one row of gemmSplat, skipping zero inputs
// ---------------------------------------------------------------------------

/**
 * Byte shuffles that move the lanes set in a 4-bit mask to the front of a
 * vector, lane order kept (16 masks × 16 bytes; 128 zeroes a byte).
 */
const PACK = memory.data<u8>([
  128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128,
  12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128,
  8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
]);

@inline function pack(v: v128, shuffle: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i8x16.relaxed_swizzle(v, shuffle);
  return i8x16.swizzle(v, shuffle);
}

/**
 * c[n] = bias[n] + Σ_k a[k]·B[k, n] (ReLU'd when `relu`) for one input row,
 * N a multiple of 4. Zero inputs are skipped: after a ReLU about half are,
 * so a single observation reads about half of each hidden weight matrix. The
 * nonzero inputs are first packed into `list` (8·(K + 4) bytes) as pairs
 * (byte offset of row k, a[k]), four inputs per step, so the multiply loop
 * has no data-dependent branch and walks one pointer. Same sums in the same
 * order as gemmSplat (a skipped term adds exactly 0), so one row gets bit
 * for bit its outputs in a batch; N = 4 is gemmSplat's own narrowRow, dense
 * (its four partial sums leave no latency to hide, and packing would cost
 * more than the zeros it skips). Its scalar twin is gemmSplatScalar with
 * M = 1.
 * Callers: the forward pass when it has one row (one greedy action per call).
 */
export function gemvSparse(N: i32, K: i32, a: usize, b: usize, ldb: i32, bias: usize, c: usize, relu: bool, list: usize): void {
  if (N == 4) {
    narrowRow(0, K, a, 0, 1, b, ldb, bias, c, 0, relu);
    return;
  }
  const rowBytes = ldb << 2;
  // Tested on the bits: ReLU zeros are +0 (a rare -0 is merely kept), NaN needs no care.
  let count = 0;
  let offsets = i32x4(0, rowBytes, 2 * rowBytes, 3 * rowBytes);
  const step = i32x4.splat(4 * rowBytes);
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const v = v128.load(a + (<usize>k << 2));
    const mask = i32x4.bitmask(i32x4.ne(v, i32x4.splat(0)));
    const shuffle = v128.load(PACK + (<usize>mask << 4));
    const o = pack(offsets, shuffle);
    const x = pack(v, shuffle);
    const p = list + (<usize>count << 3);
    v128.store(p, v128.shuffle<i32>(o, x, 0, 4, 1, 5));
    v128.store(p, v128.shuffle<i32>(o, x, 2, 6, 3, 7), 16);
    count += <i32>popcnt(mask);
    offsets = i32x4.add(offsets, step);
  }
  for (; k < K; k++) {
    const bits = load<u32>(a + (<usize>k << 2));
    const p = list + (<usize>count << 3);
    store<i32>(p, k * rowBytes);
    store<u32>(p, bits, 4);
    count += i32(bits != 0);
  }
  const end = list + (<usize>count << 3);
  let n = 0;
  for (; n + 28 <= N; n += 28) gemvBlock(7, n, b, bias, c, list, end, relu);
  switch ((N - n) >> 2) {
    case 6: gemvBlock(6, n, b, bias, c, list, end, relu); break;
    case 5: gemvBlock(5, n, b, bias, c, list, end, relu); break;
    case 4: gemvBlock(4, n, b, bias, c, list, end, relu); break;
    case 3: gemvBlock(3, n, b, bias, c, list, end, relu); break;
    case 2: gemvBlock(2, n, b, bias, c, list, end, relu); break;
    case 1: gemvBlock(1, n, b, bias, c, list, end, relu); break;
  }
}

/**
 * Columns [n, n + 4V) of gemvSparse, V <= 7 (compile-time after inlining),
 * over the list entries [list, end): one accumulator per vector, so each
 * entry is one FMA-latency step. Seven is the most that keeps accumulators,
 * the row's loads (which V8 issues together) and the splat in V8's 15
 * allocatable xmm registers; a spilled accumulator would chain every FMA
 * through a store and a reload (measured 3x slower).
 */
@inline function gemvBlock(V: i32, n: i32, b: usize, bias: usize, c: usize, list: usize, end: usize, relu: bool): void {
  const pb = b + (<usize>n << 2);
  const pbias = bias + (<usize>n << 2);
  const zero = f32x4.splat(0);
  let c0 = v128.load(pbias);
  let c1 = V > 1 ? v128.load(pbias, 16) : zero;
  let c2 = V > 2 ? v128.load(pbias, 32) : zero;
  let c3 = V > 3 ? v128.load(pbias, 48) : zero;
  let c4 = V > 4 ? v128.load(pbias, 64) : zero;
  let c5 = V > 5 ? v128.load(pbias, 80) : zero;
  let c6 = V > 6 ? v128.load(pbias, 96) : zero;
  for (let e = list; e < end; e += 8) {
    const row = pb + <usize>load<u32>(e);
    const s = v128.load32_splat(e, 4);
    c0 = madd(s, v128.load(row), c0);
    if (V > 1) c1 = madd(s, v128.load(row, 16), c1);
    if (V > 2) c2 = madd(s, v128.load(row, 32), c2);
    if (V > 3) c3 = madd(s, v128.load(row, 48), c3);
    if (V > 4) c4 = madd(s, v128.load(row, 64), c4);
    if (V > 5) c5 = madd(s, v128.load(row, 80), c5);
    if (V > 6) c6 = madd(s, v128.load(row, 96), c6);
  }
  const pc = c + (<usize>n << 2);
  v128.store(pc, relu4(c0, relu));
  if (V > 1) v128.store(pc, relu4(c1, relu), 16);
  if (V > 2) v128.store(pc, relu4(c2, relu), 32);
  if (V > 3) v128.store(pc, relu4(c3, relu), 48);
  if (V > 4) v128.store(pc, relu4(c4, relu), 64);
  if (V > 5) v128.store(pc, relu4(c5, relu), 80);
  if (V > 6) v128.store(pc, relu4(c6, relu), 96);
}

// ---------------------------------------------------------------------------
// gemmDotRelu: dX = (dY·Wᵀ) ⊙ [H > 0]
// ---------------------------------------------------------------------------

/** Lane sums of four vectors: [Σa0, Σa1, Σa2, Σa3]. */
@inline function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

/**
 * C[m, n] = H[m, n] > 0 ? Σ_k A[m, k]·W[n, k] : 0 for m < M, n < N: the
 * input gradient dX = dY·Wᵀ through the ReLU that produced H, reading W
 * (= the layer's [in, out] weights) along its rows, so no transposed copy is
 * kept. N and K multiples of 4; A, W row strides lda, ldw; H and C share ldc.
 * `h` 0: no ReLU, C = A·Wᵀ (a conv layer's patch gradients, masked later).
 * Register tiles of 2 rows × 4 columns, each a vector of partial sums along k
 * reduced at the end (hsum4); 1-row edge; rows in groups of DOT_GROUP.
 * Callers: the backward pass, for every layer but the first, once per update.
 */
export function gemmDotRelu(M: i32, N: i32, K: i32, a: usize, lda: i32, w: usize, ldw: i32, h: usize, c: usize, ldc: i32): void {
  for (let m0 = 0; m0 < M; m0 += DOT_GROUP) {
    const m1 = min(m0 + DOT_GROUP, M);
    for (let n = 0; n < N; n += 4) {
      let m = m0;
      for (; m + 2 <= m1; m += 2) dotTile(2, m, n, K, a, lda, w, ldw, h, c, ldc);
      if (m < m1) dotTile(1, m, n, K, a, lda, w, ldw, h, c, ldc);
    }
  }
}

/**
 * Rows of dY that share each block of 4 rows of W while it is in L1: W is
 * then read from L2 M / DOT_GROUP times instead of M / 2 (2-5% faster at
 * 256 wide; the same grouping made gemmSplat no faster).
 */
const DOT_GROUP = 8;

@inline function dotTile(R: i32, m: i32, n: i32, K: i32, a: usize, lda: i32, w: usize, ldw: i32, h: usize, c: usize, ldc: i32): void {
  const pa = a + (<usize>(m * lda) << 2);
  const sa = <usize>lda << 2;
  const sw = <usize>ldw << 2;
  const kb = <usize>K << 2;
  const zero = f32x4.splat(0);
  const pw = w + <usize>n * sw;
  let c00 = zero, c01 = zero, c02 = zero, c03 = zero, c10 = zero, c11 = zero, c12 = zero, c13 = zero;
  for (let k: usize = 0; k < kb; k += 16) {
    const a0 = v128.load(pa + k);
    const a1 = R > 1 ? v128.load(pa + sa + k) : zero;
    let x = v128.load(pw + k);
    c00 = madd(a0, x, c00);
    if (R > 1) c10 = madd(a1, x, c10);
    x = v128.load(pw + sw + k);
    c01 = madd(a0, x, c01);
    if (R > 1) c11 = madd(a1, x, c11);
    x = v128.load(pw + 2 * sw + k);
    c02 = madd(a0, x, c02);
    if (R > 1) c12 = madd(a1, x, c12);
    x = v128.load(pw + 3 * sw + k);
    c03 = madd(a0, x, c03);
    if (R > 1) c13 = madd(a1, x, c13);
  }
  const at = (<usize>(m * ldc + n) << 2);
  const s0 = hsum4(c00, c01, c02, c03);
  v128.store(c + at, h ? reluMask(s0, v128.load(h + at)) : s0);
  if (R > 1) {
    const at1 = at + (<usize>ldc << 2);
    const s1 = hsum4(c10, c11, c12, c13);
    v128.store(c + at1, h ? reluMask(s1, v128.load(h + at1)) : s1);
  }
}

/** g where the ReLU output h is positive, else 0. */
@inline function reluMask(g: v128, h: v128): v128 {
  return v128.and(g, f32x4.gt(h, f32x4.splat(0)));
}

/** Scalar twin of {@link gemmDotRelu}. */
export function gemmDotReluScalar(M: i32, N: i32, K: i32, a: usize, lda: i32, w: usize, ldw: i32, h: usize, c: usize, ldc: i32): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc: f32 = 0;
      for (let k = 0; k < K; k++) acc += ldf(a, m * lda + k) * ldf(w, n * ldw + k);
      stf(c, m * ldc + n, !h || ldf(h, m * ldc + n) > 0 ? acc : 0);
    }
  }
}

// ---------------------------------------------------------------------------
// transpose: the weight gradient's input columns as rows
// ---------------------------------------------------------------------------

/**
 * T[k, m] = A[m, k] for m < M, k < K (A row stride lda, T row stride M),
 * in 4×4 blocks of vectors where both counts allow. Only data movement, so
 * no scalar twin. Callers: the backward pass, before dW = Xᵀ·dY of a dense
 * layer above another layer: gemmSplat then walks rows of T along k instead
 * of a column of X, whose rows are 4 KiB apart at 1024 inputs (every load
 * in one L1 set: that gemmSplat ran 1.5x slower than a forward pass of the
 * same size).
 */
export function transpose(M: i32, K: i32, a: usize, lda: i32, t: usize): void {
  const sa = <usize>lda << 2;
  const st = <usize>M << 2;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const pa = a + <usize>m * sa;
    const pt = t + (<usize>m << 2);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const r0 = v128.load(pa + (<usize>k << 2));
      const r1 = v128.load(pa + sa + (<usize>k << 2));
      const r2 = v128.load(pa + 2 * sa + (<usize>k << 2));
      const r3 = v128.load(pa + 3 * sa + (<usize>k << 2));
      const t01lo = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
      const t01hi = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
      const t23lo = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
      const t23hi = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
      const q = pt + <usize>k * st;
      v128.store(q, v128.shuffle<i32>(t01lo, t23lo, 0, 1, 4, 5));
      v128.store(q + st, v128.shuffle<i32>(t01lo, t23lo, 2, 3, 6, 7));
      v128.store(q + 2 * st, v128.shuffle<i32>(t01hi, t23hi, 0, 1, 4, 5));
      v128.store(q + 3 * st, v128.shuffle<i32>(t01hi, t23hi, 2, 3, 6, 7));
    }
    for (; k < K; k++) {
      for (let i = 0; i < 4; i++) stf(t, k * M + m + i, ldf(a, (m + i) * lda + k));
    }
  }
  for (; m < M; m++) {
    for (let k = 0; k < K; k++) stf(t, k * M + m, ldf(a, m * lda + k));
  }
}

// ---------------------------------------------------------------------------
// Column sums, squared norm, Adam, target update
// ---------------------------------------------------------------------------

/**
 * out[n] = Σ_m A[m, n] for n < N (a multiple of 4), down the rows of blocks
 * of up to 8 vectors (one accumulator each, contiguous loads).
 * Callers: the bias gradient (column sums of dY) of every layer, once per update.
 */
export function colSum(M: i32, N: i32, a: usize, lda: i32, out: usize): void {
  let n = 0;
  for (; n + 32 <= N; n += 32) colSumBlock(8, M, n, a, lda, out);
  for (; n < N; n += 4) colSumBlock(1, M, n, a, lda, out);
}

/** Columns [n, n + 4V) of colSum, V ∈ {1, 8} (compile-time after inlining). */
@inline function colSumBlock(V: i32, M: i32, n: i32, a: usize, lda: i32, out: usize): void {
  const zero = f32x4.splat(0);
  let s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero, s6 = zero, s7 = zero;
  let p = a + (<usize>n << 2);
  const sa = <usize>lda << 2;
  for (let m = 0; m < M; m++) {
    s0 = f32x4.add(s0, v128.load(p));
    if (V > 1) {
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      s4 = f32x4.add(s4, v128.load(p, 64));
      s5 = f32x4.add(s5, v128.load(p, 80));
      s6 = f32x4.add(s6, v128.load(p, 96));
      s7 = f32x4.add(s7, v128.load(p, 112));
    }
    p += sa;
  }
  const po = out + (<usize>n << 2);
  v128.store(po, s0);
  if (V > 1) {
    v128.store(po, s1, 16);
    v128.store(po, s2, 32);
    v128.store(po, s3, 48);
    v128.store(po, s4, 64);
    v128.store(po, s5, 80);
    v128.store(po, s6, 96);
    v128.store(po, s7, 112);
  }
}

/** Scalar twin of {@link colSum}. */
export function colSumScalar(M: i32, N: i32, a: usize, lda: i32, out: usize): void {
  for (let n = 0; n < N; n++) {
    let acc: f32 = 0;
    for (let m = 0; m < M; m++) acc += ldf(a, m * lda + n);
    stf(out, n, acc);
  }
}

/**
 * Σ x[i]² over n floats (a multiple of 4), accumulated in f64 so the norm of
 * a large gradient loses nothing to f32 sums.
 * Callers: gradient-norm clipping, once per update when enabled.
 */
export function sumSquares(n: i32, x: usize): f64 {
  let s0 = f64x2.splat(0), s1 = s0;
  const end = x + (<usize>n << 2);
  for (let p = x; p < end; p += 16) {
    const v = v128.load(p);
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
    s0 = f64x2.add(s0, f64x2.mul(lo, lo));
    s1 = f64x2.add(s1, f64x2.mul(hi, hi));
  }
  const s = f64x2.add(s0, s1);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** Scalar twin of {@link sumSquares}. */
export function sumSquaresScalar(n: i32, x: usize): f64 {
  let s = 0.0;
  for (let i = 0; i < n; i++) {
    const v = <f64>ldf(x, i);
    s += v * v;
  }
  return s;
}

/**
 * f32x4.splat(x) stored to slot `i` (16 bytes each) of the constant pool at
 * `pool` (room for 8 vectors) and loaded back. V8 re-broadcasts (and recomputes) loop-invariant
 * splats inside loops; a loaded vector stays in its register (Adam: 9.5
 * instead of 14.5 cycles per vector on Zen 3).
 */
@inline function pinned(pool: usize, i: i32, x: f32): v128 {
  const at = pool + (<usize>i << 4);
  v128.store(at, f32x4.splat(x));
  return v128.load(at);
}

/**
 * One Adam step over n floats (a multiple of 4), PyTorch's formula with the
 * gradient scaled by `gscale` (the clipping coefficient, 1 when not clipping):
 *   m = b1·m + (1-b1)·g;  v = b2·v + (1-b2)·g²
 *   p -= stepSize · m / (sqrt(v)·invSqrtBc2 + eps)
 * where stepSize = lr / (1 - b1^t) and invSqrtBc2 = 1 / sqrt(1 - b2^t).
 * Bound by the divider (sqrt + div, ~8.6 cycles per vector on Zen 3).
 * Callers: every update, once, over the whole parameter set.
 */
export function adamStep(n: i32, p: usize, g: usize, m: usize, v: usize, gscale: f32, b1: f32, b2: f32, stepSize: f32, invSqrtBc2: f32, eps: f32, pool: usize): void {
  const vs = pinned(pool, 0, gscale);
  const vb1 = pinned(pool, 1, b1), vc1 = pinned(pool, 2, 1 - b1);
  const vb2 = pinned(pool, 3, b2), vc2 = pinned(pool, 4, 1 - b2);
  const vstep = pinned(pool, 5, stepSize), vinv = pinned(pool, 6, invSqrtBc2), veps = pinned(pool, 7, eps);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    const gi = f32x4.mul(v128.load(g + i), vs);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + i)), f32x4.mul(vc1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + i)), f32x4.mul(vc2, f32x4.mul(gi, gi)));
    v128.store(m + i, mi);
    v128.store(v + i, vi);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), vinv), veps);
    v128.store(p + i, f32x4.sub(v128.load(p + i), f32x4.div(f32x4.mul(vstep, mi), denom)));
  }
}

/** Scalar twin of {@link adamStep} (no constant pool). */
export function adamStepScalar(n: i32, p: usize, g: usize, m: usize, v: usize, gscale: f32, b1: f32, b2: f32, stepSize: f32, invSqrtBc2: f32, eps: f32): void {
  for (let i = 0; i < n; i++) {
    const gi = ldf(g, i) * gscale;
    const mi = b1 * ldf(m, i) + (1 - b1) * gi;
    const vi = b2 * ldf(v, i) + (1 - b2) * (gi * gi);
    stf(m, i, mi);
    stf(v, i, vi);
    stf(p, i, ldf(p, i) - (stepSize * mi) / (Mathf.sqrt(vi) * invSqrtBc2 + eps));
  }
}

/**
 * t = (1 - tau)·t + tau·p over n floats (a multiple of 4): Polyak averaging
 * of the target network, in SB3's polyak_update order.
 * Callers: soft target updates (tau < 1), once per target update.
 */
export function polyak(n: i32, t: usize, p: usize, tau: f32, pool: usize): void {
  const keep = pinned(pool, 0, 1 - tau), take = pinned(pool, 1, tau);
  const bytes = <usize>n << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    v128.store(t + i, f32x4.add(f32x4.mul(v128.load(t + i), keep), f32x4.mul(v128.load(p + i), take)));
  }
}

/** Scalar twin of {@link polyak} (no constant pool). */
export function polyakScalar(n: i32, t: usize, p: usize, tau: f32): void {
  for (let i = 0; i < n; i++) stf(t, i, ldf(t, i) * (1 - tau) + ldf(p, i) * tau);
}
