/**
 * TensorBoard event files: a sequence of TFRecords, each holding one `Event`
 * protobuf. The framing is TensorFlow's record_writer.cc:
 *
 *   uint64 length | uint32 masked CRC-32C of length | data | uint32 masked CRC-32C of data
 *
 * (little-endian). The fields written are those of tensorflow/core/util/
 * event.proto and tensorflow/core/framework/summary.proto that scalars need:
 *
 *   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }
 *   Value   { string tag = 1; float simple_value = 2; }
 */
import { maskedCrc32c } from "./crc32.ts";
import { ProtoWriter } from "./protobuf.ts";

/** The first event of every file names the format version (TensorFlow's EventsWriter writes the same). */
export const FILE_VERSION = "brain.Event:2";

/** One TFRecord around `data`. */
export function frameRecord(data: Uint8Array): Uint8Array {
  return encodeRecords([data], (d) => d);
}

/** What one `Event` holds (see {@link encodeEvent}). */
export interface EventData {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  scalars?: Iterable<readonly [tag: string, value: number]>;
}

/**
 * The TFRecords of `items` (each encoded by `encode`) in one buffer: a
 * writer's buffered events become one allocation at flush time, not one per
 * event on the training loop.
 */
export function encodeRecords<T>(items: readonly T[], encode: (item: T) => Uint8Array): Uint8Array {
  let out = new Uint8Array(256 * items.length);
  let view = new DataView(out.buffer);
  let at = 0;
  for (const item of items) {
    const data = encode(item);
    if (at + 16 + data.length > out.length) {
      const grown = new Uint8Array(2 * (at + 16 + data.length));
      grown.set(out.subarray(0, at));
      out = grown;
      view = new DataView(out.buffer);
    }
    // uint64 length: event records are far below 2^32 bytes, so the high word is 0.
    view.setUint32(at, data.length, true);
    view.setUint32(at + 4, 0, true);
    view.setUint32(at + 8, maskedCrc32c(out.subarray(at, at + 8)), true);
    out.set(data, at + 12);
    view.setUint32(at + 12 + data.length, maskedCrc32c(data), true);
    at += 16 + data.length;
  }
  return out.slice(0, at);
}

/** Reused by every event (encoding is synchronous): one allocation per event, its bytes. */
const eventWriter = new ProtoWriter(256);
const summaryWriter = new ProtoWriter(256);

/** An `Event`: the file-version header, or scalar summary values at a step (proto3: a zero step is left out). */
export function encodeEvent(e: EventData): Uint8Array {
  return eventBytes(e).slice();
}

/** {@link encodeEvent} in the shared writer's buffer, valid until the next event: what {@link encodeRecords} copies from. */
export function eventBytes(e: EventData): Uint8Array {
  const w = eventWriter.clear().double(1, e.wallTime);
  if (e.step) w.varint(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  if (e.scalars) {
    const summary = summaryWriter.clear();
    for (const [tag, value] of e.scalars) {
      // Value { string tag = 1; float simple_value = 2; }: the tag field, then 5 bytes of float field.
      const field = tagField(tag);
      summary.lengthDelimited(1, field.length + 5).append(field).float(2, value);
    }
    const body = summary.view();
    w.lengthDelimited(5, body.length).append(body);
  }
  return w.view();
}

/**
 * The encoded `tag` field of a `Value`. A run logs the same few tags at
 * every dump, so each is encoded once: a dump then costs copies and floats,
 * not a UTF-8 encode and a nested writer per value.
 */
function tagField(tag: string): Uint8Array {
  let field = tagFields.get(tag);
  if (!field) {
    if (tagFields.size >= MAX_CACHED_TAGS) tagFields.clear();
    field = new ProtoWriter().string(1, tag).finish();
    tagFields.set(tag, field);
  }
  return field;
}
const tagFields = new Map<string, Uint8Array>();
const MAX_CACHED_TAGS = 1024;
