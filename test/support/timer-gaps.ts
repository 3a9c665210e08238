/**
 * The gaps between a timer's ticks on this thread while `during` runs (sorted,
 * in ms): how long the event loop was kept from its timers. Self-contained, so
 * browser tests inline it into a page with `timerGaps.toString()`.
 */
export async function timerGaps<T>(during: () => Promise<T>, delayMs = 1): Promise<{ result: T; gaps: number[] }> {
  const gaps: number[] = [];
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (running) setTimeout(tick, delayMs);
  };
  setTimeout(tick, delayMs);
  const result = await during();
  running = false;
  return { result, gaps: gaps.slice().sort((a, b) => a - b) };
}

/** The p-th percentile of sorted values (nearest rank). */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
