/**
 * The data movement of conv layers in the fused engine (assembly/layout.ts,
 * "Conv layers"): im2col lays each window of an [H, W, C] channels-last
 * input out as one patch row, so a conv layer is one gemmSplat; col2im sums
 * patch gradients back onto the input. No arithmetic beyond that sum, so no
 * SIMD twin: 4-channel runs move as one v128. `t` is the address of the
 * conv layer's row in the layer table (its LAYER_* slots).
 */
import { LAYER_IN, LAYER_IN_C, LAYER_IN_H, LAYER_IN_PAD, LAYER_IN_W, LAYER_KERNEL, LAYER_OUT_H, LAYER_OUT_W, LAYER_PAD_LEFT, LAYER_PAD_TOP, LAYER_STRIDE, SLOT } from "../layout";

@inline function slot(t: usize, field: i32): i32 {
  return <i32>load<i64>(t + <usize>field * SLOT);
}

/** Copies `n` floats (vectors while 4 remain). */
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** Zeroes `n` floats (a memory.fill this short is a runtime call in V8, slower than the stores). */
@inline function zeroRun(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** Adds `n` floats of `src` into `dst`. */
@inline function addRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.add(v128.load(dst + (<usize>i << 2)), v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(dst + (<usize>i << 2)) + load<f32>(src + (<usize>i << 2)));
}

/**
 * Walks every window of `rows` samples: sample s of the input at `x`
 * (stride `ldx` floats) against patch row s·outH·outW + oy·outW + ox of
 * `cols`, entry (ky·k + kx)·inC + c. `gather` copies input runs into the
 * patches (zeros in the padding and past k·k·inC); otherwise patch runs are
 * added onto the input (padding entries dropped). Inlined twice, so the
 * choice is made at compile time.
 */
@inline function walk(t: usize, x: usize, ldx: i32, rows: i32, cols: usize, gather: bool): void {
  const k = slot(t, LAYER_KERNEL);
  const stride = slot(t, LAYER_STRIDE);
  const inH = slot(t, LAYER_IN_H);
  const inW = slot(t, LAYER_IN_W);
  const run = slot(t, LAYER_IN_C);
  const outH = slot(t, LAYER_OUT_H);
  const outW = slot(t, LAYER_OUT_W);
  const padTop = slot(t, LAYER_PAD_TOP);
  const padLeft = slot(t, LAYER_PAD_LEFT);
  const kPad = slot(t, LAYER_IN_PAD);
  const runBytes = <usize>run << 2;
  const used = slot(t, LAYER_IN);
  for (let s = 0; s < rows; s++) {
    const xs = x + (<usize>(s * ldx) << 2);
    let row = cols + (<usize>(s * outH * outW * kPad) << 2);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let p = row;
        const ix0 = ox * stride - padLeft;
        const rowInside = ix0 >= 0 && ix0 + k <= inW;
        for (let ky = 0; ky < k; ky++) {
          const iy = oy * stride - padTop + ky;
          // A window row inside the input is k·inC contiguous floats on both sides: one run.
          if (rowInside && iy >= 0 && iy < inH) {
            const at = xs + (<usize>((iy * inW + ix0) * run) << 2);
            if (gather) copyRun(p, at, k * run);
            else addRun(at, p, k * run);
            p += <usize>k * runBytes;
            continue;
          }
          for (let kx = 0; kx < k; kx++) {
            const ix = ix0 + kx;
            const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
            const at = xs + (<usize>((iy * inW + ix) * run) << 2);
            if (gather) {
              if (inside) copyRun(p, at, run);
              else zeroRun(p, run);
            } else if (inside) addRun(at, p, run);
            p += runBytes;
          }
        }
        if (gather && kPad > used) zeroRun(p, kPad - used);
        row += <usize>kPad << 2;
      }
    }
  }
}

/**
 * Patch rows of `rows` samples at `x` (sample stride `ldx` floats) into
 * `cols`: row s·outH·outW + oy·outW + ox holds window (oy, ox) of sample s,
 * entry (ky·k + kx)·inC + c, zero in the padding and past k·k·inC.
 * Callers: the forward pass, per conv layer.
 */
export function im2col(t: usize, x: usize, ldx: i32, rows: i32, cols: usize): void {
  walk(t, x, ldx, rows, cols, true);
}

/**
 * The input gradient of a conv layer from its patch gradients `dcols`
 * (laid out as im2col's rows): dx[s] = Σ over windows of each patch entry,
 * then zeroed where the input `h` (the ReLU output below) is not positive.
 * Callers: the backward pass, per conv layer above another conv layer.
 */
export function col2im(t: usize, dcols: usize, rows: i32, h: usize, dx: usize, ldx: i32): void {
  memory.fill(dx, 0, <usize>(rows * ldx) << 2);
  walk(t, dx, ldx, rows, dcols, false);
  const n = rows * ldx;
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    if (!(load<f32>(h + p) > 0)) store<f32>(dx + p, 0);
  }
}
