/** Conv net specs for engine tests, written as the layers read. */
import type { ConvOptions } from "../../src/nn/conv.ts";
import type { NetSpec } from "../../src/nn/spec.ts";

/** A conv layer. */
export const conv = (filters: number, kernel: number, stride = 1, padding: "valid" | "same" = "valid"): ConvOptions => ({ filters, kernel, stride, padding });

/** Conv layers on observations of `shape` [H, W, C], then dense hidden layers, then the head. */
export const convNet = (shape: [number, number, number], layers: ConvOptions[], hidden: number[], nActions: number, dueling = false): NetSpec => ({
  observationSize: shape[0] * shape[1] * shape[2],
  observationShape: shape,
  conv: layers,
  hidden,
  nActions,
  dueling,
});

/** Valid and same padding (symmetric and with the odd row and column at the end), strides 1 and 2, filter counts that are not multiples of 4, stacked conv layers, and conv straight into the head. */
export const CONV_SPECS: Array<[string, NetSpec]> = [
  ["MinAtar-like, valid", convNet([6, 6, 4], [conv(8, 3)], [16], 3)],
  ["5 filters, stride 2, same, then valid, dueling", convNet([7, 5, 2], [conv(5, 3, 2, "same"), conv(6, 2)], [7], 4, true)],
  ["same, odd channels", convNet([5, 5, 3], [conv(4, 3, 1, "same")], [9], 2)],
  ["stride 2 valid, straight to the head", convNet([6, 6, 1], [conv(3, 4, 2)], [], 2)],
  ["same with uneven padding (stride 2 on 6x5, kernel 2)", convNet([6, 5, 2], [conv(3, 3, 2, "same"), conv(4, 2, 1, "same")], [5], 3)],
];
