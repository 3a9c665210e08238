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
 * with the next of these, as SB3's `self.logger.record` (SB3's own value of
 * a tag wins, as its dump records it last). A dump only queues numbers
 * (src/agent/scalar-queue.ts); they are encoded and written when a dump
 * finds the last write 2 s old, and when `learn` ends: no timer, so a write
 * that fails throws inside `learn`.
 */
import { InvalidArgumentError } from "../errors.ts";
import { openRunWriter } from "../io/event-file.ts";
import type { TensorBoardWriter } from "../io/tensorboard-writer.ts";
import { ScalarQueue } from "./scalar-queue.ts";

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

/** What `open` logs: a `learn` call's run. */
export interface LogRun {
  /** Where: a folder (a new run folder in it, SB3's numbering) or a writer; none logs nothing. */
  target: string | TensorBoardWriter | undefined;
  /** The run folder's name before `_<n>` (SB3's tb_log_name). */
  name: string;
  /** Continue the folder's last run (SB3's `reset_num_timesteps=False`). */
  resume: boolean;
  /** Dump every this many episodes (SB3's log_interval). */
  logInterval: number;
  /** The step size in force, read only at a dump. */
  learningRate: () => number;
}

const WINDOW = 100;
const FLUSH_MS = 2000;

/** SB3's scalars; `Tag` gives each its queue id. */
const SB3_TAGS = ["rollout/ep_rew_mean", "rollout/ep_len_mean", "rollout/exploration_rate", "time/fps", "train/learning_rate", "train/loss", "eval/mean_reward", "eval/mean_ep_length"];
const enum Tag {
  EpRewMean,
  EpLenMean,
  ExplorationRate,
  Fps,
  LearningRate,
  Loss,
  EvalMeanReward,
  EvalMeanEpLength,
}

/** One per agent; `open` starts writing a `learn` call's run, `close` ends it. */
export class TrainLogger implements TrainLog {
  /** What callbacks recorded since the last dump (rare: a Map). */
  private readonly custom = new Map<string, number>();
  private readonly queue = new ScalarQueue(SB3_TAGS);
  /** The SB3 tags (bits by `Tag`) of the dump being queued, which callbacks' values of the same tags give way to. */
  private sb3InDump = 0;
  /** The last WINDOW episode lengths (a ring) and their sum: integers, so the running sum stays exact. */
  private readonly lengths = new Float64Array(WINDOW);
  private lengthCount = 0;
  private lengthSum = 0;
  private out: { writer: TensorBoardWriter; close: () => void } | undefined;
  private interval = 4;
  private learningRate: () => number = () => NaN;
  /** Date.now() of the last write. */
  private flushedAt = 0;

  /**
   * Starts `run` (`close` ends it). A folder that cannot be created or
   * written fails here with an InvalidArgumentError naming
   * options.tensorboardLog, before training.
   */
  open(run: LogRun): void {
    this.close();
    const { target } = run;
    this.out = typeof target === "string" ? openRunWriter(target, run.name, run.resume, "options.tensorboardLog") : target && { writer: target, close: () => target.flush() };
    this.interval = run.logInterval;
    this.learningRate = run.learningRate;
    this.flushedAt = Date.now();
  }

  record(tag: string, value: number): void {
    if (typeof tag !== "string" || tag === "") throw new InvalidArgumentError("tag", tag, 'a non-empty string such as "custom/score"');
    if (typeof value !== "number") throw new InvalidArgumentError(`value of ${tag}`, value, "a number");
    if (this.out) this.custom.set(tag, value);
  }

  /** After the callback of an episode end. */
  episodeEnd(e: EpisodeEnd, episodeLength: number): void {
    if (!this.out) return;
    const at = this.lengthCount++ % WINDOW;
    this.lengthSum += episodeLength - this.lengths[at]!;
    this.lengths[at] = episodeLength;
    if (e.episodes % this.interval !== 0) return;
    const now = this.begin(e.timesteps);
    this.put(Tag.EpRewMean, e.meanReturn100);
    this.put(Tag.EpLenMean, this.lengthSum / Math.min(this.lengthCount, WINDOW));
    this.put(Tag.ExplorationRate, e.epsilon);
    this.put(Tag.Fps, Math.floor(e.stepsPerSecond));
    if (Number.isFinite(e.loss)) {
      this.put(Tag.LearningRate, this.learningRate());
      this.put(Tag.Loss, e.loss);
    }
    this.end(now);
  }

  /** After the callback of a periodic evaluation. */
  evaluated(timesteps: number, returns: readonly number[], lengths: readonly number[]): void {
    if (!this.out) return;
    const now = this.begin(timesteps);
    this.put(Tag.EvalMeanReward, returns.reduce((a, b) => a + b, 0) / returns.length);
    this.put(Tag.EvalMeanEpLength, lengths.reduce((a, b) => a + b, 0) / lengths.length);
    this.end(now);
  }

  /** Writes what is queued and ends the run (the file is closed; a TensorBoardWriter given by the user stays open). */
  close(): void {
    const out = this.out;
    this.out = undefined;
    this.custom.clear();
    if (!out) return;
    try {
      this.queue.drainTo(out.writer);
    } finally {
      out.close();
    }
  }

  /** Queues a dump at `step`; returns the time it is stamped with. */
  private begin(step: number): number {
    const now = Date.now();
    this.queue.begin(step, now / 1000);
    this.sb3InDump = 0;
    return now;
  }

  private put(tag: Tag, value: number): void {
    this.queue.add(tag, value);
    this.sb3InDump |= 1 << tag;
  }

  /** Adds what callbacks recorded to the dump begun at `now`; writes the queue when the last write is FLUSH_MS old. */
  private end(now: number): void {
    if (this.custom.size > 0) {
      for (const [tag, value] of this.custom) {
        const id = this.queue.id(tag);
        if (id >= SB3_TAGS.length || !(this.sb3InDump & (1 << id))) this.queue.add(id, value);
      }
      this.custom.clear();
    }
    if (now - this.flushedAt < FLUSH_MS) return;
    this.flushedAt = now;
    this.queue.drainTo(this.out!.writer);
    this.out!.writer.flush();
  }
}
