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
 *
 * A writer appends event bodies back to back to one ProtoWriter as they come
 * and frames them all when it hands them out: an event costs no allocation
 * once that buffer has grown, and no JavaScript object outlives the call
 * that adds it.
 */
import { maskedCrc32c } from "./crc32.ts";
import { ProtoWriter } from "./protobuf.ts";

/** The first event of every file names the format version (TensorFlow's EventsWriter writes the same). */
export const FILE_VERSION = "brain.Event:2";

/** One TFRecord around `data`. */
export function frameRecord(data: Uint8Array): Uint8Array {
  return frameRecords(data, [data.length]);
}

/** The TFRecords of event bodies lying back to back in `bodies`, the i-th ending at `ends[i]`. */
export function frameRecords(bodies: Uint8Array, ends: readonly number[]): Uint8Array {
  const out = new Uint8Array((ends.length > 0 ? ends[ends.length - 1]! : 0) + 16 * ends.length);
  const view = new DataView(out.buffer);
  let at = 0;
  let start = 0;
  for (const end of ends) {
    const n = end - start;
    // uint64 length: event records are far below 2^32 bytes, so the high word is 0.
    view.setUint32(at, n, true);
    view.setUint32(at + 4, 0, true);
    view.setUint32(at + 8, maskedCrc32c(out, at, at + 8), true);
    out.set(bodies.subarray(start, end), at + 12);
    view.setUint32(at + 12 + n, maskedCrc32c(bodies, start, end), true);
    at += 16 + n;
    start = end;
  }
  return out;
}

/** Appends the file-version `Event` that opens every event file. */
export function writeVersionEvent(w: ProtoWriter, wallTime: number): void {
  w.double(1, wallTime).string(3, FILE_VERSION);
}

/**
 * Appends an `Event` of scalar summary values at `step` (proto3: a zero step
 * is left out): `tags[i]` holds `values[i]` for i < count, stored as float32.
 */
export function writeScalarEvent(w: ProtoWriter, wallTime: number, step: number, tags: readonly string[], values: readonly number[], count: number): void {
  let summaryLength = 0;
  for (let i = 0; i < count; i++) summaryLength += (prefixes[i] = valuePrefix(tags[i]!)).length + 5;
  w.double(1, wallTime);
  if (step) w.varint(2, step);
  w.lengthDelimited(5, summaryLength);
  for (let i = 0; i < count; i++) w.append(prefixes[i]!).float(2, values[i]!);
}
/** The value prefixes of the event being written (looked up once the Summary's length is known). */
const prefixes: Uint8Array[] = [];

/**
 * A `Value` of `tag` up to its float: the Summary's field 1 tag and length,
 * then `string tag = 1`. A run logs the same few tags at every dump, so each
 * is encoded once: a value then costs a copy and a float, not a UTF-8 encode.
 */
function valuePrefix(tag: string): Uint8Array {
  let prefix = valuePrefixes.get(tag);
  if (!prefix) {
    if (valuePrefixes.size >= MAX_CACHED_TAGS) valuePrefixes.clear();
    const field = new ProtoWriter().string(1, tag).finish();
    // Value { string tag = 1; float simple_value = 2; }: the tag field, then 5 bytes of float field.
    prefix = new ProtoWriter(field.length + 8).lengthDelimited(1, field.length + 5).append(field).finish();
    valuePrefixes.set(tag, prefix);
  }
  return prefix;
}
const valuePrefixes = new Map<string, Uint8Array>();
const MAX_CACHED_TAGS = 1024;
