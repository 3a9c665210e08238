/**
 * Snake on a small square board, written as a custom deepq `Env`
 * (Gymnasium's interface) the way a grid game exposes itself to an agent,
 * with the board as tfjs-examples' snake-dqn shows it to its conv net.
 *
 * Observation: Box(0, 1, [size, size, 2]), channels-last, cell (row, col)
 * channel ch at `(row * size + col) * 2 + ch`. Channel 0 is the snake: 1 at
 * the head, fading along the body towards 0.5 at the tail, so the heading
 * (the neck is the brightest neighbour) and the order of the body can be
 * read from one frame. Channel 1 is 1 on the food.
 * Actions: Discrete(3), relative to the heading: 0 turn left, 1 straight,
 * 2 turn right (snake-dqn's set; a reverse move cannot be asked for).
 * Rewards: +1 for food (the snake grows by one), -1 for hitting a wall or
 * the body (terminated), -0.01 for any other step. Filling the board
 * terminates the episode too. Truncated after `starveSteps` steps without food,
 * so a policy that circles forever still ends its episodes.
 */
import { Box, Discrete, InvalidArgumentError, InvalidStateError, type Env, type ResetArgs, type ResetResult, type StepResult } from "deepq";
import { mulberry32 } from "../mulberry32.ts";

export interface SnakeOptions {
  /** Board side (default 9, snake-dqn's board). */
  size?: number;
  /** Steps without food before the episode is truncated (default 2 * size * size). */
  starveSteps?: number;
}

/** Rewards, exported so that tests and plots read the same numbers. */
export const SNAKE_REWARDS = { food: 1, death: -1, step: -0.01 } as const;

/** Row and column offsets of the headings: up, right, down, left (clockwise, so +1 turns right). */
const DR = [-1, 0, 1, 0];
const DC = [0, 1, 0, -1];

export class SnakeEnv implements Env {
  readonly size: number;
  readonly starveSteps: number;
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(3);
  /** Body cells as `row * size + col`, head first (a game or a test may arrange a position by setting it, `heading` and `food` after reset). */
  body: number[] = [];
  /** 0 up, 1 right, 2 down, 3 left. */
  heading = 0;
  food = -1;
  /** Food eaten this episode. */
  eaten = 0;
  private sinceFood = 0;
  private over = true;
  private random: () => number = mulberry32(Date.now() >>> 0);

  constructor({ size = 9, starveSteps = 2 * size * size }: SnakeOptions = {}) {
    if (!Number.isInteger(size) || size < 4 || size > 64) throw new InvalidArgumentError("options.size", size, "an integer in [4, 64]");
    if (!Number.isInteger(starveSteps) || starveSteps < 1) throw new InvalidArgumentError("options.starveSteps", starveSteps, "an integer >= 1");
    this.size = size;
    this.starveSteps = starveSteps;
    this.observationSpace = new Box(0, 1, [size, size, 2]);
  }

  /** A snake of length 2 somewhere off the walls, heading anywhere, and one food. */
  reset({ seed }: ResetArgs = {}): ResetResult {
    if (seed !== undefined && seed !== null) this.random = mulberry32(Number(seed));
    const n = this.size;
    // The head keeps one cell from every wall, so the neck fits behind it whatever the heading.
    const row = 1 + this.pick(n - 2);
    const col = 1 + this.pick(n - 2);
    this.heading = this.pick(4);
    this.body = [row * n + col, (row - DR[this.heading]!) * n + (col - DC[this.heading]!)];
    this.placeFood();
    this.eaten = 0;
    this.sinceFood = 0;
    this.over = false;
    return { observation: this.observation(), info: { eaten: 0, length: 2 } };
  }

  step(action: number): StepResult {
    if (!this.actionSpace.contains(action)) throw new InvalidArgumentError("action", action, "0 (turn left), 1 (straight) or 2 (turn right)");
    if (this.over) throw new InvalidStateError("Snake: the episode is over (or never began); call reset() before step()");
    const n = this.size;
    this.heading = (this.heading + action + 3) % 4;
    const row = Math.floor(this.body[0]! / n) + DR[this.heading]!;
    const col = (this.body[0]! % n) + DC[this.heading]!;
    const cell = row * n + col;
    const eats = cell === this.food;
    // The tail moves out of its cell this step unless the snake grows, so the head may take it.
    const body = eats ? this.body : this.body.slice(0, -1);
    const hits = row < 0 || row >= n || col < 0 || col >= n || body.includes(cell);
    let reward: number = SNAKE_REWARDS.step;
    let terminated = false;
    if (hits) {
      reward = SNAKE_REWARDS.death;
      terminated = true;
    } else {
      if (!eats) this.body.pop();
      this.body.unshift(cell);
      this.sinceFood++;
      if (eats) {
        reward = SNAKE_REWARDS.food;
        this.eaten++;
        this.sinceFood = 0;
        terminated = !this.placeFood(); // a full board: nothing left to eat
      }
    }
    const truncated = !terminated && this.sinceFood >= this.starveSteps;
    this.over = terminated || truncated;
    return { observation: this.observation(), reward, terminated, truncated, info: { eaten: this.eaten, length: this.body.length } };
  }

  /** The board as text: `H` the head, `o` the body, `*` the food. */
  render(): string {
    const n = this.size;
    const rows: string[] = [];
    for (let r = 0; r < n; r++) {
      let line = "";
      for (let c = 0; c < n; c++) {
        const cell = r * n + c;
        line += cell === this.body[0] ? "H" : this.body.includes(cell) ? "o" : cell === this.food ? "*" : ".";
      }
      rows.push(line);
    }
    return rows.join("\n");
  }

  /** Puts the food on a free cell, uniformly; false when the snake fills the board. */
  private placeFood(): boolean {
    const cells = this.size * this.size;
    const occupied = new Uint8Array(cells);
    for (const cell of this.body) occupied[cell] = 1;
    const free = cells - this.body.length;
    if (free === 0) {
      this.food = -1;
      return false;
    }
    let k = this.pick(free);
    for (let cell = 0; cell < cells; cell++) {
      if (occupied[cell]) continue;
      if (k-- === 0) {
        this.food = cell;
        break;
      }
    }
    return true;
  }

  private pick(count: number): number {
    return Math.floor(this.random() * count);
  }

  private observation(): Float32Array {
    const obs = new Float32Array(this.size * this.size * 2);
    const len = this.body.length;
    this.body.forEach((cell, i) => (obs[cell * 2] = 1 - (0.5 * i) / Math.max(1, len - 1)));
    if (this.food >= 0) obs[this.food * 2 + 1] = 1;
    return obs;
  }
}
