/**
 * Shared pieces of the benchmark suite: a row type, a timer that runs a
 * function for a fixed wall time, and a comparison helper. Each
 * bench/*.bench.ts file default-exports an async function returning rows.
 */

/**
 * Suites too long for every run (minatar: 5 seeds of 1M training steps, CPU
 * hours): `npm run bench` and `--readme` leave them out, and a filter runs
 * one only when it is the suite's exact name.
 */
export const NAMED_ONLY: readonly string[] = ["minatar"];

/** Whether `npm run bench` without a filter runs the bench file `file` (e.g. "env.bench.ts"). */
export function runsByDefault(file: string): boolean {
  return !NAMED_ONLY.includes(file.replace(/\.bench\.ts$/, ""));
}

/**
 * The bench files `npm run bench -- ...filters` runs, sorted: without a
 * filter every file but NAMED_ONLY's; with filters those whose name contains
 * one, a NAMED_ONLY suite only when a filter is its exact name.
 */
export function selectSuites(files: readonly string[], filters: readonly string[]): string[] {
  return files
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => (filters.length === 0 ? runsByDefault(f) : filters.some((x) => f === `${x}.bench.ts` || (runsByDefault(f) && f.includes(x)))))
    .sort();
}

export interface BenchRow {
  /** The suite (file) the row belongs to, e.g. "env". */
  suite: string;
  /** What was measured, e.g. "vec step, 1024 envs (wasm)". */
  name: string;
  value: number;
  unit: string;
  /** Ratio against a baseline measured in the same run, when there is one. */
  ratio?: number;
  ratioOf?: string;
  /** The target, as text, e.g. ">= 150e6". */
  target?: string;
  /** Whether the target was met (undefined when there is no target). */
  pass?: boolean;
  /** Set when a baseline could not run here: why (`value` is then NaN, null in results.json). */
  unavailable?: string;
}

/** A baseline's row: what it measured, or why it could not run. */
export function baseline(row: Omit<BenchRow, "value">, measured: number | string): BenchRow {
  return typeof measured === "number" ? { ...row, value: measured } : { ...row, value: NaN, unavailable: measured };
}

/**
 * Calls `fn` repeatedly for about `seconds` (after a short warm-up) and
 * returns calls per second. `fn` returns the number of work items it did
 * (e.g. env steps), so the result is items per second.
 */
export function rate(fn: () => number, seconds = 1): number {
  const warm = performance.now() + Math.min(200, seconds * 200);
  while (performance.now() < warm) fn();
  let items = 0;
  const start = performance.now();
  let now = start;
  const end = start + seconds * 1000;
  while (now < end) {
    items += fn();
    now = performance.now();
  }
  return (items * 1000) / (now - start);
}

/**
 * Best of `windows` short runs of {@link rate}: the machine is shared and
 * noisy, and noise only ever slows a window down. Suites that compare
 * engines measure every row, baselines included, this way.
 */
export function bestRate(fn: () => number, windows = 30, seconds = 0.05): number {
  let best = 0;
  for (let i = 0; i < windows; i++) best = Math.max(best, rate(fn, seconds));
  return best;
}

/**
 * {@link bestRate} of several functions measured in turns, window by window,
 * so that each one's best comes from the same stretch of a noisy machine:
 * the fair way to compare them in one run.
 */
export function bestRates<K extends string>(fns: Record<K, () => number>, windows = 30, seconds = 0.05): Record<K, number> {
  const best = {} as Record<K, number>;
  for (const k in fns) best[k] = 0;
  for (let i = 0; i < windows; i++) {
    for (const k in fns) best[k] = Math.max(best[k], rate(fns[k], seconds));
  }
  return best;
}

/** Async variant of {@link rate}. */
export async function rateAsync(fn: () => Promise<number>, seconds = 1): Promise<number> {
  const warm = performance.now() + Math.min(200, seconds * 200);
  while (performance.now() < warm) await fn();
  let items = 0;
  const start = performance.now();
  let now = start;
  const end = start + seconds * 1000;
  while (now < end) {
    items += await fn();
    now = performance.now();
  }
  return (items * 1000) / (now - start);
}

/** Checks a value against a `>= x` target and fills `target`/`pass`. */
export function atLeast(row: BenchRow, min: number, text = `>= ${min}`): BenchRow {
  return { ...row, target: text, pass: row.value >= min };
}

/** Checks a ratio against a `>= x` target and fills `target`/`pass`. */
export function ratioAtLeast(row: BenchRow, min: number): BenchRow {
  return { ...row, target: `ratio >= ${min}`, pass: (row.ratio ?? 0) >= min };
}
