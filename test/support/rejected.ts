/** Assertions on rejected calls, shared by the bad-input suites. */
import { expect } from "vitest";
import { InvalidArgumentError } from "../../src/errors.ts";

/** `call` throws an InvalidArgumentError naming `argument`, whose message matches `allowed`. */
export function expectRejected(call: () => unknown, argument: string, allowed: RegExp): void {
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidArgumentError);
  const e = error as InvalidArgumentError;
  expect(e.argument).toBe(argument);
  expect(e.message).toMatch(allowed);
}
