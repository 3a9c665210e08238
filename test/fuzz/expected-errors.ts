/**
 * What each public call must reject, written down here from the documented
 * contract (README "Environments", Gymnasium's reset bounds, the replay
 * options' doc comments) and sharing no code with src/: the fuzz suites check
 * the WASM implementations and their TypeScript references against these
 * tables, so a check missing from code both share still fails.
 *
 * Each function returns the argument an InvalidArgumentError must name, or
 * undefined when the call must be accepted; the first failing check names it.
 */
import { expect } from "vitest";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { Outcome } from "./arbitraries.ts";

/** The outcome is what the table says: accepted, or an InvalidArgumentError naming `argument`. */
export function expectVerdict(outcome: Outcome<unknown>, argument: string | undefined, call: string): void {
  const got = outcome.ok ? "accepted" : outcome.error instanceof InvalidArgumentError ? `InvalidArgumentError on ${outcome.error.argument}` : outcome.error.name;
  expect(got, `${call}${outcome.ok ? "" : `: ${outcome.error.message}`}`).toBe(argument === undefined ? "accepted" : `InvalidArgumentError on ${argument}`);
}

/** An options object: any non-null, non-array object (its own enumerable keys are its options). */
const isOptions = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isInteger = (v: unknown, min: number, max = Infinity): boolean => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const firstUnknown = (o: object, known: string[]) => Object.keys(o).find((k) => !known.includes(k));

// ------------------------------------------------------------------ CartPole

/** make("CartPole-v1", options), or with `vector` makeVec: numEnvs an integer in [1, 2^20] (required), suttonBartoReward a boolean, maxEpisodeSteps an integer >= 1 or Infinity. */
export function cartpoleOptionsVerdict(options: unknown, vector: boolean): string | undefined {
  if (options !== undefined && !isOptions(options)) return "options";
  const o = options ?? {};
  const unknown = firstUnknown(o, vector ? ["numEnvs", "suttonBartoReward", "maxEpisodeSteps"] : ["suttonBartoReward", "maxEpisodeSteps"]);
  if (unknown !== undefined) return `options.${unknown}`;
  if (vector && !isInteger(o.numEnvs, 1, 2 ** 20)) return "options.numEnvs";
  if (o.suttonBartoReward !== undefined && typeof o.suttonBartoReward !== "boolean") return "options.suttonBartoReward";
  // null or undefined: the registered limit (500).
  const max = o.maxEpisodeSteps ?? 500;
  if (max !== Infinity && !isInteger(max, 1)) return "options.maxEpisodeSteps";
  return undefined;
}

/**
 * reset(args): args an options object (or nothing) of seed and options; the
 * seed a non-negative safe integer or bigint (or nothing); options.low and
 * options.high finite numbers in [-100, 100], low <= high (Gymnasium's
 * maybe_parse_reset_bounds, within deepq's documented bound).
 */
export function cartpoleResetVerdict(args: unknown): string | undefined {
  if (args === undefined || args === null) return undefined;
  if (!isOptions(args)) return "reset(args)";
  const unknown = firstUnknown(args, ["seed", "options"]);
  if (unknown !== undefined) return `reset(args).${unknown}`;
  const seed = args.seed;
  const seedOk = seed === undefined || seed === null || (typeof seed === "bigint" ? seed >= 0n : Number.isSafeInteger(seed) && (seed as number) >= 0);
  if (!seedOk) return "seed";
  const o = args.options ?? undefined;
  if (o === undefined) return undefined;
  if (!isOptions(o)) return "options";
  const unknownBound = firstUnknown(o, ["low", "high"]);
  if (unknownBound !== undefined) return `options.${unknownBound}`;
  const bound = (v: unknown) => typeof v === "number" && v >= -100 && v <= 100;
  if (o.low !== undefined && !bound(o.low)) return "options.low";
  if (o.high !== undefined && !bound(o.high)) return "options.high";
  if (((o.low as number | undefined) ?? -0.05) > ((o.high as number | undefined) ?? 0.05)) return "options.low";
  return undefined;
}

/** step(action) of a single CartPole: 0 or 1. */
export const cartpoleStepVerdict = (action: unknown): string | undefined => (action === 0 || action === 1 ? undefined : "action");

/** step(actions) of n CartPoles: an Int32Array of n actions, each 0 or 1; else the first bad one. */
export function cartpoleVecStepVerdict(actions: unknown, n: number): string | undefined {
  if (!(actions instanceof Int32Array) || actions.length !== n) return "actions";
  const bad = actions.findIndex((a) => a !== 0 && a !== 1);
  return bad < 0 ? undefined : `actions[${bad}]`;
}
