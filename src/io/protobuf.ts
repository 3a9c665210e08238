/**
 * A minimal protocol-buffers encoder (proto3 wire format), enough to write the
 * messages deepq exports: TensorBoard's `Event`/`Summary` and ONNX's
 * `ModelProto`. Fields are written in call order; nested messages are built by
 * a callback on a child writer, so their length prefix is known when written.
 */
const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

const utf8 = new TextEncoder();
/** Scratch for float and double bytes, shared: every write is synchronous. */
const view8 = new DataView(new ArrayBuffer(8));
const scratch8 = new Uint8Array(view8.buffer);
const scratch4 = scratch8.subarray(0, 4);

export class ProtoWriter {
  private buf: Uint8Array;
  private len = 0;

  /** `capacity`: the bytes expected, so that a writer of a known message size allocates once. */
  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  /** An unsigned or non-negative integer field (`uint32`, `uint64`, `int64` >= 0, `enum`, `bool`). */
  varint(field: number, value: number | bigint | boolean): this {
    this.tag(field, WireType.Varint);
    if (typeof value === "boolean") this.smallVarint(value ? 1 : 0);
    else if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) this.smallVarint(value);
    else this.rawVarint(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  /** A `double` field (little-endian IEEE 754, 8 bytes). */
  double(field: number, value: number): this {
    this.tag(field, WireType.Fixed64);
    view8.setFloat64(0, value, true);
    this.raw(scratch8);
    return this;
  }

  /** A `float` field (little-endian IEEE 754, 4 bytes). */
  float(field: number, value: number): this {
    this.tag(field, WireType.Fixed32);
    view8.setFloat32(0, value, true);
    this.raw(scratch4);
    return this;
  }

  /** A `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LengthDelimited);
    this.smallVarint(value.length);
    this.raw(value);
    return this;
  }

  /** A `string` field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /**
   * The tag and length of a length-delimited field whose `length` bytes the
   * caller writes next (`append`, `float`, ...): a small nested message of
   * known size without a child writer.
   */
  lengthDelimited(field: number, length: number): this {
    this.tag(field, WireType.LengthDelimited);
    this.smallVarint(length);
    return this;
  }

  /** Encoded bytes as they are (a field encoded once and reused). */
  append(bytes: Uint8Array): this {
    this.raw(bytes);
    return this;
  }

  /** A nested message field, written by `build` on a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const child = new ProtoWriter();
    build(child);
    return this.bytes(field, child.finish());
  }

  /** The bytes written so far. */
  get length(): number {
    return this.len;
  }

  /** Empties the writer for another message, keeping its buffer. */
  clear(): this {
    this.len = 0;
    return this;
  }

  /** The encoded bytes without a copy: valid until the writer's next write or clear. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** The encoded bytes (a copy; the writer can go on). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private tag(field: number, wire: WireType): void {
    this.smallVarint(field * 8 + wire);
  }

  /** A varint of a safe non-negative integer, in number arithmetic (no BigInt on the common path). */
  private smallVarint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  private rawVarint(v: bigint): void {
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      this.ensure(1);
      this.buf[this.len++] = v === 0n ? byte : byte | 0x80;
    } while (v !== 0n);
  }

  private raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
