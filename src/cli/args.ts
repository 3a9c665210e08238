/**
 * Command-line argument helpers shared by the CLI's commands: flag parsing
 * with one-line usage errors (exit 2) that name the flag.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Bad usage: the CLI prints the message and exits with 2. */
export class UsageError extends Error {}

export function num(flag: string, v: string | undefined, integer = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag} must be ${integer ? "an integer" : "a number"}; got ${JSON.stringify(v)}`);
  return n;
}

export function parse(command: string, args: string[], options: ParseArgsConfig["options"]) {
  try {
    const r = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(`${parseArgsMessage(e as Error & { code?: string })} (see 'deepq ${command} --help')`);
  }
}

/** node:util parseArgs errors, reworded to name the flag in one line. */
function parseArgsMessage(e: Error & { code?: string }): string {
  const flag = /'(-[^' ]+)/.exec(e.message)?.[1];
  if (flag && e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown flag ${flag}`;
  if (flag && e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return /ambiguous/.test(e.message) ? `${flag} needs a value; write one starting with "-" as ${flag}=-1` : `${flag} needs a value`;
  }
  return e.message.split("\n")[0]!;
}

