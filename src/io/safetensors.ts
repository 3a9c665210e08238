/**
 * safetensors (https://github.com/huggingface/safetensors) reading and
 * writing: an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }`,
 * then the raw little-endian tensor data (offsets relative to its start).
 * Reads F32, F16, BF16 and F64 into Float32Array; writes F32.
 */
import { FormatError } from "../errors.ts";

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** IEEE half precision -> number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decodeData(view: DataView, at: number, dtype: string, count: number): Float32Array {
  const out = new Float32Array(count);
  const bf = new Float32Array(1);
  const bfBits = new Uint32Array(bf.buffer);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case "F32":
        out[i] = view.getFloat32(at + 4 * i, true);
        break;
      case "F64":
        out[i] = view.getFloat64(at + 8 * i, true);
        break;
      case "F16":
        out[i] = halfToFloat(view.getUint16(at + 2 * i, true));
        break;
      default: // BF16: the top half of a float32
        bfBits[0] = view.getUint16(at + 2 * i, true) << 16;
        out[i] = bf[0]!;
    }
  }
  return out;
}

/** Parses a safetensors file. Every inconsistency is a FormatError naming the tensor. */
export function readSafetensors(bytes: Uint8Array): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new FormatError(`not a safetensors file: ${bytes.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) throw new FormatError(`safetensors header length ${n} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new FormatError("safetensors header is not valid UTF-8 JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new FormatError("safetensors header is not a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) {
      throw new FormatError(`tensor ${JSON.stringify(name)} has dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(DTYPE_BYTES).join(", ")}`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new FormatError(`tensor ${JSON.stringify(name)} has an invalid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      throw new FormatError(`tensor ${JSON.stringify(name)} has invalid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength) throw new FormatError(`tensor ${JSON.stringify(name)} data [${begin}, ${end}) runs past the end of the data (${dataLength} bytes; truncated?)`);
    if (end - begin !== count * DTYPE_BYTES[dtype]!) throw new FormatError(`tensor ${JSON.stringify(name)}: ${end - begin} bytes do not hold shape [${shape}] of ${dtype}`);
    tensors.set(name, { shape: shape as number[], data: decodeData(view, dataStart + begin, dtype, count) });
  }
  return { tensors, metadata };
}

/** Writes float32 tensors (in the given order) as a safetensors file. */
export function writeSafetensors(tensors: Array<[string, Tensor]>, metadata: Record<string, string> = {}): Uint8Array<ArrayBuffer> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const [, t] of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i]!, true);
    at += t.data.length * 4;
  }
  return out;
}
