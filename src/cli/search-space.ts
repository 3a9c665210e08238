/**
 * `deepq tune`'s search space: a JSON object from DQN option names to
 * distributions, and the samplers that draw trials from it.
 *
 *   { "learningRate": { "log": [1e-4, 3e-3] },       log-uniform
 *     "explorationFraction": { "uniform": [0.05, 0.3] },
 *     "batchSize": { "int": [32, 256] },               integers, both ends included
 *     "netArch": { "choice": [[64, 64], [128, 128]] } }
 *
 * Samplers map a point of the unit cube (one coordinate per option, in the
 * space's key order) to options: "random" draws the point from a seeded
 * generator, "sobol" takes the next point of a Sobol sequence (Joe & Kuo's
 * direction numbers), which covers the cube more evenly for few trials.
 */
import { Rng } from "../runtime/rng.ts";
import { OPTION_NAMES } from "../agent/options.ts";

/** One option's distribution. */
export type Distribution = { log: [number, number] } | { uniform: [number, number] } | { int: [number, number] } | { choice: unknown[] };

/** Option name to distribution. */
export type SearchSpace = Record<string, Distribution>;

/**
 * The default space: the knobs RL Zoo's DQN sampler varies, in ranges that
 * suit small-observation tasks (CartPole, Acrobot, MountainCar).
 */
export const DEFAULT_SPACE: SearchSpace = {
  learningRate: { log: [1e-4, 3e-3] },
  batchSize: { choice: [32, 64, 128] },
  gamma: { choice: [0.98, 0.99, 0.995] },
  explorationFraction: { uniform: [0.05, 0.3] },
  explorationFinalEps: { uniform: [0.01, 0.1] },
  tau: { log: [0.001, 0.05] },
  netArch: { choice: [[64, 64], [128, 128], [256, 256]] },
};

/** Checks a parsed space file; returns the message of the first problem, or undefined. */
export function spaceProblem(space: unknown): string | undefined {
  if (space === null || typeof space !== "object" || Array.isArray(space)) return "the space must be a JSON object of option names to distributions";
  const entries = Object.entries(space as Record<string, unknown>);
  if (entries.length === 0) return "the space names no option";
  for (const [name, d] of entries) {
    if (!(OPTION_NAMES as string[]).includes(name) || name === "seed") return `${name}: not a DQN option that can be searched (options: ${OPTION_NAMES.filter((k) => k !== "seed" && k !== "epsilonSchedule").join(", ")})`;
    const keys = d && typeof d === "object" && !Array.isArray(d) ? Object.keys(d) : [];
    const kind = keys[0];
    if (keys.length !== 1 || !["log", "uniform", "int", "choice"].includes(kind!)) return `${name}: a distribution is one of { "log": [low, high] }, { "uniform": [low, high] }, { "int": [low, high] }, { "choice": [values...] }`;
    const v = (d as Record<string, unknown>)[kind!];
    if (kind === "choice") {
      if (!Array.isArray(v) || v.length === 0) return `${name}: "choice" takes a non-empty array of values`;
      continue;
    }
    const ok = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number" && Number.isFinite(x)) && v[0] <= v[1];
    if (!ok) return `${name}: "${kind}" takes [low, high] with low <= high`;
    if (kind === "log" && !(v[0] > 0)) return `${name}: "log" needs low > 0`;
    if (kind === "int" && !v.every(Number.isInteger)) return `${name}: "int" takes integer bounds`;
  }
  return undefined;
}

/** The value of `d` at the unit coordinate `u` in [0, 1). */
function valueAt(d: Distribution, u: number): unknown {
  if ("choice" in d) return d.choice[Math.min(d.choice.length - 1, Math.floor(u * d.choice.length))];
  if ("int" in d) return Math.min(d.int[1], d.int[0] + Math.floor(u * (d.int[1] - d.int[0] + 1)));
  if ("log" in d) return Number(Math.exp(Math.log(d.log[0]) + u * (Math.log(d.log[1]) - Math.log(d.log[0]))).toPrecision(4));
  return Number((d.uniform[0] + u * (d.uniform[1] - d.uniform[0])).toPrecision(4));
}

// Joe & Kuo (2008), new-joe-kuo-6.21201, dimensions 2-16: degree s, polynomial a, initial m_1..m_s.
const JOE_KUO: [number, number, number[]][] = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
];
const BITS = 30;

/** The largest number of options a Sobol sampler handles. */
export const SOBOL_MAX_DIMENSIONS = JOE_KUO.length + 1;

/** Direction numbers v[k] (scaled to BITS bits) of each dimension. */
function directions(dimensions: number): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let d = 0; d < dimensions; d++) {
    const v = new Uint32Array(BITS);
    if (d === 0) {
      for (let k = 0; k < BITS; k++) v[k] = 1 << (BITS - 1 - k);
    } else {
      const [s, a, m] = JOE_KUO[d - 1]!;
      for (let k = 0; k < s; k++) v[k] = m[k]! << (BITS - 1 - k);
      for (let k = s; k < BITS; k++) {
        let x = v[k - s]! ^ (v[k - s]! >>> s);
        for (let j = 1; j < s; j++) if ((a >>> (s - 1 - j)) & 1) x ^= v[k - j]!;
        v[k] = x;
      }
    }
    out.push(v);
  }
  return out;
}

/**
 * Points 1..n of the Sobol sequence in `dimensions` dimensions (Gray-code
 * order, as scipy's unscrambled `Sobol`; the all-zero point 0 is skipped).
 */
export function sobolPoints(n: number, dimensions: number): number[][] {
  if (dimensions > SOBOL_MAX_DIMENSIONS) throw new RangeError(`Sobol sampling handles at most ${SOBOL_MAX_DIMENSIONS} options`);
  const v = directions(dimensions);
  const x = new Uint32Array(dimensions);
  const points: number[][] = [];
  for (let i = 0; i < n; i++) {
    // Gray code: point i+1 differs from point i in the direction of i's lowest zero bit.
    let c = 0;
    while ((i >>> c) & 1) c++;
    for (let d = 0; d < dimensions; d++) x[d]! ^= v[d]![c]!;
    points.push(Array.from(x, (xi) => xi / 2 ** BITS));
  }
  return points;
}

/** `n` trials' options drawn from `space` by `sampler`; the same arguments give the same trials. */
export function sampleTrials(space: SearchSpace, n: number, sampler: "random" | "sobol", seed: number): Record<string, unknown>[] {
  const names = Object.keys(space);
  const rng = new Rng(seed);
  const points = sampler === "sobol" ? sobolPoints(n, names.length) : Array.from({ length: n }, () => names.map(() => rng.nextDouble()));
  return points.map((p) => Object.fromEntries(names.map((name, d) => [name, valueAt(space[name]!, p[d]!)])));
}
