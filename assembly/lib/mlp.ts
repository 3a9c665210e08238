/**
 * The fused MLP engine: forward pass, DQN loss, backward pass, gradient
 * clipping, Adam and target updates over one network described by a header
 * (layout and math: assembly/layout.ts "MLP engine", src/nn/spec.ts).
 * Entry points are exported from assembly/mlp.ts.
 */
import {
  LAYER_ACT, LAYER_B, LAYER_COLS, LAYER_IN, LAYER_IN_C, LAYER_IN_H, LAYER_IN_PAD, LAYER_IN_W, LAYER_KERNEL, LAYER_OUT_H, LAYER_OUT_PAD,
  LAYER_OUT_W, LAYER_W, LAYER_W_LD, MLP_ACTIONS, MLP_COLS, MLP_ADAM_M, MLP_ADAM_V, MLP_BETA1, MLP_BETA2,
  MLP_DELTA_A, MLP_DELTA_B, MLP_DHEAD, MLP_DOUBLE_Q, MLP_DUELING, MLP_EPS, MLP_GRAD, MLP_HEADER_SLOTS, MLP_HUBER, MLP_LAYER_COUNT,
  MLP_LAYER_SLOTS, MLP_LR, MLP_MAX_GRAD_NORM, MLP_OBS, MLP_POOL, MLP_PARAM_FLOATS, MLP_PARAMS, MLP_Q_AUX, MLP_Q_TARGET,
  MLP_SCRATCH_A, MLP_SCRATCH_B, MLP_SPARSE, MLP_STEP, MLP_TARGET, SLOT,
} from "../layout";
import {
  adamStep, adamStepScalar, colSum, colSumScalar, gemmDotRelu, gemmDotReluScalar, gemmSplat, gemmSplatScalar, gemvSparse, polyak,
  polyakScalar, sumSquares, sumSquaresScalar, transpose,
} from "./kernels";
import { setSlotI, slotF, slotI } from "./header";
import { col2im, im2col } from "./conv";

// ---------------------------------------------------------------------------
// Header access
// ---------------------------------------------------------------------------

/** Integer slot `field` of internal layer `l` in the layer table. */
@inline function layer(h: usize, l: i32, field: i32): i32 {
  return slotI(h, MLP_HEADER_SLOTS + l * MLP_LAYER_SLOTS + field);
}

@inline function addr(v: i32): usize {
  return <usize>v;
}

/** Byte address of float `off` of the parameter set at `set`. */
@inline function at(set: usize, off: i32): usize {
  return set + (<usize>off << 2);
}

@inline function pool(h: usize): usize {
  return h + <usize>MLP_POOL * SLOT;
}

/**
 * Whether this build runs the scalar twin of every SIMD kernel: a constant of
 * the module build (scripts/build-wasm.mjs passes `--use SCALAR_TWINS=0|1`),
 * 1 only in the test module, so the shipped module has no branch on it.
 */
@inline function scalarKernels(): bool {
  return SCALAR_TWINS != 0;
}

/** Address of internal layer `l`'s row in the layer table. */
@inline function layerRow(h: usize, l: i32): usize {
  return h + <usize>(MLP_HEADER_SLOTS + l * MLP_LAYER_SLOTS) * SLOT;
}

/** Output cells of layer `l`: outH·outW for a conv layer, 1 for a dense one. */
@inline function cells(h: usize, l: i32): i32 {
  return layer(h, l, LAYER_KERNEL) > 0 ? layer(h, l, LAYER_OUT_H) * layer(h, l, LAYER_OUT_W) : 1;
}

/** Row stride (floats) of the head's outputs. */
@inline function headPad(h: usize): i32 {
  return layer(h, slotI(h, MLP_LAYER_COUNT) - 1, LAYER_OUT_PAD);
}

// ---------------------------------------------------------------------------
// Forward pass and Q-values
// ---------------------------------------------------------------------------

/**
 * The forward pass: head outputs ([rows, headPad], see layout.ts) of the
 * network of header `h` with the parameter set at `params`, for `rows`
 * observations at `x` ([rows, obsSize] row-major, rows <= the header's
 * rows). With `keep` every layer writes its LAYER_ACT buffer (the backward
 * pass reads them) and the head outputs land in the last one; otherwise
 * hidden layers alternate between the scratch buffers and the head writes
 * `out`. One row goes through gemvSparse, more through gemmSplat; a conv
 * layer lays its input out as patch rows (im2col: its LAYER_COLS buffer with
 * `keep`, else MLP_COLS) and runs gemmSplat over them.
 * Callers: each update (online on observations, target and, for Double DQN,
 * online on next observations), every greedy action / Q-value call, and the
 * inference-only policy runtime (a header planned without training regions).
 */
export function forward(h: usize, params: usize, x: usize, rows: i32, keep: bool, out: usize): void {
  const L = slotI(h, MLP_LAYER_COUNT);
  const scalar = scalarKernels();
  let a = x;
  let lda = slotI(h, MLP_OBS);
  for (let l = 0; l < L; l++) {
    const k = layer(h, l, LAYER_IN);
    const n = layer(h, l, LAYER_OUT_PAD);
    const ldw = layer(h, l, LAYER_W_LD);
    const w = at(params, layer(h, l, LAYER_W));
    const b = at(params, layer(h, l, LAYER_B));
    const relu = l < L - 1;
    const dst = keep ? addr(layer(h, l, LAYER_ACT)) : !relu ? out : addr(slotI(h, l & 1 ? MLP_SCRATCH_B : MLP_SCRATCH_A));
    const p = cells(h, l);
    if (layer(h, l, LAYER_KERNEL) > 0) {
      const kPad = layer(h, l, LAYER_IN_PAD);
      const cols = addr(keep ? layer(h, l, LAYER_COLS) : slotI(h, MLP_COLS));
      im2col(layerRow(h, l), a, lda, rows, cols);
      if (scalar) gemmSplatScalar(rows * p, n, k, cols, kPad, 1, w, ldw, b, dst, n, relu);
      else gemmSplat(rows * p, n, k, cols, kPad, 1, w, ldw, b, dst, n, relu);
    } else if (scalar) gemmSplatScalar(rows, n, k, a, lda, 1, w, ldw, b, dst, n, relu);
    else if (rows == 1) gemvSparse(n, k, a, w, ldw, b, dst, relu, addr(slotI(h, MLP_SPARSE)));
    else gemmSplat(rows, n, k, a, lda, 1, w, ldw, b, dst, n, relu);
    a = dst;
    lda = p * n;
  }
}

/** Q(s, a) from one row of head outputs `o`: the head itself, or V + A_a - mean(A) with dueling. */
@inline function qValue(o: usize, a: i32, nA: i32, dueling: bool): f64 {
  if (!dueling) return <f64>load<f32>(o + (<usize>a << 2));
  let sum = 0.0;
  for (let j = 1; j <= nA; j++) sum += <f64>load<f32>(o + (<usize>j << 2));
  return <f64>load<f32>(o) + <f64>load<f32>(o + (<usize>(a + 1) << 2)) - sum / <f64>nA;
}

/**
 * The greedy action for one row of head outputs; ties go to the lowest index
 * (torch.argmax). `mask`: the address of a bit-packed mask row (layout.ts,
 * BATCH_NEXT_MASKS) whose set bits are the actions to choose from; 0: all.
 */
export function argmaxQ(o: usize, nA: i32, dueling: bool, mask: usize = 0): i32 {
  let best = -1;
  let bestQ = 0.0;
  for (let a = 0; a < nA; a++) {
    if (mask != 0 && ((<i32>load<u8>(mask + <usize>(a >> 3)) >> (a & 7)) & 1) == 0) continue;
    const q = qValue(o, a, nA, dueling);
    if (best < 0 || q > bestQ) {
      bestQ = q;
      best = a;
    }
  }
  return best;
}

/**
 * The mask row of transition `i` that its TD target's max (or Double DQN's
 * argmax) runs over: 0 (every action) without masks, for a terminated
 * transition (whose target ignores the next state) and for a row with no
 * bit set.
 */
@inline function targetMask(masks: usize, i: i32, maskBytes: i32, done: f32): usize {
  if (masks == 0 || done != 0) return 0;
  const row = masks + <usize>(i * maskBytes);
  for (let b = 0; b < maskBytes; b++) if (load<u8>(row + <usize>b) != 0) return row;
  return 0;
}

/** Head outputs of the online network for `rows` observations, in the Q_AUX buffer. */
function onlineHeads(h: usize, obs: usize, rows: i32): usize {
  const o = addr(slotI(h, MLP_Q_AUX));
  forward(h, addr(slotI(h, MLP_PARAMS)), obs, rows, false, o);
  return o;
}

/** Greedy actions (i32) for `rows` observations into `out`; returns the first. */
export function greedy(h: usize, obs: usize, rows: i32, out: usize): i32 {
  const o = onlineHeads(h, obs, rows);
  const nA = slotI(h, MLP_ACTIONS);
  const dueling = slotI(h, MLP_DUELING) != 0;
  const stride = <usize>headPad(h) << 2;
  for (let i = 0; i < rows; i++) store<i32>(out + (<usize>i << 2), argmaxQ(o + <usize>i * stride, nA, dueling));
  return load<i32>(out);
}

/** Q-values ([rows, nActions] f32) of the online network for `rows` observations into `out`. */
export function qValues(h: usize, obs: usize, rows: i32, out: usize): void {
  const o = onlineHeads(h, obs, rows);
  const nA = slotI(h, MLP_ACTIONS);
  const dueling = slotI(h, MLP_DUELING) != 0;
  const stride = <usize>headPad(h) << 2;
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < nA; a++) store<f32>(out + (<usize>(i * nA + a) << 2), <f32>qValue(o + <usize>i * stride, a, nA, dueling));
  }
}

// ---------------------------------------------------------------------------
// Loss, backward pass, Adam
// ---------------------------------------------------------------------------

/**
 * Forward passes, TD errors and loss, and the head gradient dL/d(head
 * outputs) into DHEAD, for a batch of `n` transitions (addresses as in
 * assembly/mlp.ts mlpUpdate; `nextMasks` 0 when the batch has none). Returns
 * the loss.
 */
function lossAndHeadGradient(h: usize, obs: usize, actions: usize, rewards: usize, nextObs: usize, dones: usize, discounts: usize, weights: usize, nextMasks: usize, n: i32, tdOut: usize): f64 {
  const L = slotI(h, MLP_LAYER_COUNT);
  const params = addr(slotI(h, MLP_PARAMS));
  const qt = addr(slotI(h, MLP_Q_TARGET));
  const qa = addr(slotI(h, MLP_Q_AUX));
  const doubleQ = slotI(h, MLP_DOUBLE_Q) != 0;
  forward(h, params, obs, n, true, 0);
  forward(h, addr(slotI(h, MLP_TARGET)), nextObs, n, false, qt);
  if (doubleQ) forward(h, params, nextObs, n, false, qa);

  const o = addr(layer(h, L - 1, LAYER_ACT));
  const d = addr(slotI(h, MLP_DHEAD));
  const pad = headPad(h);
  const stride = <usize>pad << 2;
  const nA = slotI(h, MLP_ACTIONS);
  const dueling = slotI(h, MLP_DUELING) != 0;
  const huber = slotI(h, MLP_HUBER) != 0;
  const maskBytes = (nA + 7) >> 3;
  const invN = 1.0 / <f64>n;
  let loss = 0.0;
  for (let i = 0; i < n; i++) {
    const row = <usize>i * stride;
    const f = <usize>i << 2;
    const action = load<i32>(actions + f);
    const done = load<f32>(dones + f);
    const best = argmaxQ((doubleQ ? qa : qt) + row, nA, dueling, targetMask(nextMasks, i, maskBytes, done));
    const next = qValue(qt + row, best, nA, dueling);
    const y = <f64>load<f32>(rewards + f) + (1 - <f64>done) * <f64>load<f32>(discounts + f) * next;
    const td = qValue(o + row, action, nA, dueling) - y;
    store<f32>(tdOut + f, <f32>td);
    const w = <f64>load<f32>(weights + f);
    const abs = Math.abs(td);
    loss += w * (huber ? (abs < 1 ? 0.5 * td * td : abs - 0.5) : td * td);
    // dL/dq_i; with dueling, dq/dV = 1 and dq/dA_j = [j == action] - 1/nA.
    const g = invN * w * (huber ? Math.max(-1, Math.min(1, td)) : 2 * td);
    const drow = d + row;
    memory.fill(drow, 0, stride);
    if (dueling) {
      store<f32>(drow, <f32>g);
      const shared = <f32>(-g / <f64>nA);
      for (let j = 1; j <= nA; j++) store<f32>(drow + (<usize>j << 2), shared);
      store<f32>(drow + (<usize>(action + 1) << 2), <f32>(g - g / <f64>nA));
    } else {
      store<f32>(drow + (<usize>action << 2), <f32>g);
    }
  }
  return loss * invN;
}

/**
 * Loss and gradient (into the GRAD parameter set) for a batch: forward
 * passes, head gradient, then per layer from the head down dW = Xᵀ·dY,
 * db = column sums of dY and, above the first layer, dX = dY·Wᵀ through the
 * ReLU. A conv layer does the same over its patch rows (X = its LAYER_COLS),
 * and above another conv layer takes dPatches = dY·Wᵀ in MLP_COLS back to
 * its input (col2im). Returns the loss. Callers: mlpUpdate and mlpGradients,
 * once per call.
 */
export function gradients(h: usize, obs: usize, actions: usize, rewards: usize, nextObs: usize, dones: usize, discounts: usize, weights: usize, nextMasks: usize, n: i32, tdOut: usize): f64 {
  const loss = lossAndHeadGradient(h, obs, actions, rewards, nextObs, dones, discounts, weights, nextMasks, n, tdOut);
  const scalar = scalarKernels();
  const params = addr(slotI(h, MLP_PARAMS));
  const grad = addr(slotI(h, MLP_GRAD));
  let dy = addr(slotI(h, MLP_DHEAD));
  for (let l = slotI(h, MLP_LAYER_COUNT) - 1; l >= 0; l--) {
    const inputs = layer(h, l, LAYER_IN);
    const outPad = layer(h, l, LAYER_OUT_PAD);
    const ldw = layer(h, l, LAYER_W_LD);
    const conv = layer(h, l, LAYER_KERNEL) > 0;
    const x = l == 0 ? obs : addr(layer(h, l - 1, LAYER_ACT));
    // Row stride of the layer's input: observations, a conv layer's [H, W, C] input, or a dense input row.
    const ldx = l == 0 ? slotI(h, MLP_OBS) : conv ? layer(h, l, LAYER_IN_H) * layer(h, l, LAYER_IN_W) * layer(h, l, LAYER_IN_C) : layer(h, l, LAYER_IN_PAD);
    const gw = at(grad, layer(h, l, LAYER_W));
    const gb = at(grad, layer(h, l, LAYER_B));
    const w = at(params, layer(h, l, LAYER_W));
    const m = n * cells(h, l);
    // The rows dW sums over: patch rows of a conv layer, else the inputs.
    const xs = conv ? addr(layer(h, l, LAYER_COLS)) : x;
    const ldxs = conv ? layer(h, l, LAYER_IN_PAD) : ldx;
    const dx = addr(slotI(h, l & 1 ? MLP_DELTA_A : MLP_DELTA_B));
    if (scalar) {
      gemmSplatScalar(inputs, outPad, m, xs, 1, ldxs, dy, outPad, 0, gw, ldw, false);
      colSumScalar(m, outPad, dy, outPad, gb);
    } else {
      if (l > 0 && !conv) {
        // Xᵀ into dx's buffer (rows · maxPad floats, free until dX), so dW reads rows; same sums in the same order.
        transpose(n, inputs, x, ldx, dx);
        gemmSplat(inputs, outPad, n, dx, n, 1, dy, outPad, 0, gw, ldw, false);
      } else gemmSplat(inputs, outPad, m, xs, 1, ldxs, dy, outPad, 0, gw, ldw, false);
      colSum(m, outPad, dy, outPad, gb);
    }
    if (l > 0) {
      if (conv) {
        const dcols = addr(slotI(h, MLP_COLS));
        if (scalar) gemmDotReluScalar(m, ldxs, outPad, dy, outPad, w, ldw, 0, dcols, ldxs);
        else gemmDotRelu(m, ldxs, outPad, dy, outPad, w, ldw, 0, dcols, ldxs);
        col2im(layerRow(h, l), dcols, n, x, dx, ldx);
      } else if (scalar) gemmDotReluScalar(n, ldx, outPad, dy, outPad, w, ldw, x, dx, ldx);
      else gemmDotRelu(n, ldx, outPad, dy, outPad, w, ldw, x, dx, ldx);
      dy = dx;
    }
  }
  return loss;
}

/**
 * Clips the gradient to MLP_MAX_GRAD_NORM (torch.nn.utils.clip_grad_norm_:
 * scale min(1, max / (norm + 1e-6))) and takes one Adam step. Returns
 * false, changing nothing, for a gradient Adam cannot take in f32 (see below).
 * Callers: mlpUpdate, once per update.
 */
export function applyGradients(h: usize): bool {
  const scalar = scalarKernels();
  const count = slotI(h, MLP_PARAM_FLOATS);
  const grad = addr(slotI(h, MLP_GRAD));
  const sumSq = scalar ? sumSquaresScalar(count, grad) : sumSquares(count, grad);
  let scale = 1.0;
  const maxNorm = slotF(h, MLP_MAX_GRAD_NORM);
  if (maxNorm > 0) scale = Math.min(1, maxNorm / (Math.sqrt(sumSq) + 1e-6));
  // Adam squares each (scaled) gradient in f32: past half of f32's range, or NaN, the moments and weights would stop being finite.
  if (!(sumSq * scale * scale <= <f64>f32.MAX_VALUE / 2)) return false;
  const t = slotI(h, MLP_STEP) + 1;
  setSlotI(h, MLP_STEP, t);
  const b1 = slotF(h, MLP_BETA1);
  const b2 = slotF(h, MLP_BETA2);
  const stepSize = <f32>(slotF(h, MLP_LR) / (1 - Math.pow(b1, t)));
  const invSqrtBc2 = <f32>(1 / Math.sqrt(1 - Math.pow(b2, t)));
  const p = addr(slotI(h, MLP_PARAMS));
  const m = addr(slotI(h, MLP_ADAM_M));
  const v = addr(slotI(h, MLP_ADAM_V));
  const eps = <f32>slotF(h, MLP_EPS);
  if (scalar) adamStepScalar(count, p, grad, m, v, <f32>scale, <f32>b1, <f32>b2, stepSize, invSqrtBc2, eps);
  else adamStep(count, p, grad, m, v, <f32>scale, <f32>b1, <f32>b2, stepSize, invSqrtBc2, eps, pool(h));
  return true;
}

/** Target network update: a copy when tau >= 1, else Polyak averaging. */
export function syncTarget(h: usize, tau: f64): void {
  const count = slotI(h, MLP_PARAM_FLOATS);
  const t = addr(slotI(h, MLP_TARGET));
  const p = addr(slotI(h, MLP_PARAMS));
  if (tau >= 1) memory.copy(t, p, <usize>count << 2);
  else if (scalarKernels()) polyakScalar(count, t, p, <f32>tau);
  else polyak(count, t, p, <f32>tau, pool(h));
}
