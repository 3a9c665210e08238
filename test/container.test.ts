import { describe, expect, it } from "vitest";
import { decodeContainer, encodeContainer, FORMAT_VERSION } from "../src/io/container.ts";
import { crc32 } from "../src/io/crc32.ts";
import { FormatError } from "../src/errors.ts";

const sample = () =>
  encodeContainer({
    meta: { kind: "test", timestep: 42, nested: { a: [1, 2] } },
    arrays: { params: new Float32Array([1.5, -2, 3e-8, Math.fround(Math.PI)]), empty: new Float32Array(0), adam: new Float32Array([7]) },
  });

/** Bit patterns a JSON or float32 detour would lose: -0, infinities, a subnormal, a NaN payload, extreme integers. */
const f64 = new Float64Array([-0, Infinity, -Infinity, 5e-324, Math.PI, 1 / 3]);
new DataView(f64.buffer).setUint32(0, 0x7ff80000 | 0x1234, true);
const typed = () =>
  encodeContainer({
    meta: { kind: "typed" },
    arrays: { leaves: f64, lanes: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0]), flags: new Uint8Array([0, 0x83, 0xff]), obs: new Float32Array([-0, 1e-45]) },
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

  it("round-trips float64, int32 and uint8 arrays bit for bit, as format version 2", () => {
    const bytes = typed();
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(2);
    const { arrays } = decodeContainer(bytes);
    expect(arrays.leaves).toBeInstanceOf(Float64Array);
    expect(new Uint8Array(arrays.leaves!.buffer)).toEqual(new Uint8Array(f64.buffer));
    expect(arrays.lanes).toEqual(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0]));
    expect(arrays.flags).toEqual(new Uint8Array([0, 0x83, 0xff]));
    expect(Object.is(arrays.obs![0], -0)).toBe(true);
    // Only-float32 files stay version 1, readable by older deepq.
    expect(new DataView(sample().buffer).getUint32(8, true)).toBe(1);
  });

  it("rejects a dtype in a version 1 file, an unknown dtype and array names from Object.prototype", () => {
    const withHeader = (version: number, entries: unknown[], data: number[]) => {
      const header = new TextEncoder().encode(JSON.stringify({ meta: {}, arrays: entries }));
      const start = 16 + Math.ceil(header.length / 4) * 4;
      const out = new Uint8Array(start + data.length + 4);
      const view = new DataView(out.buffer);
      out.set([0x89, 0x44, 0x45, 0x45, 0x50, 0x51, 0x0d, 0x0a]);
      view.setUint32(8, version, true);
      view.setUint32(12, header.length, true);
      out.set(header, 16);
      out.set(data, start);
      view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
      return out;
    };
    expect(decodeContainer(withHeader(2, [{ name: "a", length: 4, dtype: "u8" }], [1, 2, 3, 4])).arrays.a).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(() => decodeContainer(withHeader(1, [{ name: "a", length: 4, dtype: "u8" }], [1, 2, 3, 4]))).toThrow(/array table/);
    expect(() => decodeContainer(withHeader(2, [{ name: "a", length: 1, dtype: "f16" }], [1, 2, 3, 4]))).toThrow(/array table/);
    expect(() => decodeContainer(withHeader(2, [{ name: "a", length: 4, dtype: "toString" }], [1, 2, 3, 4]))).toThrow(/array table/);
    const proto = decodeContainer(withHeader(2, [{ name: "__proto__", length: 4, dtype: "u8" }], [1, 2, 3, 4])).arrays;
    expect(Object.getPrototypeOf(proto)).toBe(null);
    expect(Object.keys(proto)).toEqual(["__proto__"]);
  });

  it("rejects every single-byte corruption and every truncation", () => {
    for (const good of [sample(), typed()]) {
      for (let i = 0; i < good.length; i++) {
        for (const flip of [0x01, 0x80, 0xff]) {
          const bad = good.slice();
          bad[i]! ^= flip;
          expect(() => decodeContainer(bad), `byte ${i} ^ ${flip}`).toThrow(FormatError);
        }
      }
      for (let n = 0; n < good.length; n++) expect(() => decodeContainer(good.slice(0, n)), `length ${n}`).toThrow(FormatError);
    }
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
