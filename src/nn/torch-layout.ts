/**
 * Conversion between deepq's flat parameters (src/nn/spec.ts) and PyTorch
 * nn.Linear tensors (`<prefix>.weight` of shape [out, in], `<prefix>.bias`
 * of shape [out]), used by safetensors export and by loadPolicy. Conv layers
 * export as nn.Conv2d (`weight` [out, in, kh, kw]), and the first dense
 * layer after them takes its inputs in PyTorch's flatten order of an NCHW
 * tensor (channel, row, column), as `x.view(x.size(0), -1)` gives them.
 */
import { FormatError, InvalidArgumentError } from "../errors.ts";
import type { Tensor } from "../io/safetensors.ts";
import { layerShapes, paramCount, type LayerShape, type NetSpec } from "./spec.ts";
import { convGeometry, convOutputSize, type ConvOptions } from "./conv.ts";

/** Compares names so that `layers.10` sorts after `layers.9`. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    return nx ? Number(x) - Number(y) || x.length - y.length : x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/**
 * PyTorch's input index of canonical input row i of layer k: [in, kh, kw]
 * of a conv filter; (channel, row, column) for the dense layer after a conv
 * layer; i itself elsewhere.
 */
function torchRowOf(layers: LayerShape[], k: number): (i: number) => number {
  const g = layers[k]!.conv;
  const before = layers[k - 1]?.conv;
  if (g) return (i) => ((i % g.inC) * g.kernel + Math.floor(i / g.inC / g.kernel)) * g.kernel + (Math.floor(i / g.inC) % g.kernel);
  if (before) return (i) => (i % before.filters) * before.outH * before.outW + Math.floor(i / before.filters);
  return (i) => i;
}

/** PyTorch tensors for a network; `names` overrides the layer prefixes (one per layer). */
export function toTorchTensors(spec: NetSpec, params: Float32Array, names?: readonly string[]): Array<[string, Tensor]> {
  const layers = layerShapes(spec);
  if (names !== undefined && (!Array.isArray(names) || names.length !== layers.length || !names.every((n) => typeof n === "string" && n.length > 0) || new Set(names).size !== names.length)) {
    throw new InvalidArgumentError("names", names, `${layers.length} distinct non-empty layer names (${layers.map((l) => l.name).join(", ")})`);
  }
  const out: Array<[string, Tensor]> = [];
  layers.forEach((l, k) => {
    const prefix = names?.[k] ?? l.name;
    const w = new Float32Array(l.inSize * l.outSize);
    const g = l.conv;
    const torchRow = torchRowOf(layers, k);
    for (let i = 0; i < l.inSize; i++) {
      const r = torchRow(i);
      for (let j = 0; j < l.outSize; j++) w[j * l.inSize + r] = params[l.offset + i * l.outSize + j]!;
    }
    out.push([`${prefix}.weight`, { shape: g ? [l.outSize, g.inC, g.kernel, g.kernel] : [l.outSize, l.inSize], data: w }]);
    out.push([`${prefix}.bias`, { shape: [l.outSize], data: params.slice(l.offset + l.inSize * l.outSize, l.offset + l.inSize * l.outSize + l.outSize) }]);
  });
  return out;
}

interface Linear {
  prefix: string;
  inSize: number;
  outSize: number;
  weight: Float32Array;
  bias: Float32Array | undefined;
  /** An nn.Conv2d layer's kernel side. */
  kernel?: number;
}

/** Chains conv layers by channels from the observation's and places them on it. */
function placeConvs(convs: Linear[], { observationShape: shape, conv: options = [] }: TorchConvInput): { chain: Linear[]; conv: ConvOptions[]; shape: number[]; flatSize: number } {
  if (!shape || shape.length !== 3) throw new FormatError(`the file holds nn.Conv2d layers (${convs.map((c) => c.prefix).join(", ")}); loading it needs observationShape [H, W, C]`);
  convs.sort((a, b) => naturalCompare(a.prefix, b.prefix));
  const chain: Linear[] = [];
  let channels = shape[2]!;
  const left = new Set(convs);
  while (left.size) {
    const next = [...left].find((c) => c.inSize === channels);
    if (!next) throw new FormatError(`conv layers do not chain from the observation's ${shape[2]} channels: ${[...left].map((c) => `${c.prefix} [${c.outSize}, ${c.inSize}, ...]`).join(", ")} left over`);
    chain.push(next);
    left.delete(next);
    channels = next.outSize;
  }
  const conv = chain.map((c, i): ConvOptions => ({ filters: c.outSize, kernel: c.kernel!, stride: options[i]?.stride ?? 1, padding: options[i]?.padding ?? "valid" }));
  const geometry = convGeometry(shape, conv, "options");
  return { chain, conv, shape: [...shape], flatSize: convOutputSize(geometry.at(-1)!) };
}

/** How to place the nn.Conv2d layers of a file, which their weights do not say. */
export interface TorchConvInput {
  /** The observation's shape [H, W, C] (channels-last: a torch NCHW input is this one permuted). */
  observationShape?: readonly number[];
  /** Per conv layer, in order: stride (default 1) and padding ("valid", torch's padding=0, the default; or "same"). */
  conv?: ReadonlyArray<{ stride?: number; padding?: "valid" | "same" }>;
}

/**
 * Recovers a network from nn.Linear (and nn.Conv2d) tensors with any layer
 * names: layers are chained by shape (the first takes `observationSize`
 * inputs when given, else the one whose input size no other layer produces),
 * ties broken by natural name order. Heads named `value` and `advantage`
 * (deepq's dueling export) make a dueling network. Conv layers (4-D weights
 * [out, in, kh, kw], square kernels) come first, chained by channels from the
 * observation's C, placed on `convInput.observationShape` with its strides
 * and paddings; the first dense layer takes their output in torch's NCHW
 * flatten order. Anything else is a FormatError saying why.
 */
export function fromTorchTensors(tensors: Map<string, Tensor>, observationSize?: number, convInput: TorchConvInput = {}): { spec: NetSpec; params: Float32Array } {
  const linears: Linear[] = [];
  const convs: Linear[] = [];
  const used = new Set<string>();
  for (const [name, t] of tensors) {
    if (!name.endsWith(".weight")) continue;
    const prefix = name.slice(0, -".weight".length);
    const conv = t.shape.length === 4;
    if (!conv && t.shape.length !== 2) throw new FormatError(`${name} has shape [${t.shape}]; an nn.Linear weight is [out, in], an nn.Conv2d weight [out, in, kh, kw]`);
    if (conv && t.shape[2] !== t.shape[3]) throw new FormatError(`${name} has shape [${t.shape}]; conv kernels are square`);
    const [outSize, inSize] = t.shape as [number, number];
    const b = tensors.get(`${prefix}.bias`);
    if (b && (b.shape.length !== 1 || b.shape[0] !== outSize)) throw new FormatError(`${prefix}.bias has shape [${b.shape}]; expected [${outSize}] to match ${name}`);
    // A conv layer's inSize is its channels until it is placed.
    (conv ? convs : linears).push({ prefix, inSize, outSize, weight: t.data, bias: b?.data, kernel: conv ? t.shape[2] : undefined });
    used.add(name);
    if (b) used.add(`${prefix}.bias`);
  }
  const extra = [...tensors.keys()].filter((n) => !used.has(n));
  if (extra.length) throw new FormatError(`tensors ${extra.slice(0, 5).join(", ")} are not nn.Linear or nn.Conv2d weights or biases; a Q-network has only those`);
  if (linears.length === 0) throw new FormatError("no nn.Linear weights (`<name>.weight` of shape [out, in]) found");
  linears.sort((a, b) => naturalCompare(a.prefix, b.prefix));
  const placed = convs.length > 0 ? placeConvs(convs, convInput) : undefined;
  if (placed) observationSize = placed.flatSize;

  const value = linears.find((l) => l.prefix === "value");
  const advantage = linears.find((l) => l.prefix === "advantage");
  const dueling = value !== undefined && advantage !== undefined;
  const trunkPool = dueling ? linears.filter((l) => l !== value && l !== advantage) : linears.slice();

  const produced = new Set(trunkPool.map((l) => l.outSize));
  const first =
    observationSize !== undefined
      ? trunkPool.find((l) => l.inSize === observationSize)
      : trunkPool.find((l) => !produced.has(l.inSize)) ?? trunkPool[0];
  if (!first) {
    throw new FormatError(observationSize !== undefined ? `no layer takes ${observationSize} inputs (${placed ? "the conv layers' output" : "the observation size"})` : "cannot find the first layer");
  }
  const chain = [first];
  const left = new Set(trunkPool.filter((l) => l !== first));
  while (left.size) {
    const last = chain[chain.length - 1]!;
    const next = [...left].find((l) => l.inSize === last.outSize);
    if (!next) break;
    chain.push(next);
    left.delete(next);
  }
  if (left.size) {
    throw new FormatError(`layers do not chain: ${[...left].map((l) => `${l.prefix} [${l.outSize}, ${l.inSize}]`).join(", ")} cannot follow ${chain.map((l) => l.prefix).join(" -> ")}`);
  }
  let layers: Linear[];
  let spec: NetSpec;
  if (dueling) {
    const h = chain[chain.length - 1]!.outSize;
    if (value.outSize !== 1 || value.inSize !== h || advantage.inSize !== h) {
      throw new FormatError(`dueling heads must be value [1, ${h}] and advantage [n, ${h}]; got value [${value.outSize}, ${value.inSize}], advantage [${advantage.outSize}, ${advantage.inSize}]`);
    }
    layers = [...chain, value, advantage];
    spec = { observationSize: first.inSize, nActions: advantage.outSize, hidden: chain.map((l) => l.outSize), dueling: true };
  } else {
    layers = chain;
    spec = { observationSize: first.inSize, nActions: chain[chain.length - 1]!.outSize, hidden: chain.slice(0, -1).map((l) => l.outSize), dueling: false };
  }
  if (placed) {
    spec = { ...spec, observationSize: placed.shape.reduce((a, b) => a * b, 1), observationShape: placed.shape, conv: placed.conv };
    layers = [...placed.chain, ...layers];
  }
  const params = new Float32Array(paramCount(spec));
  const shapes = layerShapes(spec);
  shapes.forEach((shape, k) => {
    const l = layers[k]!;
    const torchRow = torchRowOf(shapes, k);
    for (let i = 0; i < shape.inSize; i++) {
      const r = torchRow(i);
      for (let j = 0; j < shape.outSize; j++) params[shape.offset + i * shape.outSize + j] = l.weight[j * shape.inSize + r]!;
    }
    if (l.bias) params.set(l.bias, shape.offset + shape.inSize * shape.outSize);
  });
  for (let i = 0; i < params.length; i++) {
    if (!Number.isFinite(params[i])) throw new FormatError("the network holds NaN or infinite weights");
  }
  return { spec, params };
}
