import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { readSafetensors, writeSafetensors } from "../src/io/safetensors.ts";
import { fromTorchTensors, naturalCompare, toTorchTensors } from "../src/nn/torch-layout.ts";
import { initParams, layerShapes } from "../src/nn/spec.ts";
import { FormatError } from "../src/errors.ts";

const fixture = new Uint8Array(readFileSync(new URL("./fixtures/torch-qnet/seed-qnet.safetensors", import.meta.url)));
const golden = JSON.parse(readFileSync(new URL("./fixtures/torch-qnet/seed-qnet.json", import.meta.url), "utf8"));

/** Plain float64 forward pass over the canonical layout, for checking conversions. */
function forward(spec: ReturnType<typeof fromTorchTensors>["spec"], p: Float32Array, x: number[]): number[] {
  let h = x;
  const layers = layerShapes(spec);
  const dense = (l: (typeof layers)[number], v: number[]) =>
    Array.from({ length: l.outSize }, (_, j) => v.reduce((s, vi, i) => s + vi * p[l.offset + i * l.outSize + j]!, p[l.offset + l.inSize * l.outSize + j]!));
  const trunk = spec.dueling ? layers.slice(0, -2) : layers.slice(0, -1);
  for (const l of trunk) h = dense(l, h).map((v) => Math.max(0, v));
  if (!spec.dueling) return dense(layers[layers.length - 1]!, h);
  const v = dense(layers[layers.length - 2]!, h)[0]!;
  const a = dense(layers[layers.length - 1]!, h);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  return a.map((ai) => v + ai - mean);
}

describe("safetensors and the PyTorch layout", () => {
  it("natural order puts layers.10 after layers.9", () => {
    expect(["layers.10", "layers.9", "layers.1", "a"].sort(naturalCompare)).toEqual(["a", "layers.1", "layers.9", "layers.10"]);
  });

  it("reads the PyTorch seed Q-network and reproduces its Q-values", () => {
    const { tensors, metadata } = readSafetensors(fixture);
    expect(metadata.format).toBe("pt");
    const { spec, params } = fromTorchTensors(tensors, 4);
    expect([spec.observationSize, ...spec.hidden, spec.nActions]).toEqual(golden.architecture);
    golden.inputs.forEach((x: number[], i: number) => {
      const q = forward(spec, params, x);
      q.forEach((v, j) => expect(Math.abs(v - golden.q_values[i][j])).toBeLessThan(1e-5));
    });
  });

  it("round-trips export -> read for plain and dueling networks, with custom names", () => {
    for (const spec of [
      { observationSize: 4, nActions: 2, hidden: [8, 6], dueling: false },
      { observationSize: 3, nActions: 5, hidden: [7], dueling: true },
      { observationSize: 2, nActions: 3, hidden: Array(11).fill(4), dueling: false },
    ]) {
      const params = initParams(spec, 7);
      const bytes = writeSafetensors(toTorchTensors(spec, params));
      const back = fromTorchTensors(readSafetensors(bytes).tensors);
      expect(back.spec).toEqual(spec);
      expect(Array.from(back.params)).toEqual(Array.from(params));
    }
    const spec = { observationSize: 4, nActions: 2, hidden: [3], dueling: false };
    const named = toTorchTensors(spec, initParams(spec, 1), ["fc1", "fc_out"]).map(([n]) => n);
    expect(named).toEqual(["fc1.weight", "fc1.bias", "fc_out.weight", "fc_out.bias"]);
  });

  it("rejects truncation, bad header length, unsupported dtype and shapes that do not chain", () => {
    expect(() => readSafetensors(fixture.slice(0, fixture.length - 1))).toThrow(FormatError);
    expect(() => readSafetensors(fixture.slice(0, 5))).toThrow(FormatError);
    const long = fixture.slice();
    new DataView(long.buffer).setBigUint64(0, BigInt(fixture.length), true);
    expect(() => readSafetensors(long)).toThrow(/past the end/);
    const enc = (h: object, dataBytes: number) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    expect(() => readSafetensors(enc({ w: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, 8))).toThrow(/dtype/);
    const unchained = enc(
      { "a.weight": { dtype: "F32", shape: [3, 4], data_offsets: [0, 48] }, "b.weight": { dtype: "F32", shape: [2, 5], data_offsets: [48, 88] } },
      88,
    );
    expect(() => fromTorchTensors(readSafetensors(unchained).tensors, 4)).toThrow(/do not chain/);
    expect(() => fromTorchTensors(readSafetensors(unchained).tensors, 6)).toThrow(/observation size/);
  });

  it("reads F16 and BF16 tensors", () => {
    const json = new TextEncoder().encode(JSON.stringify({ h: { dtype: "F16", shape: [2], data_offsets: [0, 4] }, b: { dtype: "BF16", shape: [1], data_offsets: [4, 6] } }));
    const out = new Uint8Array(8 + json.length + 6);
    const v = new DataView(out.buffer);
    v.setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    v.setUint16(8 + json.length, 0x3c00, true); // 1.0
    v.setUint16(10 + json.length, 0xc000, true); // -2.0
    v.setUint16(12 + json.length, 0x4049, true); // bf16 3.140625
    const { tensors } = readSafetensors(out);
    expect(Array.from(tensors.get("h")!.data)).toEqual([1, -2]);
    expect(tensors.get("b")!.data[0]).toBe(3.140625);
  });
});
