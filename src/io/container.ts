/**
 * deepq's save-file container: a small, versioned, checksummed binary format
 * holding a JSON header and named float32 arrays.
 *
 *   offset  size  field
 *   0       8     magic  0x89 "DEEPQ" 0x0D 0x0A  (a non-ASCII first byte and a
 *                 CR LF catch text-mode transfers, as PNG's signature does)
 *   8       4     format version, u32 little-endian
 *   12      4     header length H in bytes, u32 LE
 *   16      H     header: UTF-8 JSON { meta, arrays: [{ name, length }] }
 *   16+H    pad   zero bytes up to a multiple of 4
 *   ...           the arrays' float32 data, little-endian, in header order
 *   end-4   4     CRC-32 of every byte before it
 *
 * Readers check, in order: length, magic, version (a newer version gets its
 * own message), checksum, then header consistency; any failure is a
 * FormatError and nothing is returned.
 */
import { FormatError } from "../errors.ts";
import { crc32 } from "./crc32.ts";

export const MAGIC = new Uint8Array([0x89, 0x44, 0x45, 0x45, 0x50, 0x51, 0x0d, 0x0a]);
export const FORMAT_VERSION = 1;

export interface Container {
  meta: Record<string, unknown>;
  arrays: Record<string, Float32Array>;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeContainer({ meta, arrays }: Container): Uint8Array<ArrayBuffer> {
  const names = Object.keys(arrays);
  const header = new TextEncoder().encode(JSON.stringify({ meta, arrays: names.map((name) => ({ name, length: arrays[name]!.length })) }));
  const dataStart = 16 + Math.ceil(header.length / 4) * 4;
  const dataBytes = names.reduce((n, k) => n + arrays[k]!.length * 4, 0);
  const out = new Uint8Array(dataStart + dataBytes + 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  let at = dataStart;
  for (const name of names) {
    const a = arrays[name]!;
    if (littleEndian) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    else for (let i = 0; i < a.length; i++) view.setFloat32(at + 4 * i, a[i]!, true);
    at += a.byteLength;
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

/** True when `bytes` starts with deepq's magic (a cheap format sniff). */
export function isContainer(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

export function decodeContainer(bytes: unknown): Container {
  if (!(bytes instanceof Uint8Array)) throw new FormatError(`a deepq save file must be a Uint8Array; got ${bytes === null ? "null" : typeof bytes}`);
  if (bytes.length < 20) throw new FormatError(`not a deepq save file: ${bytes.length} bytes is shorter than the 20-byte minimum (truncated?)`);
  if (!isContainer(bytes)) throw new FormatError("not a deepq save file: wrong magic bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version > FORMAT_VERSION) {
    throw new FormatError(`this save file uses format version ${version}, written by a newer deepq; this version reads format ${FORMAT_VERSION}. Upgrade deepq to load it.`);
  }
  if (version < 1) throw new FormatError(`corrupted deepq save file: format version ${version} does not exist`);
  const end = bytes.length - 4;
  if (view.getUint32(end, true) !== crc32(bytes.subarray(0, end))) {
    throw new FormatError("corrupted or truncated deepq save file: checksum mismatch");
  }
  const headerLength = view.getUint32(12, true);
  const dataStart = 16 + Math.ceil(headerLength / 4) * 4;
  if (dataStart > end) throw new FormatError("corrupted deepq save file: header length runs past the end");
  let header: { meta?: unknown; arrays?: unknown };
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(16, 16 + headerLength)));
  } catch {
    throw new FormatError("corrupted deepq save file: header is not valid UTF-8 JSON");
  }
  if (typeof header !== "object" || header === null || typeof header.meta !== "object" || header.meta === null || !Array.isArray(header.arrays)) {
    throw new FormatError("corrupted deepq save file: header lacks meta or arrays");
  }
  const arrays: Record<string, Float32Array> = {};
  let at = dataStart;
  for (const entry of header.arrays as unknown[]) {
    const { name, length } = (entry ?? {}) as { name?: unknown; length?: unknown };
    if (typeof name !== "string" || typeof length !== "number" || !Number.isInteger(length) || length < 0 || at + length * 4 > end || name in arrays) {
      throw new FormatError("corrupted deepq save file: array table is inconsistent");
    }
    const a = new Float32Array(length);
    for (let i = 0; i < length; i++) a[i] = view.getFloat32(at + 4 * i, true);
    arrays[name] = a;
    at += length * 4;
  }
  if (at !== end) throw new FormatError("corrupted deepq save file: data length does not match the array table");
  return { meta: header.meta as Record<string, unknown>, arrays };
}
