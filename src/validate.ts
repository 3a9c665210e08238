/**
 * Argument checks shared by every public entry point. Each returns the value
 * (narrowed) or throws an {@link InvalidArgumentError} naming the argument.
 */
import { InvalidArgumentError } from "./errors.ts";

export interface IntRange {
  min?: number;
  max?: number;
}

function rangeText(min: number | undefined, max: number | undefined, kind: string): string {
  if (min !== undefined && max !== undefined) return `${kind} in [${min}, ${max}]`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

/** An integer-valued number (not a string, not NaN) within [min, max]. */
export function checkInt(name: string, value: unknown, { min, max }: IntRange = {}): number {
  if (typeof value !== "number" || !Number.isInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw new InvalidArgumentError(name, value, rangeText(min, max, "an integer"));
  }
  return value;
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** Exclude the bounds themselves. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** A finite number within the given range. */
export function checkNumber(name: string, value: unknown, r: NumberRange = {}): number {
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (r.min === undefined || (r.minExclusive ? value > r.min : value >= r.min)) &&
    (r.max === undefined || (r.maxExclusive ? value < r.max : value <= r.max));
  if (!ok) {
    const lo = r.min === undefined ? "" : `${r.minExclusive ? "(" : "["}${r.min}`;
    const hi = r.max === undefined ? "" : `${r.max}${r.maxExclusive ? ")" : "]"}`;
    const allowed = lo && hi ? `a finite number in ${lo}, ${hi}` : lo ? `a finite number ${r.minExclusive ? ">" : ">="} ${r.min}` : hi ? `a finite number ${r.maxExclusive ? "<" : "<="} ${r.max}` : "a finite number";
    throw new InvalidArgumentError(name, value, allowed);
  }
  return value;
}

/** A boolean. */
export function checkBool(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new InvalidArgumentError(name, value, "true or false");
  return value;
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(name, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  }
  return value as T;
}

/**
 * An array-like of `length` finite numbers (a plain array or any typed array).
 * Returns it unchanged; callers copy it where they keep it.
 */
export function checkVector(name: string, value: unknown, length: number): ArrayLike<number> {
  const isArrayLike = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isArrayLike || (value as ArrayLike<unknown>).length !== length) {
    throw new InvalidArgumentError(name, value, `an array or typed array of ${length} finite numbers`);
  }
  const v = value as ArrayLike<unknown>;
  for (let i = 0; i < length; i++) {
    const x = v[i];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new InvalidArgumentError(`${name}[${i}]`, x, "a finite number");
    }
  }
  return v as ArrayLike<number>;
}

/**
 * {@link checkVector} for values stored as float32 (observations): each must
 * also stay finite once rounded to float32, so 1e39 is refused rather than
 * becoming Infinity.
 */
export function checkFloat32Vector(name: string, value: unknown, length: number): ArrayLike<number> {
  const v = checkVector(name, value, length);
  if (v instanceof Float32Array) return v;
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(Math.fround(v[i]!))) throw new InvalidArgumentError(`${name}[${i}]`, v[i], "a finite number within float32 range (|x| <= 3.4e38)");
  }
  return v;
}

/**
 * Returns the Q-values `q` computed from `input` if they are all finite; else
 * refuses `input`, on which the network overflows float32 (huge weights or
 * inputs), so that no infinity or NaN leaves deepq.
 */
export function checkFiniteQ(name: string, input: unknown, q: Float32Array): Float32Array {
  for (let i = 0; i < q.length; i++) {
    if (!Number.isFinite(q[i])) throw new InvalidArgumentError(name, input, "input on which the network's Q-values stay finite (they overflow float32 here)");
  }
  return q;
}

/** Rejects option names that are not in `known`, with the list of known names. */
export function checkKnownKeys(name: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${name}.${key}`, (options as Record<string, unknown>)[key], `not set: unknown option (known: ${known.join(", ")})`);
    }
  }
}

/** A plain options object (or undefined, giving `{}`). */
export function checkOptions(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError(name, value, "an options object");
  }
  return value as Record<string, unknown>;
}
