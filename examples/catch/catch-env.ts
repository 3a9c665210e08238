/**
 * Catch: a ball falls from the top of a small grid, one row per step, and
 * a paddle on the bottom row moves left, stays or moves right to catch it.
 * Written as a custom deepq `Env` (Gymnasium's interface), the way a game
 * exposes itself to an agent.
 *
 * Observation: Box(0, 1, [3]) = [ball column, ball row, paddle column], each
 * scaled to [0, 1]. Actions: Discrete(3) = 0 left, 1 stay, 2 right.
 * Reward: +1 for a catch, -1 for a miss, 0 while the ball falls; the episode
 * terminates when the ball reaches the bottom row (height - 1 steps).
 */
import { Box, Discrete, type Env, type ResetArgs, type ResetResult, type StepResult } from "deepq";
import { mulberry32 } from "../mulberry32.ts";

export interface CatchOptions {
  /** Columns (default 5). */
  width?: number;
  /** Rows, the paddle's included (default 6): the paddle gets height - 1 moves. */
  height?: number;
}

export class CatchEnv implements Env {
  readonly width: number;
  readonly height: number;
  readonly observationSpace = new Box(0, 1, [3]);
  readonly actionSpace = new Discrete(3);
  ballX = 0;
  ballY = 0;
  paddleX = 0;
  private random: () => number = mulberry32(Date.now() >>> 0);

  constructor({ width = 5, height = 6 }: CatchOptions = {}) {
    this.width = width;
    this.height = height;
  }

  reset({ seed }: ResetArgs = {}): ResetResult {
    if (seed !== undefined && seed !== null) this.random = mulberry32(Number(seed));
    this.ballX = Math.floor(this.random() * this.width);
    this.ballY = 0;
    this.paddleX = Math.floor(this.random() * this.width);
    return { observation: this.observation(), info: {} };
  }

  step(action: number): StepResult {
    if (!this.actionSpace.contains(action)) throw new RangeError(`Catch: action must be 0, 1 or 2; got ${action}`);
    this.paddleX = Math.min(this.width - 1, Math.max(0, this.paddleX + action - 1));
    this.ballY++;
    const terminated = this.ballY === this.height - 1;
    const reward = terminated ? (this.ballX === this.paddleX ? 1 : -1) : 0;
    return { observation: this.observation(), reward, terminated, truncated: false, info: {} };
  }

  /** The grid as text: `o` the ball, `=` the paddle, `@` a catch. */
  render(): string {
    const rows: string[] = [];
    for (let y = 0; y < this.height; y++) {
      let row = "";
      for (let x = 0; x < this.width; x++) {
        const ball = x === this.ballX && y === this.ballY;
        const paddle = y === this.height - 1 && x === this.paddleX;
        row += ball && paddle ? "@" : ball ? "o" : paddle ? "=" : ".";
      }
      rows.push(row);
    }
    return rows.join("\n");
  }

  private observation(): Float32Array {
    return Float32Array.of(this.ballX / (this.width - 1), this.ballY / (this.height - 1), this.paddleX / (this.width - 1));
  }
}
