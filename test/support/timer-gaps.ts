/**
 * The gaps between a timer's ticks on this thread while `during` runs (sorted,
 * in ms): how long the event loop was kept from its timers. Where the runtime
 * measures it (Node), also `loopBusy`: the share of that time the event loop
 * spent running code rather than waiting, which tells a stall this thread
 * caused from one where the OS ran something else. Self-contained, so
 * browser tests inline it into a page with `timerGaps.toString()`.
 */
export async function timerGaps<T>(during: () => Promise<T>, delayMs = 1): Promise<{ result: T; gaps: number[]; loopBusy?: number }> {
  type Elu = { utilization: number };
  const elu = (performance as { eventLoopUtilization?: (a?: Elu) => Elu }).eventLoopUtilization?.bind(performance);
  const loopAtStart = elu?.();
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
  return { result, gaps: gaps.slice().sort((a, b) => a - b), loopBusy: loopAtStart && elu?.(loopAtStart).utilization };
}

/** The p-th percentile of sorted values (nearest rank). */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** One 60 Hz frame, in ms: the longest gap a game loop absorbs unnoticed. */
export const FRAME_MS = 1000 / 60;

/**
 * The share of the measured time that the thread spent stalled past a frame:
 * the sum over gaps of (gap - FRAME_MS, when positive) over the sum of gaps.
 * Unlike a high percentile of ~1000 ticks (which is the second-worst gap, pure
 * OS noise on a loaded 2-core machine), it adds every stall, so one 45 ms
 * scheduling hiccup costs ~0.5% of a 6 s run while a trainer on this thread,
 * even one that yields every 50 ms, costs 67%.
 */
export const stallShare = (gaps: number[]): number => {
  let stalled = 0;
  let total = 0;
  for (const g of gaps) {
    total += g;
    if (g > FRAME_MS) stalled += g - FRAME_MS;
  }
  return total > 0 ? stalled / total : 0;
};

/** One line for the test log: the gate's figure and the tail beside it. */
export const describeGaps = (gaps: number[]): string =>
  `${gaps.length} ticks, p50 ${percentile(gaps, 50).toFixed(2)} ms, p99 ${percentile(gaps, 99).toFixed(2)} ms, worst ${gaps.at(-1)!.toFixed(1)} ms, ` +
  `stalled past a frame ${(100 * stallShare(gaps)).toFixed(2)}% of the time`;
