/**
 * Generated sections of README.md (the performance table, the MinAtar
 * block): the text between a section's start and end markers, for tests
 * that compare it with what its generator makes.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** The text of `file` between `start` and `end`, asserting that both markers are there, in that order; `what` names the section in failures. */
export function markedSection(file: string, start: string, end: string, what: string): string {
  const text = readFileSync(file, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  expect(from, `the ${what}'s start marker`).toBeGreaterThan(0);
  expect(to, `the ${what}'s end marker`).toBeGreaterThan(from);
  return text.slice(from + start.length, to);
}
