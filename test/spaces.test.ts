import { describe, expect, it } from "vitest";
import { Box, Discrete } from "../src/envs/spaces.ts";
import { InvalidArgumentError } from "../src/errors.ts";

describe("Box", () => {
  it("rounds bounds to float32, broadcasts scalars, infers the shape", () => {
    const b = new Box(-1, 1, [2, 3]);
    expect(b.shape).toEqual([2, 3]);
    expect(b.size).toBe(6);
    expect([...b.high]).toEqual([1, 1, 1, 1, 1, 1]);
    const c = new Box([-0.1, -Infinity], [0.1, Infinity]);
    expect(c.shape).toEqual([2]);
    expect(c.high[0]).toBe(Math.fround(0.1));
    expect(String(c)).toBe("Box([-0.10000000149011612, -inf], [0.10000000149011612, inf], (2,), float32)");
  });

  it("contains arrays of the right size within bounds, never NaN", () => {
    const b = new Box([-1, -Infinity], [1, Infinity]);
    expect(b.contains([0, 1e30])).toBe(true);
    expect(b.contains(new Float32Array([1, -5]))).toBe(true);
    expect(b.contains(new Float64Array([1.5, 0]))).toBe(false);
    expect(b.contains([0, NaN])).toBe(false);
    expect(b.contains([0])).toBe(false);
    expect(b.contains([0, "1"])).toBe(false);
    expect(b.contains(0)).toBe(false);
  });

  it("samples inside the box (uniform, exponential, normal), reproducibly after seed()", () => {
    const b = new Box([-2, 0, -Infinity, -Infinity], [3, Infinity, 5, Infinity]);
    b.seed(4);
    const first = b.sample();
    for (let i = 0; i < 1000; i++) expect(b.contains(b.sample())).toBe(true);
    b.seed(4);
    expect(b.sample()).toEqual(first);
    expect(first).toBeInstanceOf(Float32Array);
  });

  it("rejects malformed bounds and shapes", () => {
    expect(() => new Box(1, -1)).toThrow(InvalidArgumentError);
    expect(() => new Box([0, NaN], [1, 1])).toThrow(/low\[1\]/);
    expect(() => new Box([0, 0], [1, 1, 1])).toThrow(/high/);
    expect(() => new Box(0, 1, [0])).toThrow(/shape\[0\]/);
    expect(() => new Box(0, 1, [])).toThrow(/shape/);
  });
});

describe("Discrete", () => {
  it("contains the integers start .. start + n - 1", () => {
    const d = new Discrete(3, -1);
    expect([-1, 0, 1].every((x) => d.contains(x))).toBe(true);
    expect([2, -2, 0.5, NaN, "0", true].some((x) => d.contains(x))).toBe(false);
    expect(String(d)).toBe("Discrete(3, start=-1)");
  });

  it("samples every element, reproducibly after seed()", () => {
    const d = new Discrete(4);
    d.seed(1);
    const seen = new Set<number>();
    const draws = Array.from({ length: 200 }, () => d.sample());
    for (const x of draws) seen.add(x);
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    d.seed(1);
    expect(Array.from({ length: 200 }, () => d.sample())).toEqual(draws);
  });

  it("rejects a non-positive or non-integer n", () => {
    for (const n of [0, -1, 1.5, NaN]) expect(() => new Discrete(n)).toThrow(InvalidArgumentError);
  });
});
