/**
 * Seeds for environments and spaces. Gymnasium seeds an env that was never
 * given a seed from OS entropy; deepq does the same with
 * `crypto.getRandomValues`, present in every runtime deepq targets (Node
 * >= 20, Deno, browsers, workerd).
 */
import { InvalidArgumentError } from "../errors.ts";

/** An env seed: any non-negative integer, as numpy's SeedSequence takes; a bigint beyond 2^53. */
export type Seed = number | bigint;

/** Checks an env seed: a non-negative safe integer or a non-negative bigint. */
export function checkSeed(name: string, seed: unknown): Seed {
  const ok = typeof seed === "bigint" ? seed >= 0n : Number.isSafeInteger(seed) && (seed as number) >= 0;
  if (!ok) throw new InvalidArgumentError(name, seed, "a non-negative integer (a number up to 2^53 - 1, or a bigint)");
  return seed as Seed;
}

/** A fresh random seed in [0, 2^53) from the platform's cryptographic generator. */
export function entropySeed(): number {
  const w = new Uint32Array(2);
  globalThis.crypto.getRandomValues(w);
  return (w[0]! >>> 11) * 2 ** 32 + w[1]!;
}
