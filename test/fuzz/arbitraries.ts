/**
 * What every fuzz suite shares: how many cases to run, the arbitraries of
 * good and bad input, and the three properties every public call must keep:
 * it throws nothing but a DeepQError, a rejected call changes nothing (each
 * suite compares its own state), and no NaN or Infinity comes out.
 *
 * Cases per property: FUZZ_RUNS (`npm run fuzz` sets 10,000), else the small
 * count each suite passes to {@link runs} so that `npm test` stays quick.
 * `npm test` runs a fixed seed, so the suite gives the same verdict on every
 * run; `npm run fuzz` draws a new seed each time. A failure prints
 * fast-check's seed and shrunk counterexample; FUZZ_SEED replays a seed.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { DeepQError, InvalidArgumentError } from "../../src/errors.ts";

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS) || undefined;
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? (FUZZ_RUNS === undefined ? 20_261_123 : undefined) : Number(process.env.FUZZ_SEED);

/** Whether this is the full fuzz run (`npm run fuzz`) rather than `npm test`'s short one. */
export const FULL = FUZZ_RUNS !== undefined && FUZZ_RUNS >= 10_000;

/** fast-check parameters: FUZZ_RUNS cases, else `ci`. */
export function runs(ci: number): fc.Parameters<unknown> {
  return { numRuns: FUZZ_RUNS ?? ci, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) };
}

/** A test timeout that grows with the case count (`ms` per case, at least two minutes). */
export function timeout(ci: number, ms: number): number {
  return Math.max(120_000, (FUZZ_RUNS ?? ci) * ms);
}

// ------------------------------------------------------------ arbitraries

/** Numbers that break naive checks: NaN, infinities, -0, beyond float32, fractions, huge integers. */
export const nastyNumber = fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, -1, 1e39, -1e39, 1e300, 2 ** 31, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, -(2 ** 31) - 1);

/** Anything a caller might pass by mistake: any JSON-ish value, nasty numbers, bigints, typed arrays, functions. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true, withBoxedValues: true, maxDepth: 2 }),
  nastyNumber,
  fc.bigInt(),
  fc.constantFrom(undefined, null, true, false, "", "1", [], {}, () => 1, new DataView(new ArrayBuffer(8)), Symbol("x")),
);

/** `good` most of the time, else junk (so most cases get past the first check). */
export function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown> = junk, badWeight = 1): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight: 8, arbitrary: good }, { weight: badWeight, arbitrary: bad });
}

/** A finite float32, over its whole range (subnormals and -0 included). */
export const f32 = fc.float({ noNaN: true, noDefaultInfinity: true });

/** A float32 of moderate size (what a game's observations are), so network outputs stay finite. */
export const moderate = fc.float({ min: -1e6, max: 1e6, noNaN: true });

/** A vector of `d` floats drawn from `element`, as a plain array or a Float32Array. */
export function vector(d: number, element: fc.Arbitrary<number> = f32): fc.Arbitrary<number[] | Float32Array> {
  return fc.oneof(
    fc.array(element, { minLength: d, maxLength: d }),
    fc.array(element, { minLength: d, maxLength: d }).map((a) => Float32Array.from(a)),
  );
}

/** A vector of `d` floats that is sometimes wrong: a bad element, a wrong length, or not a vector at all. */
export function maybeBadVector(d: number, element: fc.Arbitrary<number> = f32): fc.Arbitrary<unknown> {
  const badElement = fc.tuple(fc.array(element, { minLength: d, maxLength: d }), fc.nat(d - 1), fc.oneof(nastyNumber, junk)).map(([a, i, x]) => {
    const out: unknown[] = [...a];
    out[i] = x;
    return out;
  });
  const badLength = fc.array(element, { maxLength: d + 3 }).filter((a) => a.length !== d);
  return mostly(vector(d, element), fc.oneof(badElement, badLength, badLength.map((a) => Float32Array.from(a)), junk), 2);
}

// ------------------------------------------------------------- properties

/** The outcome of a call that may be rejected. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DeepQError };

/**
 * Runs `call`: a DeepQError becomes `{ ok: false }`; any other throw (a
 * TypeError, a RangeError, a WebAssembly trap) fails the property.
 */
export function attempt<T>(call: () => T): Outcome<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return rejected(error);
  }
}

/** {@link attempt} for async calls. */
export async function attemptAsync<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return rejected(error);
  }
}

function rejected(error: unknown): { ok: false; error: DeepQError } {
  if (!(error instanceof DeepQError)) {
    throw new Error(`a non-DeepQError escaped: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`, { cause: error });
  }
  expect(error.message.length, "a DeepQError says what is wrong").toBeGreaterThan(10);
  if (error instanceof InvalidArgumentError) expect(typeof error.argument).toBe("string");
  return { ok: false, error };
}

/** Two outcomes agree: both values pass `same`, or both are rejected with the same kind of error about the same argument. */
export function expectSameOutcome<T, U = T>(a: Outcome<T>, b: Outcome<U>, same: (x: T, y: U) => void): void {
  if (a.ok && b.ok) return same(a.value, b.value);
  const kind = (o: Outcome<unknown>) => (o.ok ? "accepted" : o.error instanceof InvalidArgumentError ? `${o.error.name} on ${o.error.argument}` : o.error.name);
  expect(kind(a), a.ok ? "" : a.error.message).toBe(kind(b));
}

/** Every number in `values` (numbers or arrays of them) is finite; `what` names them in the failure. */
export function expectFinite(what: string, ...values: Array<number | ArrayLike<number>>): void {
  for (const v of values) {
    const list = typeof v === "number" ? [v] : v;
    for (let i = 0; i < list.length; i++) {
      if (!Number.isFinite(list[i])) expect.fail(`${what}: non-finite value ${list[i]} at ${i}`);
    }
  }
}

/** Same numbers bit for bit (NaN equals NaN, -0 differs from 0). */
export function expectBits(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
}
