/**
 * Draws the classic-control envs in a terminal from their float64 state:
 * CartPole's cart and pole, Acrobot's two links and target line, and
 * MountainCar's valley, car and flag. {@link renderEnv} picks by env id.
 */
const TRACK_HALF = 2.4;

export function renderCartPole(state: ArrayLike<number>, cols = 61, rows = 9): string {
  const x = state[0]!;
  const theta = state[2]!;
  const grid = Array.from({ length: rows }, () => Array<string>(cols).fill(" "));
  const base = rows - 2;
  const cx = Math.round(((x + TRACK_HALF) / (2 * TRACK_HALF)) * (cols - 1));
  for (let c = 0; c < cols; c++) grid[rows - 1]![c] = "─";
  for (let c = cx - 3; c <= cx + 3; c++) if (c >= 0 && c < cols) grid[base]![c] = "█";
  // The pole: a unit-length segment from the cart's top, drawn in character cells
  // (cells are about twice as tall as wide, hence the 2x horizontal scale).
  const len = base - 1;
  for (let k = 1; k <= len * 4; k++) {
    const t = k / 4;
    const r = Math.round(base - 1 - t * Math.cos(theta));
    const c = Math.round(cx + 2 * t * Math.sin(theta));
    if (r >= 0 && r < base && c >= 0 && c < cols) grid[r]![c] = "●";
  }
  return grid.map((row) => row.join("")).join("\n") + `\n x=${x.toFixed(3)}  θ=${((theta * 180) / Math.PI).toFixed(2)}°`;
}

/** A blank grid of `rows` x `cols` cells. */
function grid(cols: number, rows: number): string[][] {
  return Array.from({ length: rows }, () => Array<string>(cols).fill(" "));
}

/** Marks the cells of the segment from (r0, c0) to (r1, c1). */
function segment(g: string[][], r0: number, c0: number, r1: number, c1: number, mark: string): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(r1 - r0), Math.abs(c1 - c0)) * 2));
  for (let k = 0; k <= steps; k++) {
    const r = Math.round(r0 + ((r1 - r0) * k) / steps);
    const c = Math.round(c0 + ((c1 - c0) * k) / steps);
    if (g[r]?.[c] !== undefined) g[r]![c] = mark;
  }
}

/**
 * Acrobot from [theta1, theta2, dtheta1, dtheta2]: the pivot, both links
 * (angles from straight down, theta2 relative to the first link) and the
 * line the tip must rise above (one link length over the pivot).
 */
export function renderAcrobot(state: ArrayLike<number>, rows = 17): string {
  const t1 = state[0]!;
  const t2 = state[1]!;
  const unit = (rows - 1) / 4.4; // rows per link length: 2.2 lengths either side of the pivot
  const cols = Math.round(rows * 4.4);
  const g = grid(cols, rows);
  const pr = (rows - 1) / 2;
  const pc = (cols - 1) / 2;
  const target = Math.round(pr - unit);
  for (let c = 0; c < cols; c++) g[target]![c] = "┄";
  // Rows grow downward; cells are about twice as tall as wide.
  const r1 = pr + unit * Math.cos(t1);
  const c1 = pc + 2 * unit * Math.sin(t1);
  const r2 = r1 + unit * Math.cos(t1 + t2);
  const c2 = c1 + 2 * unit * Math.sin(t1 + t2);
  segment(g, pr, pc, r1, c1, "█");
  segment(g, r1, c1, r2, c2, "▓");
  g[Math.round(pr)]![Math.round(pc)] = "◉";
  if (g[Math.round(r1)]?.[Math.round(c1)] !== undefined) g[Math.round(r1)]![Math.round(c1)] = "●";
  const height = -Math.cos(t1) - Math.cos(t1 + t2);
  return g.map((row) => row.join("")).join("\n") + `\n θ1=${((t1 * 180) / Math.PI).toFixed(1)}°  θ2=${((t2 * 180) / Math.PI).toFixed(1)}°  tip height ${height.toFixed(2)} (goal > 1)`;
}

/** MountainCar from [position, velocity]: the valley y = sin(3x), the car and the flag at x = 0.5. */
export function renderMountainCar(state: ArrayLike<number>, cols = 61, rows = 12): string {
  const x = state[0]!;
  const v = state[1]!;
  const g = grid(cols, rows);
  const col = (p: number) => Math.round(((p + 1.2) / 1.8) * (cols - 1));
  // Three rows of headroom for the car and the flag.
  const row = (p: number) => Math.round((1 - (Math.sin(3 * p) + 1) / 2) * (rows - 4)) + 3;
  for (let c = 0; c < cols; c++) g[row(-1.2 + (1.8 * c) / (cols - 1))]![c] = "·";
  const fc = col(0.5);
  const fr = row(0.5);
  for (let r = Math.max(0, fr - 2); r < fr; r++) g[r]![fc] = "│";
  if (fr - 2 >= 0 && fc + 1 < cols) g[fr - 2]![fc + 1] = "▶";
  const cr = row(x);
  const cc = col(x);
  g[Math.max(0, cr - 1)]![cc] = "█";
  return g.map((line) => line.join("")).join("\n") + `\n x=${x.toFixed(3)}  v=${v.toFixed(4)}`;
}

/** The drawing for env `id` (CartPole's for an unknown id). */
export function renderEnv(id: string, state: ArrayLike<number>): string {
  if (id.startsWith("Acrobot")) return renderAcrobot(state);
  if (id.startsWith("MountainCar")) return renderMountainCar(state);
  return renderCartPole(state);
}
