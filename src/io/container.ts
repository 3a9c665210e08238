/**
 * deepq's save-file container: a small, versioned, checksummed binary format
 * holding a JSON header and named typed arrays (float32 by default; float64,
 * int32 and uint8 for replay state, which must round-trip bit for bit).
 *
 *   offset  size  field
 *   0       8     magic  0x89 "DEEPQ" 0x0D 0x0A  (a non-ASCII first byte and a
 *                 CR LF catch text-mode transfers, as PNG's signature does)
 *   8       4     format version, u32 little-endian
 *   12      4     header length H in bytes, u32 LE
 *   16      H     header: UTF-8 JSON { meta, arrays: [{ name, length, dtype? }] }
 *   16+H    pad   zero bytes up to a multiple of 4
 *   ...           the arrays' data, little-endian, in header order, packed
 *   end-4   4     CRC-32 of every byte before it
 *
 * `dtype` is "f64", "i32" or "u8"; absent means float32. Version 1 files hold
 * only float32 arrays; a file with another dtype is written as version 2, so
 * an older deepq refuses it by version instead of misreading it.
 *
 * Readers check, in order: length, magic, version (a newer version gets its
 * own message), checksum, then header consistency; any failure is a
 * FormatError and nothing is returned.
 */
import { FormatError } from "../errors.ts";
import { crc32 } from "./crc32.ts";

export const MAGIC = new Uint8Array([0x89, 0x44, 0x45, 0x45, 0x50, 0x51, 0x0d, 0x0a]);
/** The newest format this version reads (and writes when an array is not float32). */
export const FORMAT_VERSION = 2;

/** The typed arrays a container holds. */
export type ContainerArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface Container {
  meta: Record<string, unknown>;
  arrays: Record<string, ContainerArray>;
}

type Dtype = "f32" | "f64" | "i32" | "u8";
const DTYPES: Record<Dtype, { bytes: number; make: (n: number) => ContainerArray; get: (v: DataView, at: number) => number; set: (v: DataView, at: number, x: number) => void }> = {
  f32: { bytes: 4, make: (n) => new Float32Array(n), get: (v, at) => v.getFloat32(at, true), set: (v, at, x) => v.setFloat32(at, x, true) },
  f64: { bytes: 8, make: (n) => new Float64Array(n), get: (v, at) => v.getFloat64(at, true), set: (v, at, x) => v.setFloat64(at, x, true) },
  i32: { bytes: 4, make: (n) => new Int32Array(n), get: (v, at) => v.getInt32(at, true), set: (v, at, x) => v.setInt32(at, x, true) },
  u8: { bytes: 1, make: (n) => new Uint8Array(n), get: (v, at) => v.getUint8(at), set: (v, at, x) => v.setUint8(at, x) },
};

function dtypeOf(a: ContainerArray): Dtype {
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Int32Array) return "i32";
  return "u8";
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeContainer({ meta, arrays }: Container): Uint8Array<ArrayBuffer> {
  const names = Object.keys(arrays);
  const dtypes = names.map((k) => dtypeOf(arrays[k]!));
  const entries = names.map((name, i) => ({ name, length: arrays[name]!.length, ...(dtypes[i] === "f32" ? {} : { dtype: dtypes[i] }) }));
  const header = new TextEncoder().encode(JSON.stringify({ meta, arrays: entries }));
  const dataStart = 16 + Math.ceil(header.length / 4) * 4;
  const dataBytes = names.reduce((n, k) => n + arrays[k]!.byteLength, 0);
  const out = new Uint8Array(dataStart + dataBytes + 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, dtypes.every((d) => d === "f32") ? 1 : 2, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  let at = dataStart;
  names.forEach((name, k) => {
    const a = arrays[name]!;
    const t = DTYPES[dtypes[k]!];
    if (littleEndian) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    else for (let i = 0; i < a.length; i++) t.set(view, at + t.bytes * i, a[i]!);
    at += a.byteLength;
  });
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
  const arrays: Record<string, ContainerArray> = Object.create(null);
  let at = dataStart;
  for (const entry of header.arrays as unknown[]) {
    const { name, length, dtype = "f32" } = (entry ?? {}) as { name?: unknown; length?: unknown; dtype?: unknown };
    const t = Object.hasOwn(DTYPES, dtype as string) && (version > 1 || dtype === "f32") ? DTYPES[dtype as Dtype] : undefined;
    if (typeof name !== "string" || !t || typeof length !== "number" || !Number.isInteger(length) || length < 0 || at + length * t.bytes > end || Object.hasOwn(arrays, name)) {
      throw new FormatError("corrupted deepq save file: array table is inconsistent");
    }
    const a = t.make(length);
    if (littleEndian) new Uint8Array(a.buffer).set(bytes.subarray(at, at + a.byteLength));
    else for (let i = 0; i < length; i++) a[i] = t.get(view, at + t.bytes * i);
    arrays[name] = a;
    at += a.byteLength;
  }
  if (at !== end) throw new FormatError("corrupted deepq save file: data length does not match the array table");
  return { meta: header.meta as Record<string, unknown>, arrays };
}
