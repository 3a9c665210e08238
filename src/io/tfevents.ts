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
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** An `Event`: the file-version header, or scalar summary values at a step (proto3: a zero step is left out). */
export function encodeEvent(e: { wallTime: number; step?: number; fileVersion?: string; scalars?: Iterable<readonly [tag: string, value: number]> }): Uint8Array {
  const w = new ProtoWriter().double(1, e.wallTime);
  if (e.step) w.varint(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion);
  if (e.scalars) {
    const scalars = e.scalars;
    w.message(5, (summary) => {
      for (const [tag, value] of scalars) summary.message(1, (v) => v.string(1, tag).float(2, value));
    });
  }
  return w.finish();
}
