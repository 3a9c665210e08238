/**
 * TensorBoard event files written in plain JavaScript, for every runtime:
 * `DQN.create(env, { tensorboardLog: writer })` logs training into one, and
 * `writer.bytes()` is the file, to download or post where there is no file
 * system (browsers, workers, workerd). With `tensorboardLog: "runs/"` deepq
 * writes the same records to a file instead (src/io/event-file.ts).
 */
import { InvalidArgumentError } from "../errors.ts";
import { checkInt, checkKnownKeys, checkOptions } from "../validate.ts";
import { encodeRecords, eventBytes, FILE_VERSION, type EventData } from "./tfevents.ts";

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
  /** Records not yet handed to `write` (all of them without it). */
  private pending: Uint8Array[] = [];
  /** Events added since the last `bytes()`, encoded there: adding one costs no encoding on the training loop. */
  private queued: EventData[] = [];
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
    this.queued.push({ wallTime: now, fileVersion: FILE_VERSION });
  }

  /** One scalar at `step`, as `SummaryWriter.add_scalar(tag, value, step)`. */
  addScalar(tag: string, value: number, step: number): void {
    this.addScalars(step, [[tag, value]]);
  }

  /** Several scalars at `step`, in one event. Values are stored as float32 (`simple_value`). */
  addScalars(step: number, scalars: Iterable<readonly [tag: string, value: number]>): void {
    if (this.closed) throw new InvalidArgumentError("writer", "closed", "an open TensorBoardWriter (close() was called)");
    checkInt("step", step, { min: 0 });
    const list = [...scalars];
    for (const [tag, value] of list) {
      if (typeof tag !== "string" || tag === "") throw new InvalidArgumentError("tag", tag, "a non-empty string such as \"rollout/ep_rew_mean\"");
      if (typeof value !== "number") throw new InvalidArgumentError(`value of ${tag}`, value, "a number");
    }
    if (list.length === 0) return;
    this.queued.push({ wallTime: Date.now() / 1000, step, scalars: list });
  }

  /** The records not yet handed to `write` (without `write`: the whole file so far). */
  bytes(): Uint8Array {
    if (this.queued.length > 0) {
      this.pending.push(encodeRecords(this.queued, eventBytes));
      this.queued = [];
    }
    if (this.pending.length > 1) {
      const joined = new Uint8Array(this.pending.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of this.pending) {
        joined.set(c, at);
        at += c.length;
      }
      this.pending = [joined];
    }
    return (this.pending[0] ?? new Uint8Array(0)).slice();
  }

  /** Hands the pending records to `write` (nothing to do without it). */
  flush(): void {
    if (!this.write || (this.pending.length === 0 && this.queued.length === 0)) return;
    const chunk = this.bytes();
    this.pending = [];
    this.write(chunk);
  }

  /** Flushes; later `addScalar` calls throw. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
