/**
 * Jump Catch: Catch (examples/catch) where the paddle is told which column to
 * jump to, and can only reach its own column or a neighbour: of the `width`
 * actions, at most three are legal in any state. A game with illegal moves,
 * which it handles one of two ways:
 *
 * - "mask": the env gives the legal moves in `info.actionMask` (1 per legal
 *   column) and refuses an illegal one (throws), as a board game's rules do;
 * - "punish": an illegal move is a foul: reward -1 and the game ends, the way
 *   an agent without masks is usually taught the rules.
 *
 * Observation: Box(0, 1, [3]) = [ball column, ball row, paddle column], each
 * scaled to [0, 1]. Actions: Discrete(width) = the column to jump to.
 * Reward: +1 for a catch, -1 for a miss (or a foul), 0 while the ball falls.
 */
import { Box, Discrete, type Env, type ResetArgs, type ResetResult, type StepResult } from "deepq";
import { mulberry32 } from "../mulberry32.ts";

export type IllegalMoves = "mask" | "punish";

export class JumpCatchEnv implements Env {
  readonly width = 7;
  readonly height = 6;
  readonly observationSpace = new Box(0, 1, [3]);
  readonly actionSpace = new Discrete(this.width);
  ballX = 0;
  ballY = 0;
  paddleX = 0;
  private random: () => number = mulberry32(Date.now() >>> 0);

  constructor(readonly illegalMoves: IllegalMoves) {}

  reset({ seed }: ResetArgs = {}): ResetResult {
    if (seed !== undefined && seed !== null) this.random = mulberry32(Number(seed));
    this.ballX = Math.floor(this.random() * this.width);
    this.ballY = 0;
    this.paddleX = Math.floor(this.random() * this.width);
    return { observation: this.observation(), info: this.info() };
  }

  /** 1 for each column the paddle can reach: its own and its neighbours. */
  legalMoves(): Uint8Array {
    return Uint8Array.from({ length: this.width }, (_, x) => (Math.abs(x - this.paddleX) <= 1 ? 1 : 0));
  }

  step(action: number): StepResult {
    if (!this.actionSpace.contains(action)) throw new RangeError(`Jump Catch: action must be a column in [0, ${this.width - 1}]; got ${action}`);
    if (!this.legalMoves()[action]) {
      if (this.illegalMoves === "mask") throw new RangeError(`Jump Catch: column ${action} is out of the paddle's reach (it is at ${this.paddleX})`);
      return { observation: this.observation(), reward: -1, terminated: true, truncated: false, info: {} };
    }
    this.paddleX = action;
    this.ballY++;
    const terminated = this.ballY === this.height - 1;
    const reward = terminated ? (this.ballX === this.paddleX ? 1 : -1) : 0;
    return { observation: this.observation(), reward, terminated, truncated: false, info: this.info() };
  }

  private info(): { actionMask?: Uint8Array } {
    return this.illegalMoves === "mask" ? { actionMask: this.legalMoves() } : {};
  }

  private observation(): Float32Array {
    return Float32Array.of(this.ballX / (this.width - 1), this.ballY / (this.height - 1), this.paddleX / (this.width - 1));
  }
}
