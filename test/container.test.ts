import { describe, expect, it } from "vitest";
import { decodeContainer, encodeContainer, FORMAT_VERSION } from "../src/io/container.ts";
import { crc32 } from "../src/io/crc32.ts";
import { FormatError } from "../src/errors.ts";

const sample = () =>
  encodeContainer({
    meta: { kind: "test", timestep: 42, nested: { a: [1, 2] } },
    arrays: { params: new Float32Array([1.5, -2, 3e-8, Math.fround(Math.PI)]), empty: new Float32Array(0), adam: new Float32Array([7]) },
  });

describe("save-file container", () => {
  it("crc32 matches the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("round-trips meta and arrays exactly", () => {
    const { meta, arrays } = decodeContainer(sample());
    expect(meta).toEqual({ kind: "test", timestep: 42, nested: { a: [1, 2] } });
    expect(Array.from(arrays.params!)).toEqual([1.5, -2, Math.fround(3e-8), Math.fround(Math.PI)]);
    expect(arrays.empty!.length).toBe(0);
    expect(Array.from(arrays.adam!)).toEqual([7]);
  });

  it("rejects every single-byte corruption and every truncation", () => {
    const good = sample();
    for (let i = 0; i < good.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = good.slice();
        bad[i]! ^= flip;
        expect(() => decodeContainer(bad), `byte ${i} ^ ${flip}`).toThrow(FormatError);
      }
    }
    for (let n = 0; n < good.length; n++) expect(() => decodeContainer(good.slice(0, n)), `length ${n}`).toThrow(FormatError);
  });

  it("names a newer format version", () => {
    const bytes = sample();
    new DataView(bytes.buffer).setUint32(8, FORMAT_VERSION + 1, true);
    expect(() => decodeContainer(bytes)).toThrow(/newer deepq/);
  });

  it("rejects foreign bytes and non-bytes", () => {
    expect(() => decodeContainer(new TextEncoder().encode("{\"hello\": \"world\", \"padding\": 1234567}"))).toThrow(/magic/);
    expect(() => decodeContainer("abc")).toThrow(FormatError);
    expect(() => decodeContainer(null)).toThrow(FormatError);
  });
});
