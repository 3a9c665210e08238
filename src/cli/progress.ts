/**
 * Training progress for the CLI: a live one-line bar on a TTY, plain
 * periodic lines otherwise (logs, CI, pipes).
 */
export interface ProgressState {
  timesteps: number;
  total: number;
  episodes: number;
  meanReturn100: number;
  epsilon: number;
  stepsPerSecond: number;
  eval?: { mean: number; std: number } | undefined;
}

const num = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "-");

function eta(s: ProgressState): string {
  if (!(s.stepsPerSecond > 0)) return "-";
  const secs = Math.max(0, Math.round((s.total - s.timesteps) / s.stepsPerSecond));
  return secs >= 60 ? `${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, "0")}s` : `${secs}s`;
}

export function formatProgress(s: ProgressState, width = 24): string {
  const frac = Math.min(1, s.timesteps / Math.max(1, s.total));
  const filled = Math.round(frac * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const ev = s.eval ? ` | eval ${num(s.eval.mean, 1)} ± ${num(s.eval.std, 1)}` : "";
  return `${bar} ${String(Math.round(frac * 100)).padStart(3)}% ${num(s.timesteps)}/${num(s.total)} steps | ep ${num(s.episodes)} | mean100 ${num(s.meanReturn100, 1)} | eps ${s.epsilon.toFixed(3)} | ${num(s.stepsPerSecond)} steps/s | ETA ${eta(s)}${ev}`;
}

export class ProgressReporter {
  private lastPrint = 0;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly tty = Boolean(out.isTTY),
    /** Seconds between plain lines when not a TTY. */
    private readonly interval = 2,
  ) {}

  update(s: ProgressState, force = false): void {
    const now = performance.now();
    if (this.tty) {
      if (!force && now - this.lastPrint < 100) return;
      this.lastPrint = now;
      const cols = this.out.columns ?? 120;
      this.out.write(`\r${formatProgress(s).slice(0, cols - 1)}\x1b[K`);
    } else if (force || now - this.lastPrint >= this.interval * 1000) {
      this.lastPrint = now;
      this.out.write(formatProgress(s, 10) + "\n");
    }
  }

  done(s: ProgressState): void {
    this.update(s, true);
    if (this.tty) this.out.write("\n");
  }
}
