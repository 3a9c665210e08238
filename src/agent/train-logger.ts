/**
 * Stable-Baselines3's training scalars, written to TensorBoard while `learn`
 * runs, under SB3's tags and at its steps (env timesteps):
 *
 *   every `logInterval`-th episode (SB3's `_dump_logs`): rollout/ep_rew_mean,
 *     rollout/ep_len_mean (last 100 episodes), rollout/exploration_rate,
 *     time/fps, and once training has begun train/loss, train/learning_rate;
 *   after each periodic evaluation (SB3's EvalCallback): eval/mean_reward,
 *     eval/mean_ep_length.
 *
 * Values a callback records with `event.logger.record(tag, value)` go out
 * with the next of these, as SB3's `self.logger.record`. Records are buffered
 * and written every few seconds and when `learn` ends, off the training loop.
 */
import { InvalidArgumentError } from "../errors.ts";
import type { TensorBoardWriter } from "../io/tensorboard-writer.ts";

/** What a `learn` callback gets as `event.logger`: SB3's `self.logger.record`. */
export interface TrainLog {
  /** Records a scalar, written at the next log dump (a later record of the same tag replaces it). */
  record(tag: string, value: number): void;
}

/** What an episode end tells the logger. */
export interface EpisodeEnd {
  timesteps: number;
  episodes: number;
  meanReturn100: number;
  epsilon: number;
  loss: number;
  stepsPerSecond: number;
}

const WINDOW = 100;
const FLUSH_MS = 2000;

/** One per agent; `open` starts writing a `learn` call's run, `close` ends it. */
export class TrainLogger implements TrainLog {
  private readonly values = new Map<string, number>();
  /** The last WINDOW episode lengths (a ring) and their sum: integers, so the running sum stays exact. */
  private readonly lengths = new Float64Array(WINDOW);
  private lengthCount = 0;
  private lengthSum = 0;
  private out: { writer: TensorBoardWriter; close: () => void } | undefined;
  private interval = 4;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Starts a run on `writer` (`close` ends it), dumping every `logInterval` episodes. */
  open(out: { writer: TensorBoardWriter; close: () => void } | undefined, logInterval: number): void {
    this.close();
    this.out = out;
    this.interval = logInterval;
    if (!out) return;
    this.timer = setInterval(() => out.writer.flush(), FLUSH_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  record(tag: string, value: number): void {
    if (typeof tag !== "string" || tag === "") throw new InvalidArgumentError("tag", tag, 'a non-empty string such as "custom/score"');
    if (typeof value !== "number") throw new InvalidArgumentError(`value of ${tag}`, value, "a number");
    if (this.out) this.values.set(tag, value);
  }

  /** After the callback of an episode end; `learningRate` is the step size in force. */
  episodeEnd(e: EpisodeEnd, episodeLength: number, learningRate: () => number): void {
    if (!this.out) return;
    const at = this.lengthCount++ % WINDOW;
    this.lengthSum += episodeLength - this.lengths[at]!;
    this.lengths[at] = episodeLength;
    if (e.episodes % this.interval !== 0) return;
    this.values.set("rollout/ep_rew_mean", e.meanReturn100);
    this.values.set("rollout/ep_len_mean", this.lengthSum / Math.min(this.lengthCount, WINDOW));
    this.values.set("rollout/exploration_rate", e.epsilon);
    this.values.set("time/fps", Math.floor(e.stepsPerSecond));
    if (Number.isFinite(e.loss)) {
      this.values.set("train/learning_rate", learningRate());
      this.values.set("train/loss", e.loss);
    }
    this.dump(e.timesteps);
  }

  /** After the callback of a periodic evaluation. */
  evaluated(timesteps: number, returns: readonly number[], lengths: readonly number[]): void {
    if (!this.out) return;
    this.values.set("eval/mean_reward", returns.reduce((a, b) => a + b, 0) / returns.length);
    this.values.set("eval/mean_ep_length", lengths.reduce((a, b) => a + b, 0) / lengths.length);
    this.dump(timesteps);
  }

  /** Writes what is buffered and ends the run (the file is closed; a TensorBoardWriter given by the user stays open). */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const out = this.out;
    this.out = undefined;
    this.values.clear();
    out?.close();
  }

  private dump(step: number): void {
    this.out!.writer.addScalars(step, this.values);
    this.values.clear();
  }
}
