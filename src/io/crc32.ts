/**
 * Table-driven CRC-32s (reflected, init and final XOR 0xffffffff): IEEE 802.3
 * (zlib, PNG; deepq's save files) and Castagnoli's CRC-32C (TFRecord framing
 * of TensorBoard event files). Both detect every single-byte error and every
 * burst up to 32 bits.
 */
const tables = new Map<number, Uint32Array>();

/**
 * Eight 256-entry tables (slicing-by-8): table k maps a byte to its CRC
 * after k more zero bytes, so that eight bytes are folded per step with
 * eight lookups instead of eight dependent ones.
 */
function tablesFor(polynomial: number): Uint32Array {
  let t = tables.get(polynomial);
  if (t) return t;
  t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!;
  tables.set(polynomial, t);
  return t;
}

function crc(polynomial: number, bytes: Uint8Array, start: number, end: number): number {
  const t = tablesFor(polynomial);
  let c = ~0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^
      t[512 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320). */
export function crc32(bytes: Uint8Array): number {
  return crc(0xedb88320, bytes, 0, bytes.length);
}

/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as TensorFlow's
 * crc32c::Value, of `bytes[start, end)`: a record's CRCs are taken where it
 * lies in a writer's buffer, with no view made per record.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc(0x82f63b78, bytes, start, end);
}

/**
 * TensorFlow's crc32c::Mask: rotated right by 15 bits plus a constant, so
 * that a CRC stored inside CRC-checked data does not weaken the outer check.
 */
export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const c = crc32c(bytes, start, end);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}
