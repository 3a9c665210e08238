/**
 * The log dumps of a training run not yet handed to its TensorBoardWriter,
 * kept as numbers in one growable Float64Array:
 *
 *   step | wall time (s) | n | n x (tag id, value)
 *
 * A dump on the training loop stores a few doubles and touches no encoder,
 * no Map and no object (the loop has just run the network and evicted all of
 * that from the caches); the writer encodes the queued dumps in one batch at
 * the next flush, every few seconds.
 */
import type { TensorBoardWriter } from "../io/tensorboard-writer.ts";

export class ScalarQueue {
  private data = new Float64Array(1024);
  private len = 0;
  /** Where the count of the event begun last lies. */
  private countAt = -1;
  private readonly tags: string[] = [];
  private readonly ids = new Map<string, number>();
  /** `pairsOf[n]`: n pairs, reused for each event of n scalars handed to the writer (which copies what it is given). */
  private readonly pairsOf: [tag: string, value: number][][] = [];

  /** `fixedTags[i]` gets the id i: a dump of those passes constants, with no lookup. */
  constructor(fixedTags: readonly string[]) {
    for (const tag of fixedTags) this.id(tag);
  }

  /** The id of `tag`, given the first time it is seen. */
  id(tag: string): number {
    let id = this.ids.get(tag);
    if (id === undefined) {
      id = this.tags.push(tag) - 1;
      this.ids.set(tag, id);
    }
    return id;
  }

  /** Starts an event at `step`, stamped `wallTime` (seconds since the epoch); `add` fills it. */
  begin(step: number, wallTime: number): void {
    this.ensure(3);
    this.data[this.len] = step;
    this.data[this.len + 1] = wallTime;
    this.data[(this.countAt = this.len + 2)] = 0;
    this.len += 3;
  }

  /** Adds the scalar `value` of tag `id` to the event begun last. */
  add(id: number, value: number): void {
    this.ensure(2);
    this.data[this.len] = id;
    this.data[this.len + 1] = value;
    this.len += 2;
    this.data[this.countAt]!++;
  }

  /** Hands every queued event to `writer`, in order, and empties the queue. */
  drainTo(writer: TensorBoardWriter): void {
    const { data, tags, pairsOf, len } = this;
    // Emptied first: a writer that throws (closed by its owner) does not get the same events again.
    this.len = 0;
    for (let at = 0; at < len; ) {
      const step = data[at]!;
      const wallTime = data[at + 1]!;
      const n = data[at + 2]!;
      at += 3;
      const pairs = (pairsOf[n] ??= Array.from({ length: n }, () => ["", 0]));
      for (let i = 0; i < n; i++, at += 2) {
        const pair = pairs[i]!;
        pair[0] = tags[data[at]!]!;
        pair[1] = data[at + 1]!;
      }
      writer.addScalars(step, pairs, wallTime);
    }
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.data.length) return;
    const grown = new Float64Array(2 * (this.len + extra));
    grown.set(this.data.subarray(0, this.len));
    this.data = grown;
  }
}
