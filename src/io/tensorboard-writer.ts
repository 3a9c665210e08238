/**
 * TensorBoard event files written in plain JavaScript, for every runtime:
 * `DQN.create(env, { tensorboardLog: writer })` logs training into one, and
 * `writer.bytes()` is the file, to download or post where there is no file
 * system (browsers, workers, workerd). With `tensorboardLog: "runs/"` deepq
 * writes the same records to a file instead (src/io/event-file.ts).
 */
import { InvalidArgumentError } from "../errors.ts";
import { checkInt, checkKnownKeys, checkNumber, checkOptions } from "../validate.ts";
import { ProtoWriter } from "./protobuf.ts";
import { frameRecords, writeScalarEvent, writeVersionEvent } from "./tfevents.ts";

/** Options of `new TensorBoardWriter`. */
export interface TensorBoardWriterOptions {
  /** The host named in `fileName` (default "localhost"; deepq's file logging passes the machine's name). */
  host?: string;
  /**
   * Receives the records at each `flush()` and `close()`, which the writer
   * then forgets (to stream a long run to a file or a server). Without it
   * the writer keeps every record and `bytes()` is the whole file.
   */
  write?: (chunk: Uint8Array) => void;
}

/**
 * An event file of scalars, as PyTorch's `SummaryWriter` / tensorboardX
 * write them: the first record names the format ("brain.Event:2"), then one
 * `Event` per step with `Summary.Value { tag, simple_value }`s.
 */
export class TensorBoardWriter {
  /** `events.out.tfevents.<seconds>.<host>`, the name TensorBoard (and SB3, PyTorch) give event files. */
  readonly fileName: string;
  /**
   * The events not yet handed to `write` (all of them without it), encoded
   * back to back as they are added, framed as records by `bytes()`; `ends`
   * marks where each ends.
   */
  private readonly events = new ProtoWriter(4096);
  private readonly ends: number[] = [];
  /** An event's scalars, gathered and checked before a byte of it is written; reused, so that adding one allocates nothing. */
  private readonly tags: string[] = [];
  private readonly values: number[] = [];
  private readonly write: ((chunk: Uint8Array) => void) | undefined;
  private closed = false;

  constructor(options: TensorBoardWriterOptions = {}) {
    const o = checkOptions("options", options) as TensorBoardWriterOptions;
    checkKnownKeys("options", o, ["host", "write"]);
    const host = o.host ?? "localhost";
    if (typeof host !== "string" || !/^[\w.-]+$/.test(host)) throw new InvalidArgumentError("options.host", host, "a host name (letters, digits, '.', '_', '-')");
    if (o.write !== undefined && typeof o.write !== "function") throw new InvalidArgumentError("options.write", o.write, "a function (chunk: Uint8Array) => void");
    this.write = o.write;
    const now = Date.now() / 1000;
    this.fileName = `events.out.tfevents.${Math.floor(now)}.${host}`;
    writeVersionEvent(this.events, now);
    this.ends.push(this.events.length);
  }

  /**
   * One scalar at `step`, as `SummaryWriter.add_scalar(tag, value, step,
   * walltime)`: `wallTime` in seconds since the epoch, now by default.
   */
  addScalar(tag: string, value: number, step: number, wallTime?: number): void {
    this.addScalars(step, [[tag, value]], wallTime);
  }

  /** Several scalars at `step`, in one event (stamped `wallTime`, as in `addScalar`). Values are stored as float32 (`simple_value`). */
  addScalars(step: number, scalars: Iterable<readonly [tag: string, value: number]>, wallTime?: number): void {
    if (this.closed) throw new InvalidArgumentError("writer", "closed", "an open TensorBoardWriter (close() was called)");
    checkInt("step", step, { min: 0 });
    if (wallTime !== undefined) checkNumber("wallTime", wallTime, { min: 0 });
    const { tags, values } = this;
    let n = 0;
    for (const [tag, value] of scalars) {
      if (typeof tag !== "string" || tag === "") throw new InvalidArgumentError("tag", tag, "a non-empty string such as \"rollout/ep_rew_mean\"");
      if (typeof value !== "number") throw new InvalidArgumentError(`value of ${tag}`, value, "a number");
      tags[n] = tag;
      values[n++] = value;
    }
    if (n === 0) return;
    writeScalarEvent(this.events, wallTime ?? Date.now() / 1000, step, tags, values, n);
    this.ends.push(this.events.length);
  }

  /** The records not yet handed to `write` (without `write`: the whole file so far). */
  bytes(): Uint8Array {
    return frameRecords(this.events.view(), this.ends);
  }

  /** Hands the pending records to `write` (nothing to do without it). */
  flush(): void {
    if (!this.write || this.ends.length === 0) return;
    const chunk = this.bytes();
    this.events.clear();
    this.ends.length = 0;
    this.write(chunk);
  }

  /** Flushes; later `addScalar` calls throw. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
