/**
 * Learning curves as standalone SVG (no dependencies, readable in any
 * browser or image viewer): per-episode returns as faint points, their
 * rolling mean over 100 episodes as a line, greedy evaluations as markers
 * with ±std whiskers, labelled axes with nice ticks, and a legend.
 */

export interface CurveSeries {
  label: string;
  /** Episode ends: timestep at which the episode finished and its return. */
  episodes: ReadonlyArray<{ timestep: number; return: number }>;
  /** Greedy evaluations (mean ± std of returns). */
  evals?: ReadonlyArray<{ timestep: number; mean: number; std: number }>;
}

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Window of the rolling mean (episodes). */
  window?: number;
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

/** Round tick positions covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
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

export function learningCurveSvg(series: readonly CurveSeries[], options: PlotOptions = {}): string {
  const { title = "Learning curve", xLabel = "timesteps", yLabel = "episode return", width = 800, height = 480, window = 100 } = options;
  const m = { left: 70, right: 20, top: 40, bottom: 56 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const xs = series.flatMap((s) => [...s.episodes.map((e) => e.timestep), ...(s.evals ?? []).map((e) => e.timestep)]);
  const ys = series.flatMap((s) => [...s.episodes.map((e) => e.return), ...(s.evals ?? []).flatMap((e) => [e.mean - e.std, e.mean + e.std])]);
  const xTicks = niceTicks(0, Math.max(1, ...xs));
  const yTicks = niceTicks(Math.min(0, ...ys), Math.max(1, ...ys));
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
    parts.push(`<text x="${m.left - 8}" y="${py(t)}" text-anchor="end" dominant-baseline="middle" fill="#444">${formatTick(t)}</text>`);
  }
  for (const t of xTicks) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${px(t)}" y="${m.top + ph + 18}" text-anchor="middle" fill="#444">${formatTick(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${height - 14}" text-anchor="middle" fill="#222">${escapeXml(xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(yLabel)}</text>`);

  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const cls = `series-${k}`;
    parts.push(`<g class="${cls}">`);
    if (s.episodes.length) {
      const dots = s.episodes.map((e) => `M${px(e.timestep)} ${py(e.return)}h0`).join("");
      parts.push(`<path class="episodes" d="${dots}" stroke="${color}" stroke-opacity="0.3" stroke-width="3" stroke-linecap="round"/>`);
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

  // Legend: one entry per series, plus what the marks mean.
  const entries = series.map((s, k) => ({ label: s.label, color: PALETTE[k % PALETTE.length]! }));
  const lx = m.left + 12;
  let ly = m.top + 14;
  parts.push(`<g class="legend"><rect x="${lx - 6}" y="${ly - 12}" width="230" height="${entries.length * 18 + 42}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`);
  for (const e of entries) {
    parts.push(`<line x1="${lx}" x2="${lx + 20}" y1="${ly}" y2="${ly}" stroke="${e.color}" stroke-width="2.2"/><text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(e.label)}</text>`);
    ly += 18;
  }
  parts.push(`<circle cx="${lx + 4}" cy="${ly}" r="2" fill="#888"/><text x="${lx + 26}" y="${ly}" dominant-baseline="middle" fill="#555">episode return · line: mean of last ${window}</text>`);
  ly += 18;
  parts.push(`<circle cx="${lx + 10}" cy="${ly}" r="4" fill="#fff" stroke="#888" stroke-width="2"/><text x="${lx + 26}" y="${ly}" dominant-baseline="middle" fill="#555">greedy evaluation (mean ± std)</text></g>`);
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}
