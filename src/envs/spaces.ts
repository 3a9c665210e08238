/**
 * Gymnasium's two basic spaces: `Box` (a float32 array with per-element
 * bounds) and `Discrete` (the integers start, ..., start + n - 1), with
 * `contains` and `sample` as in gymnasium.spaces. Sampling uses deepq's own
 * seeded generator (`space.seed(s)`), so samples reproduce within deepq but
 * are not numpy's.
 */
import { InvalidArgumentError } from "../errors.ts";
import { Rng } from "../runtime/rng.ts";
import { checkInt } from "../validate.ts";
import { entropySeed } from "./seeding.ts";

/** A plain array or a numeric typed array. */
export function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

abstract class Space<T> {
  private rng: Rng | undefined;

  /** Seeds this space's sampler (an integer in [0, 2^53)); unseeded spaces seed from entropy on first use. */
  seed(seed: number = entropySeed()): void {
    this.rng = new Rng(seed);
  }

  protected get random(): Rng {
    return (this.rng ??= new Rng(entropySeed()));
  }

  /** Whether `x` is an element of the space. */
  abstract contains(x: unknown): x is T;
  /** A random element of the space. */
  abstract sample(): T;
}

/**
 * A box in R^shape with float32 bounds `low` and `high` (either may be
 * infinite), as `gymnasium.spaces.Box(low, high, shape, dtype=np.float32)`.
 */
export class Box extends Space<ArrayLike<number>> {
  /** Lower bound of each element (may be -Infinity). */
  readonly low: Float32Array;
  /** Upper bound of each element (may be Infinity). */
  readonly high: Float32Array;
  /** Dimensions, e.g. [4] for CartPole. */
  readonly shape: readonly number[];
  /** Always "float32", as Gymnasium's default Box. */
  readonly dtype = "float32" as const;
  /** Number of elements: the product of `shape`. */
  readonly size: number;

  /**
   * `low` and `high` are numbers (broadcast to `shape`) or arrays; `shape`
   * defaults to `[low.length]`. Bounds are rounded to float32, as numpy does.
   */
  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    super();
    const given = shape ?? (typeof low !== "number" ? [low.length] : typeof high !== "number" ? [high.length] : [1]);
    if (!Array.isArray(given) || given.length === 0) throw new InvalidArgumentError("shape", given, "a non-empty array of positive integers");
    given.forEach((d, i) => checkInt(`shape[${i}]`, d, { min: 1 }));
    this.shape = Object.freeze([...given]);
    this.size = given.reduce((a, b) => a * b, 1);
    this.low = bound("low", low, this.size);
    this.high = bound("high", high, this.size);
    for (let i = 0; i < this.size; i++) {
      if (!(this.low[i]! <= this.high[i]!)) throw new InvalidArgumentError(`low[${i}]`, this.low[i], `<= high[${i}] (${this.high[i]})`);
    }
  }

  /** Whether `x` is an array-like of `size` numbers, each within its bounds (NaN never is). */
  contains(x: unknown): x is ArrayLike<number> {
    if (!isArrayLike(x) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (typeof v !== "number" || !(v >= this.low[i]! && v <= this.high[i]!)) return false;
    }
    return true;
  }

  /**
   * As Gymnasium: uniform on bounded elements, normal on unbounded ones,
   * shifted exponential on half-bounded ones.
   */
  sample(): Float32Array {
    const r = this.random;
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      const below = lo > -Infinity;
      const above = hi < Infinity;
      if (below && above) out[i] = r.uniform(lo, hi);
      else if (below) out[i] = lo - Math.log1p(-r.nextDouble());
      else if (above) out[i] = hi + Math.log1p(-r.nextDouble());
      else out[i] = Math.sqrt(-2 * Math.log1p(-r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
    return out;
  }

  override toString(): string {
    return `Box(${fmt(this.low)}, ${fmt(this.high)}, (${this.shape.join(", ")}${this.shape.length === 1 ? "," : ""}), float32)`;
  }
}

/** The integers `start`, ..., `start + n - 1`, as `gymnasium.spaces.Discrete(n, start)`. */
export class Discrete extends Space<number> {
  /** Number of actions. */
  readonly n: number;
  /** The smallest element (default 0). */
  readonly start: number;

  constructor(n: number, start = 0) {
    super();
    this.n = checkInt("n", n, { min: 1, max: 2 ** 32 });
    this.start = checkInt("start", start, { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
  }

  /** Whether `x` is an integer-valued number in [start, start + n). */
  contains(x: unknown): x is number {
    return typeof x === "number" && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  sample(): number {
    return this.start + this.random.int(this.n);
  }

  override toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

function bound(name: string, value: unknown, size: number): Float32Array {
  if (typeof value === "number") {
    if (Number.isNaN(value)) throw new InvalidArgumentError(name, value, "a number or an array of numbers (not NaN)");
    return new Float32Array(size).fill(value);
  }
  if (!isArrayLike(value) || value.length !== size) throw new InvalidArgumentError(name, value, `a number or an array of ${size} numbers`);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = value[i];
    if (typeof v !== "number" || Number.isNaN(v)) throw new InvalidArgumentError(`${name}[${i}]`, v, "a number (not NaN)");
    out[i] = v;
  }
  return out;
}

function fmt(a: Float32Array): string {
  const vals = [...a].map((v) => (v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v)));
  return vals.every((v) => v === vals[0]) ? vals[0]! : `[${vals.join(", ")}]`;
}
