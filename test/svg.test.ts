import { describe, expect, it } from "vitest";
import { learningCurveSvg, niceTicks, rollingMean } from "../src/plot/svg.ts";

describe("SVG learning curves", () => {
  it("nice ticks cover the range with round steps", () => {
    expect(niceTicks(0, 500)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(niceTicks(0, 20000)).toEqual([0, 5000, 10000, 15000, 20000]);
    const t = niceTicks(-3, 7.3);
    expect(t[0]).toBeLessThanOrEqual(-2);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(6);
  });

  it("rolling mean uses the last `window` values", () => {
    expect(rollingMean([2, 4, 6, 8], 2)).toEqual([2, 3, 5, 7]);
  });

  it("draws one group per series with episodes, rolling mean, evals and a legend", () => {
    const mk = (k: number) => ({
      label: `net ${k} <&>`,
      episodes: Array.from({ length: 50 }, (_, i) => ({ timestep: (i + 1) * 100, return: 10 + i * k })),
      evals: [{ timestep: 2500, mean: 100 * k, std: 5 }],
    });
    const svg = learningCurveSvg([mk(1), mk(2)], { title: "compare" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/class="series-\d"/g)).toHaveLength(2);
    expect(svg.match(/class="rolling-mean"/g)).toHaveLength(2);
    expect(svg.match(/class="eval"/g)).toHaveLength(2);
    expect(svg).toContain("net 1 &lt;&amp;&gt;");
    expect(svg).not.toContain("NaN");
  });
});
