import { describe, expect, it } from "vitest";
import { ProtoWriter } from "../src/io/protobuf.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// Expected bytes are the examples of the protocol-buffers encoding guide
// (varint 150 in field 1 = 08 96 01; string "testing" in field 2).
describe("ProtoWriter", () => {
  it("varints: 150, 0, 1 << 40, -1 as a 64-bit two's complement, bools", () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe("089601");
    expect(hex(new ProtoWriter().varint(1, 0).finish())).toBe("0800");
    expect(hex(new ProtoWriter().varint(2, 2 ** 40).finish())).toBe("10808080808020");
    expect(hex(new ProtoWriter().varint(1, -1).finish())).toBe("08ffffffffffffffffff01");
    expect(hex(new ProtoWriter().varint(3, true).finish())).toBe("1801");
  });

  it("length-delimited: strings, bytes and nested messages", () => {
    expect(hex(new ProtoWriter().string(2, "testing").finish())).toBe("120774657374696e67");
    expect(hex(new ProtoWriter().bytes(4, new Uint8Array([1, 2, 3])).finish())).toBe("2203010203");
    expect(hex(new ProtoWriter().message(3, (w) => w.varint(1, 150)).finish())).toBe("1a03089601");
  });

  it("fixed-width floats and doubles, little-endian", () => {
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe("150000803f");
    expect(hex(new ProtoWriter().double(1, 1.5).finish())).toBe("09000000000000f83f");
  });

  it("grows past its first buffer and keeps every byte", () => {
    const big = new Uint8Array(1000).map((_, i) => i & 0xff);
    const out = new ProtoWriter().varint(1, 7).bytes(2, big).finish();
    expect(out.length).toBe(2 + 3 + 1000);
    expect(Array.from(out.subarray(5))).toEqual(Array.from(big));
  });
});
