/**
 * Draws CartPole in a terminal: the track, the cart at its position and the
 * pole at its angle, from the env's float64 state [x, x_dot, theta, theta_dot].
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
