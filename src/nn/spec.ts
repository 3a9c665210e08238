/**
 * What a deepq Q-network is, independent of the engine that runs it (tfjs
 * backends or the fused AssemblyScript engine). Every engine implements the
 * same math on the same flat parameter layout, so weights, Adam state, save
 * files and safetensors exports move between engines unchanged.
 *
 * Network: `observationSize -> hidden[0] -> ... -> hidden[k-1] -> nActions`,
 * ReLU after every hidden layer, a linear head. With `conv`, conv layers
 * (src/nn/conv.ts, each followed by a ReLU) come first, on observations of
 * shape `observationShape` [H, W, C], and their flattened output feeds the
 * hidden layers. With `dueling`, the last
 * hidden layer feeds two heads, value `V` (1 unit) and advantage `A`
 * (nActions units), and `Q = V + A - mean(A)`.
 *
 * Flat parameters (f32), layer by layer in {@link layerShapes} order, each
 * layer its weight `W` as `[in, out]` row-major (`W[i * out + j]` connects
 * input i to output j; PyTorch's nn.Linear stores the transpose) then its bias
 * `[out]`. A conv layer's weight is `[kh, kw, in, out]` (TensorFlow's HWIO,
 * the `[in, out]` matrix of its im2col product; PyTorch's nn.Conv2d stores
 * `[out, in, kh, kw]`), then its bias `[out]`. Adam's first and second
 * moments use the same layout.
 *
 * One update from a batch of B transitions (obs, action, reward, nextObs,
 * done, discount, weight):
 *   q_i     = Q(obs_i)[action_i]
 *   a*_i    = argmax_a Q_online(nextObs_i)[a] if doubleQ, else argmax of Q_target
 *             (ties: the lowest index, as torch.argmax)
 *   y_i     = reward_i + (1 - done_i) * discount_i * Q_target(nextObs_i)[a*_i]
 *             (discount_i = gamma^k for a k-step return; y carries no gradient)
 *   td_i    = q_i - y_i                     (returned, for prioritized replay)
 *   loss    = (1/B) sum_i weight_i * l(td_i), l = td^2 ("mse", as nn.MSELoss)
 *             or Huber with delta 1 ("huber", as nn.SmoothL1Loss / SB3)
 *             (weight_i = 1 without prioritized replay)
 *   g       = d loss / d params; if maxGradNorm: g *= min(1, maxGradNorm / (||g||_2 + 1e-6))
 *             (torch.nn.utils.clip_grad_norm_)
 *   Adam, as torch.optim.Adam with defaults beta1 0.9, beta2 0.999, eps 1e-8:
 *             t += 1; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2
 *             p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * Target network: hard copy (`tau` = 1) or Polyak `target = tau*online + (1-tau)*target`.
 */
import { MAX_WIDTH } from "../limits.ts";
import { Rng } from "../runtime/rng.ts";
import { InvalidArgumentError } from "../errors.ts";
import { checkInt } from "../validate.ts";
import { convGeometry, convOutputSize, type ConvGeometry, type ConvOptions } from "./conv.ts";

/** A Q-network's shape: an MLP from observations to one Q-value per action. */
export interface NetSpec {
  /** Length of one observation (the input layer). */
  observationSize: number;
  /** Number of discrete actions (the output layer). */
  nActions: number;
  /** Hidden layer widths (SB3's `netArch`). */
  hidden: readonly number[];
  /** Dueling heads: Q = V + A - mean(A). */
  dueling: boolean;
  /** Conv layers before the hidden layers (absent or empty: an MLP); they need `observationShape`. */
  conv?: readonly ConvOptions[];
  /** The shape of one observation where it is not flat, [H, W, C] for conv layers; its product is `observationSize`. */
  observationShape?: readonly number[];
}

export interface LayerShape {
  /** Name used in exports: `conv.0` ... for conv layers, `layers.0` ... for the dense trunk and plain head, `value` / `advantage` for dueling heads. */
  name: string;
  inSize: number;
  outSize: number;
  /** Offset of W in the flat parameter vector (floats); b follows at `offset + inSize * outSize`. */
  offset: number;
  /** A conv layer's geometry (its W is `[kernel, kernel, inC, filters]`: inSize = kernel^2 inC, outSize = filters). */
  conv?: ConvGeometry;
}


/** The one rule across layers: dueling heads sit on a hidden layer. */
export function checkDuelingArch(dueling: boolean, hidden: readonly number[], prefix = "options"): void {
  if (dueling && hidden.length === 0) throw new InvalidArgumentError(`${prefix}.netArch`, hidden, "at least one hidden layer when dueling is true");
}

/** Validates a spec, naming the offending field. */
export function checkNetSpec(spec: NetSpec, prefix = "options"): NetSpec {
  checkInt(`${prefix}.observationSize`, spec.observationSize, { min: 1, max: MAX_WIDTH });
  checkInt(`${prefix}.nActions`, spec.nActions, { min: 1, max: MAX_WIDTH });
  if (!Array.isArray(spec.hidden)) throw new InvalidArgumentError(`${prefix}.netArch`, spec.hidden, "an array of positive integer layer widths");
  spec.hidden.forEach((h, i) => checkInt(`${prefix}.netArch[${i}]`, h, { min: 1, max: MAX_WIDTH }));
  checkDuelingArch(spec.dueling, spec.hidden, prefix);
  const shape = spec.observationShape;
  if (shape !== undefined && (!Array.isArray(shape) || shape.reduce((a, b) => a * b, 1) !== spec.observationSize)) {
    throw new InvalidArgumentError(`${prefix}.observationShape`, shape, `a shape whose product is observationSize (${spec.observationSize})`);
  }
  const conv = convGeometry(shape, spec.conv ?? [], `${prefix}.netArch`);
  if (conv.length > 0) checkInt(`${prefix}.netArch.conv (flattened output)`, convOutputSize(conv[conv.length - 1]!), { min: 1, max: MAX_WIDTH });
  return spec;
}

/** Layers before the head(s): conv layers, then hidden layers. */
export function trunkDepth(spec: NetSpec): number {
  return (spec.conv?.length ?? 0) + spec.hidden.length;
}

/** The layers of a spec in flat-parameter order. */
export function layerShapes(spec: NetSpec): LayerShape[] {
  const out: LayerShape[] = [];
  let offset = 0;
  const push = (name: string, inSize: number, outSize: number) => {
    out.push({ name, inSize, outSize, offset });
    offset += inSize * outSize + outSize;
  };
  let prev = spec.observationSize;
  convGeometry(spec.observationShape, spec.conv ?? []).forEach((g, i) => {
    push(`conv.${i}`, g.kernel * g.kernel * g.inC, g.filters);
    out[out.length - 1]!.conv = g;
    prev = convOutputSize(g);
  });
  spec.hidden.forEach((h, i) => {
    push(`layers.${i}`, prev, h);
    prev = h;
  });
  if (spec.dueling) {
    push("value", prev, 1);
    push("advantage", prev, spec.nActions);
  } else {
    push(`layers.${spec.hidden.length}`, prev, spec.nActions);
  }
  return out;
}

/** Number of f32 parameters. */
export function paramCount(spec: NetSpec): number {
  return layerShapes(spec).reduce((n, l) => n + l.inSize * l.outSize + l.outSize, 0);
}

/**
 * PyTorch's default nn.Linear initialisation, layer by layer in flat-parameter
 * order: `count` weights and biases from `offset`, uniform in (-bound, bound),
 * bound = 1/sqrt(fan_in). initParams draws them in TypeScript, the fused
 * engine in its module (FusedQNet), from the same seeded xoshiro128** stream.
 */
export function initRanges(spec: NetSpec): Array<{ offset: number; count: number; bound: number }> {
  return layerShapes(spec).map((l) => ({ offset: l.offset, count: l.inSize * l.outSize + l.outSize, bound: 1 / Math.sqrt(l.inSize) }));
}

/** The initial weights of {@link initRanges} for `seed`: every engine starts from the same weights. */
export function initParams(spec: NetSpec, seed: number): Float32Array {
  const rng = new Rng(seed);
  const params = new Float32Array(paramCount(spec));
  for (const { offset, count, bound } of initRanges(spec)) {
    for (let i = 0; i < count; i++) params[offset + i] = rng.uniform(-bound, bound);
  }
  return params;
}
