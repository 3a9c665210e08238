/**
 * Convolutional layers of a Q-network (`netArch: { conv, dense }`): their
 * options, the checks a user's netArch gets, and the geometry every engine
 * computes with. Observations are [H, W, C] channels-last, flattened row by
 * row (cell (r, c) channel ch at (r * W + c) * C + ch), as games produce
 * them; each conv layer's output [H', W', F] is laid out the same way and a
 * ReLU follows it. The last conv output, flattened in that order, feeds the
 * dense layers.
 *
 * Padding as TensorFlow (and tfjs) defines it: "valid" takes every window
 * that fits, H' = floor((H - k) / s) + 1; "same" gives H' = ceil(H / s)
 * with max((H' - 1) s + k - H, 0) zero rows of padding, the odd one at the
 * bottom (and columns alike, the odd one at the right).
 */
import { InvalidArgumentError } from "../errors.ts";
import { checkInt, checkKnownKeys, checkOneOf } from "../validate.ts";

/** One conv layer as netArch gives it. */
export interface ConvLayerOptions {
  /** Output channels. */
  filters: number;
  /** Square kernel side. */
  kernel: number;
  /** Step between windows, both ways (default 1). */
  stride?: number;
  /** "valid" (default: no padding) or "same" (zero padding, output ceil(input / stride)). */
  padding?: "valid" | "same";
}

/** A conv layer with its defaults filled in. */
export type ConvOptions = Required<ConvLayerOptions>;

/** `netArch` with conv layers: conv layers on [H, W, C] observations, then dense hidden layers. */
export interface ConvNetArch {
  /** The conv layers, in order. */
  conv?: ConvLayerOptions[];
  /** Hidden widths after the conv layers (default none: the flattened conv output feeds the head). */
  dense?: number[];
}

/** A conv layer placed on its input: sizes, stride and the padding before the first row and column. */
export interface ConvGeometry extends ConvOptions {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
}

/** Largest filters, kernel and stride accepted (sanity bounds, not engine limits). */
export const MAX_FILTERS = 4096;
export const MAX_KERNEL = 64;
export const MAX_STRIDE = 16;

const ARCH_ALLOWED = "an array of positive integer layer widths, or { conv: [{ filters, kernel, stride?, padding? }], dense?: number[] }";

/** Checks netArch's form (not yet against an observation shape): hidden widths, and conv layers with defaults filled in. */
export function parseNetArch(value: unknown, name = "options.netArch", maxWidth = 65536): { conv: ConvOptions[]; dense: number[] } {
  if (Array.isArray(value)) return { conv: [], dense: value.map((h, i) => checkInt(`${name}[${i}]`, h, { min: 1, max: maxWidth })) };
  if (value === null || typeof value !== "object") throw new InvalidArgumentError(name, value, ARCH_ALLOWED);
  checkKnownKeys(name, value, ["conv", "dense"]);
  const { conv = [], dense = [] } = value as ConvNetArch;
  if (!Array.isArray(conv)) throw new InvalidArgumentError(`${name}.conv`, conv, "an array of { filters, kernel, stride?, padding? }");
  if (!Array.isArray(dense)) throw new InvalidArgumentError(`${name}.dense`, dense, "an array of positive integer layer widths");
  return {
    conv: conv.map((layer, i) => {
      const at = `${name}.conv[${i}]`;
      if (layer === null || typeof layer !== "object" || Array.isArray(layer)) throw new InvalidArgumentError(at, layer, "{ filters, kernel, stride?, padding? }");
      checkKnownKeys(at, layer, ["filters", "kernel", "stride", "padding"]);
      return {
        filters: checkInt(`${at}.filters`, layer.filters, { min: 1, max: MAX_FILTERS }),
        kernel: checkInt(`${at}.kernel`, layer.kernel, { min: 1, max: MAX_KERNEL }),
        stride: layer.stride === undefined ? 1 : checkInt(`${at}.stride`, layer.stride, { min: 1, max: MAX_STRIDE }),
        padding: layer.padding === undefined ? "valid" : checkOneOf(`${at}.padding`, layer.padding, ["valid", "same"] as const),
      };
    }),
    dense: dense.map((h, i) => checkInt(`${name}.dense[${i}]`, h, { min: 1, max: maxWidth })),
  };
}

/**
 * Places conv layers on an observation of `shape`, naming the argument that
 * does not fit: conv layers need a shape [H, W, C], and no kernel may be
 * larger than its input.
 */
export function convGeometry(shape: readonly number[] | undefined, conv: readonly ConvOptions[], name = "options.netArch"): ConvGeometry[] {
  if (conv.length === 0) return [];
  if (!shape || shape.length !== 3) {
    throw new InvalidArgumentError(`${name}.conv`, conv, `no conv layers for this observation of shape [${shape ?? ""}]: conv layers need observations of shape [H, W, C] (a Box with a 3-D shape)`);
  }
  let [h, w, c] = shape as [number, number, number];
  return conv.map((l, i) => {
    if (l.kernel > h || l.kernel > w) {
      throw new InvalidArgumentError(`${name}.conv[${i}].kernel`, l.kernel, `at most the layer's input, ${h}x${w} (a kernel no larger than its input)`);
    }
    const [outH, padH] = along(h, l);
    const [outW, padW] = along(w, l);
    const g: ConvGeometry = { ...l, inH: h, inW: w, inC: c, outH, outW, padTop: padH, padLeft: padW };
    [h, w, c] = [outH, outW, l.filters];
    return g;
  });
}

/** Output size and leading padding along one axis of `size` cells. */
function along(size: number, { kernel, stride, padding }: ConvOptions): [out: number, padBefore: number] {
  if (padding === "valid") return [Math.floor((size - kernel) / stride) + 1, 0];
  const out = Math.ceil(size / stride);
  return [out, Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2)];
}

/** Floats of a conv layer's flattened output. */
export function convOutputSize(g: ConvGeometry): number {
  return g.outH * g.outW * g.filters;
}
