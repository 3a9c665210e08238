/**
 * Every error deepq throws on bad input is a {@link DeepQError}. Subclasses say
 * what kind of problem it is; messages name the argument, the value given and
 * what is allowed. A call that throws one has changed nothing.
 */
export class DeepQError extends Error {
  /** The class name, for logs and `instanceof`-free checks. */
  override name = "DeepQError";
}

/** An argument (or option) has a value outside what is allowed. */
export class InvalidArgumentError extends DeepQError {
  /** "InvalidArgumentError". */
  override name = "InvalidArgumentError";
  constructor(
    /** Dotted path of the argument, e.g. `options.gamma` or `action`. */
    readonly argument: string,
    /** The rejected value. */
    readonly value: unknown,
    /** Human-readable description of the allowed values. */
    readonly allowed: string,
  ) {
    super(`${argument} must be ${allowed}; got ${describe(value)}`);
  }
}

/** The object is not in a state where the call makes sense (e.g. sampling an empty buffer). */
export class InvalidStateError extends DeepQError {
  /** "InvalidStateError". */
  override name = "InvalidStateError";
}

/**
 * A loaded agent was asked to train without a function it was saved with (a
 * `learningRate` or `epsilonSchedule` schedule: a save file cannot hold one).
 * Predicting, evaluating, saving and exporting need no such function.
 */
export class MissingFunctionError extends InvalidStateError {
  /** "MissingFunctionError". */
  override name = "MissingFunctionError";
  constructor(
    /** The option whose function is missing. */
    readonly option: "learningRate" | "epsilonSchedule",
  ) {
    super(`${option}: this agent was saved with a ${option} function, which a save file cannot hold, and training needs it: give it back as DQN.load(bytes, { ${option} })`);
  }
}

/** Bytes given to a loader are truncated, corrupted, foreign or from an unknown version. */
export class FormatError extends DeepQError {
  /** "FormatError". */
  override name = "FormatError";
}

/** A requested compute backend cannot run here. */
export class BackendError extends DeepQError {
  /** "BackendError". */
  override name = "BackendError";
}

/** Training produced a non-finite loss or weights; the agent keeps its last finite weights. */
export class DivergenceError extends DeepQError {
  /** "DivergenceError". */
  override name = "DivergenceError";
}

/** Short, safe rendering of a rejected value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "number" || typeof value === "boolean" || value === undefined || value === null) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength})`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `a ${(value as object).constructor?.name ?? "object"}`;
}
