/**
 * Learning curves as standalone SVG (no dependencies, readable in any
 * browser or image viewer): per-episode returns as faint points, their
 * rolling mean over 100 episodes as a line, greedy evaluations as markers
 * with ±std whiskers, labelled axes with nice ticks, and a legend above the
 * plot.
 */

/** One run on a learning-curve chart. */
export interface CurveSeries {
  /** Its legend entry. */
  label: string;
  /** Episode ends: timestep at which the episode finished and its return. */
  episodes: ReadonlyArray<{
    /** Env steps taken when the episode ended. */
    timestep: number;
    /** The episode's return. */
    return: number;
  }>;
  /** Greedy evaluations (mean ± std of returns). */
  evals?: ReadonlyArray<{
    /** Env steps taken when it ran. */
    timestep: number;
    /** Mean return over its episodes. */
    mean: number;
    /** Standard deviation of those returns. */
    std: number;
  }>;
}

/** Options of {@link learningCurveSvg}. */
export interface PlotOptions {
  /** Default "Learning curve". */
  title?: string;
  /** Default "timesteps". */
  xLabel?: string;
  /** Default "episode return". */
  yLabel?: string;
  /** Pixels; default 800. */
  width?: number;
  /** Pixels; default 480. */
  height?: number;
  /** Window of the rolling mean (episodes). */
  window?: number;
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

/**
 * Round tick positions (steps of 1, 2, 2.5 or 5 times a power of ten) whose
 * first is <= `lo` and last >= `hi`, so every point lies on the axis: the
 * finest such step with at most `count + 1` intervals.
 */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) hi = lo + 1;
  let mag = 10 ** Math.floor(Math.log10((hi - lo) / count));
  for (;;) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * mag;
      const first = Math.floor(lo / step + 1e-9);
      const last = Math.ceil(hi / step - 1e-9);
      if (last - first > count + 1) continue;
      const ticks: number[] = [];
      for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
      return ticks;
    }
    mag *= 10;
  }
}

const formatTick = (v: number) => (Math.abs(v) >= 1e6 ? `${v / 1e6}M` : Math.abs(v) >= 1e4 ? `${v / 1e3}k` : String(v));

/** Rolling mean of the last `window` values at each index. */
export function rollingMean(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  values.forEach((v, i) => {
    sum += v;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  });
  return out;
}

/** Smallest and largest of `values` with `lo`/`hi` as floors (no spread: curves can hold 100k+ episodes). */
function extent(values: Iterable<number>, lo: number, hi: number): [number, number] {
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Rough width of a label in the chart's 12px sans-serif (for laying out the legend). */
const textWidth = (s: string) => s.length * 6.6;

interface LegendItem {
  label: string;
  /** SVG of the item's mark, drawn centred on (0, 0). */
  mark: string;
  series: boolean;
}

/**
 * The legend, above the plot so it never hides a curve: series entries, then
 * what the marks mean, flowed left to right and wrapped at `maxWidth`.
 * Returns the SVG and its height.
 */
function legend(items: LegendItem[], x0: number, y0: number, maxWidth: number): { svg: string; height: number } {
  const row = 18;
  const parts: string[] = ['<g class="legend">'];
  let x = x0;
  let y = y0 + row / 2;
  for (const it of items) {
    const w = 26 + textWidth(it.label) + 18;
    if (x > x0 && x + w > x0 + maxWidth) {
      x = x0;
      y += row;
    }
    const cls = it.series ? ' class="legend-label"' : "";
    parts.push(`<g transform="translate(${x + 10} ${y})">${it.mark}</g><text${cls} x="${x + 26}" y="${y}" dominant-baseline="middle" fill="${it.series ? "#222" : "#555"}">${escapeXml(it.label)}</text>`);
    x += w;
  }
  parts.push("</g>");
  return { svg: parts.join(""), height: y - y0 + row / 2 };
}

/**
 * A learning-curve chart as a standalone SVG document: one colour per
 * series, per-episode returns as faint dots, their rolling mean as a line,
 * greedy evaluations as circles with ±std whiskers. Give several series to
 * compare runs on one chart (what `deepq compare` writes).
 */
export function learningCurveSvg(series: readonly CurveSeries[], options: PlotOptions = {}): string {
  const { window = 100 } = options;
  const swatch = (color: string) => `<line x1="-10" x2="10" stroke="${color}" stroke-width="2.4"/>`;
  const items: LegendItem[] = series.map((s, k) => ({ label: s.label, mark: swatch(PALETTE[k % PALETTE.length]!), series: true }));
  items.push({ label: "episode return", mark: '<circle r="2" fill="#888"/>', series: false });
  items.push({ label: `mean of last ${window}`, mark: swatch("#888"), series: false });
  if (series.some((s) => s.evals?.length)) items.push({ label: "greedy evaluation (mean ± std)", mark: '<circle r="4" fill="#fff" stroke="#888" stroke-width="2"/>', series: false });
  const xs = series.flatMap((s) => [...s.episodes.map((e) => e.timestep), ...(s.evals ?? []).map((e) => e.timestep)]);
  const ys = series.flatMap((s) => [...s.episodes.map((e) => e.return), ...(s.evals ?? []).flatMap((e) => [e.mean - e.std, e.mean + e.std])]);
  const { parts, px, py } = chartFrame(items, xs, ys, { title: "Learning curve", ...options });

  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const cls = `series-${k}`;
    parts.push(`<g class="${cls}">`);
    if (s.episodes.length) {
      const dots = s.episodes.map((e) => `M${px(e.timestep)} ${py(e.return)}h0`).join("");
      parts.push(`<path class="episodes" d="${dots}" stroke="${color}" stroke-opacity="0.35" stroke-width="3.5" stroke-linecap="round"/>`);
      const mean = rollingMean(s.episodes.map((e) => e.return), window);
      const line = s.episodes.map((e, i) => `${i ? "L" : "M"}${px(e.timestep)} ${py(mean[i]!)}`).join("");
      parts.push(`<path class="rolling-mean" d="${line}" fill="none" stroke="${color}" stroke-width="2.2"/>`);
    }
    for (const e of s.evals ?? []) {
      parts.push(`<line class="eval-std" x1="${px(e.timestep)}" x2="${px(e.timestep)}" y1="${py(e.mean - e.std)}" y2="${py(e.mean + e.std)}" stroke="${color}"/>`);
      parts.push(`<circle class="eval" cx="${px(e.timestep)}" cy="${py(e.mean)}" r="4" fill="#fff" stroke="${color}" stroke-width="2"/>`);
    }
    parts.push(`</g>`);
  });
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}

/** One point of a chart across seeds: the mean of the runs' greedy evaluations at a timestep and their range. */
export interface BandPoint {
  /** Env steps taken when the evaluations ran. */
  timestep: number;
  /** Mean over the runs of their evaluation means. */
  mean: number;
  /** Lowest run's evaluation mean. */
  min: number;
  /** Highest run's evaluation mean. */
  max: number;
}

/**
 * The mean and min-max range across runs of their greedy evaluations, at
 * each timestep every run evaluated at (runs of one configuration on
 * several seeds evaluate at the same steps).
 */
export function bandAcrossRuns(series: readonly CurveSeries[]): BandPoint[] {
  const byStep = new Map<number, number[]>();
  for (const s of series) for (const e of s.evals ?? []) byStep.set(e.timestep, [...(byStep.get(e.timestep) ?? []), e.mean]);
  return [...byStep]
    .filter(([, means]) => means.length === series.length)
    .sort((a, b) => a[0] - b[0])
    .map(([timestep, means]) => ({ timestep, mean: means.reduce((a, b) => a + b, 0) / means.length, min: Math.min(...means), max: Math.max(...means) }));
}

/**
 * Runs of one configuration on several seeds as one chart (what `deepq train
 * --seeds` writes): the mean greedy evaluation across seeds as a line and
 * the range from the worst seed to the best as a band around it.
 */
export function seedBandSvg(series: readonly CurveSeries[], options: PlotOptions = {}): string {
  const band = bandAcrossRuns(series);
  const color = PALETTE[0]!;
  const items: LegendItem[] = [
    { label: `mean greedy evaluation over ${series.length} seeds`, mark: `<line x1="-10" x2="10" stroke="${color}" stroke-width="2.4"/>`, series: true },
    { label: "min-max across seeds", mark: `<rect x="-10" y="-5" width="20" height="10" fill="${color}" fill-opacity="0.2"/>`, series: false },
  ];
  const { parts, px, py } = chartFrame(items, band.map((b) => b.timestep), band.flatMap((b) => [b.min, b.max]), { title: "Learning curve across seeds", yLabel: "greedy evaluation return", ...options });
  if (band.length) {
    const upper = band.map((b, i) => `${i ? "L" : "M"}${px(b.timestep)} ${py(b.max)}`).join("");
    const lower = [...band].reverse().map((b) => `L${px(b.timestep)} ${py(b.min)}`).join("");
    parts.push(`<path class="band" d="${upper}${lower}Z" fill="${color}" fill-opacity="0.2" stroke="none"/>`);
    parts.push(`<path class="mean" d="${band.map((b, i) => `${i ? "L" : "M"}${px(b.timestep)} ${py(b.mean)}`).join("")}" fill="none" stroke="${color}" stroke-width="2.2"/>`);
  }
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}

/**
 * The parts every chart shares: the document, title, legend above the plot,
 * grid, ticks and axis labels for data spanning `xs` (from 0) and `ys`.
 * Returns the open document's parts and the data-to-pixel maps.
 */
function chartFrame(items: LegendItem[], xs: number[], ys: number[], options: PlotOptions): { parts: string[]; px: (x: number) => string; py: (y: number) => string } {
  const { title = "Learning curve", xLabel = "timesteps", yLabel = "episode return", width = 800, height = 480 } = options;
  const m = { left: 70, right: 24, top: 40, bottom: 56 };
  const pw = width - m.left - m.right;
  const key = legend(items, m.left, 34, pw);
  m.top = 34 + key.height + 10;
  const ph = height - m.top - m.bottom;
  const xTicks = niceTicks(0, extent(xs, 0, 1)[1]);
  const yTicks = niceTicks(...extent(ys, 0, 1));
  const [x0, x1] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const px = (x: number) => (m.left + ((x - x0) / (x1 - x0)) * pw).toFixed(1);
  const py = (y: number) => (m.top + ph - ((y - y0) / (y1 - y0)) * ph).toFixed(1);

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600">${escapeXml(title)}</text>`);
  for (const t of yTicks) {
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${py(t)}" y2="${py(t)}" stroke="#e6e6e6"/>`);
    parts.push(`<text class="y-tick" x="${m.left - 8}" y="${py(t)}" text-anchor="end" dominant-baseline="middle" fill="#444">${formatTick(t)}</text>`);
  }
  for (const t of xTicks) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    parts.push(`<text class="x-tick" x="${px(t)}" y="${m.top + ph + 18}" text-anchor="middle" fill="#444">${formatTick(t)}</text>`);
  }
  parts.push(`<rect class="plot-area" x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${height - 14}" text-anchor="middle" fill="#222">${escapeXml(xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(yLabel)}</text>`);
  parts.push(key.svg);
  return { parts, px, py };
}
