/**
 * Table-driven CRC-32s (reflected, init and final XOR 0xffffffff): IEEE 802.3
 * (zlib, PNG; deepq's save files) and Castagnoli's CRC-32C (TFRecord framing
 * of TensorBoard event files). Both detect every single-byte error and every
 * burst up to 32 bits.
 */
const tables = new Map<number, Uint32Array>();

function tableFor(polynomial: number): Uint32Array {
  let t = tables.get(polynomial);
  if (t) return t;
  t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  tables.set(polynomial, t);
  return t;
}

function crc(polynomial: number, bytes: Uint8Array): number {
  const t = tableFor(polynomial);
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320). */
export function crc32(bytes: Uint8Array): number {
  return crc(0xedb88320, bytes);
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as TensorFlow's crc32c::Value. */
export function crc32c(bytes: Uint8Array): number {
  return crc(0x82f63b78, bytes);
}

/**
 * TensorFlow's crc32c::Mask: rotated right by 15 bits plus a constant, so
 * that a CRC stored inside CRC-checked data does not weaken the outer check.
 */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}
