/**
 * Learning-curve SVGs (src/plot/svg.ts) painted by a real browser: headless
 * Chromium renders a single-run chart and a three-run comparison; the test
 * reads the screenshot's pixels back (decoded by the browser) and the
 * layout's boxes. Screenshots are kept under the temp dir printed below.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { learningCurveSvg, type CurveSeries } from "../src/plot/svg.ts";
import { findRuntime } from "./runtimes/harness.ts";
import { launchChromium } from "./support/browser.ts";

const chromium = findRuntime("chromium");
const OUT = mkdtempSync(join(tmpdir(), "deepq-svg-"));

/** A run whose returns rise along a logistic curve with seeded noise, CartPole-like. */
function syntheticRun(label: string, midpoint: number, seed: number): CurveSeries {
  let s = seed;
  const noise = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 2;
  const episodes: { timestep: number; return: number }[] = [];
  const evals: { timestep: number; mean: number; std: number }[] = [];
  for (let t = 0, next = 3000; t < 30_000; ) {
    const level = 10 + 490 / (1 + Math.exp(-(t - midpoint) / 2500));
    const ret = Math.max(8, Math.min(500, Math.round(level * (1 + 0.3 * noise()))));
    t += ret;
    episodes.push({ timestep: t, return: ret });
    if (t >= next) {
      evals.push({ timestep: next, mean: Math.min(500, level * 1.1), std: 20 + 30 * Math.abs(noise()) });
      next += 3000;
    }
  }
  return { label, episodes, evals };
}

const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

describe.skipIf(!chromium)("SVG learning curves in Chromium", () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium(chromium!);
    page = await browser.newPage({ viewport: { width: 800, height: 480 } });
    console.log(`SVG screenshots in ${OUT}`);
  });
  afterAll(async () => browser?.close());

  /** Renders `svg`, screenshots it and returns the screenshot's RGB at each point. */
  async function render(svg: string, file: string, points: [number, number][]): Promise<{ pixels: number[][]; inkFraction: number }> {
    await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
    // Two animation frames: the compositor has painted, so a screenshot has a frame to capture
    // (without one, a loaded machine's headless Chromium answers "Unable to capture screenshot").
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const png = await page.screenshot({ path: join(OUT, file) });
    return page.evaluate(
      async ({ b64, points }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement("canvas");
        [c.width, c.height] = [img.width, img.height];
        const g = c.getContext("2d")!;
        g.drawImage(img, 0, 0);
        const all = g.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 0; i < all.length; i += 4) if (all[i]! + all[i + 1]! + all[i + 2]! < 700) ink++;
        // The darkest pixel within 2 px of each point: the line passes there, anti-aliased.
        const pixels = points.map(([x, y]) => {
          let best = [255, 255, 255];
          for (let dy = -2; dy <= 2; dy++)
            for (let dx = -2; dx <= 2; dx++) {
              const p = Array.from(g.getImageData(Math.round(x) + dx, Math.round(y) + dy, 1, 1).data.slice(0, 3));
              if (p[0]! + p[1]! + p[2]! < best[0]! + best[1]! + best[2]!) best = p;
            }
          return best;
        });
        return { pixels, inkFraction: ink / (c.width * c.height) };
      },
      { b64: png.toString("base64"), points },
    );
  }

  /** The vertices of series k's rolling-mean path. */
  function vertices(svg: string, k: number): [number, number][] {
    const d = /class="rolling-mean" d="([^"]*)"/.exec(svg.split(`<g class="series-${k}">`)[1] ?? "")?.[1] ?? "";
    return [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  }

  /** Boxes of the legend, the plot frame and the tick labels, as laid out by the browser. */
  const layout = () =>
    page.evaluate(() => {
      const box = (e: Element) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, right: r.right, bottom: r.bottom };
      };
      return {
        legend: box(document.querySelector(".legend")!),
        legendTexts: [...document.querySelectorAll(".legend text")].map(box),
        plot: box(document.querySelector(".plot-area")!),
        xTicks: [...document.querySelectorAll(".x-tick")].map(box),
        yTicks: [...document.querySelectorAll(".y-tick")].map(box),
      };
    });
  type Box = { x: number; y: number; right: number; bottom: number };
  const overlap = (a: Box, b: Box) => a.x < b.right && b.x < a.right && a.y < b.bottom && b.y < a.bottom;

  function expectTidy(l: Awaited<ReturnType<typeof layout>>): void {
    expect(l.legend.bottom, "legend above the plot").toBeLessThanOrEqual(l.plot.y);
    expect(l.legend.right).toBeLessThanOrEqual(800);
    for (let i = 0; i < l.legendTexts.length; i++) for (let j = i + 1; j < l.legendTexts.length; j++) expect(overlap(l.legendTexts[i]!, l.legendTexts[j]!), `legend entries ${i} and ${j}`).toBe(false);
    for (const ticks of [l.xTicks, l.yTicks]) for (let i = 1; i < ticks.length; i++) expect(overlap(ticks[i - 1]!, ticks[i]!), "tick labels").toBe(false);
  }

  it("one run: the curve, its dots and evaluations paint; legend and ticks do not collide", async () => {
    const run = syntheticRun("CartPole-v1", 12_000, 1);
    const svg = learningCurveSvg([run], { title: "DQN on CartPole-v1" });
    const line = vertices(svg, 0);
    expect(line.length).toBe(run.episodes.length);
    const probe = [line[Math.floor(line.length / 2)]!, line[line.length - 1]!];
    const { pixels, inkFraction } = await render(svg, "single.png", probe);
    expect(inkFraction, "not blank").toBeGreaterThan(0.01);
    const blue = hex("#1f77b4");
    for (const p of pixels) for (let c = 0; c < 3; c++) expect(Math.abs(p[c]! - blue[c]!), `pixel ${p} is the series colour`).toBeLessThan(60);
    expectTidy(await layout());
  });

  it("a comparison: one coloured curve and legend entry per run, legend clear of the curves", async () => {
    const runs = [syntheticRun("netArch [32]", 18_000, 2), syntheticRun("netArch [64, 64]", 11_000, 3), syntheticRun("netArch [128, 128]", 6_000, 4)];
    const svg = learningCurveSvg(runs, { title: "DQN on CartPole-v1: network sizes" });
    const ends = runs.map((_, k) => vertices(svg, k)).map((v) => v[Math.floor(v.length * 0.6)]!);
    const { pixels } = await render(svg, "compare.png", ends);
    const colours = ["#1f77b4", "#ff7f0e", "#2ca02c"].map(hex);
    pixels.forEach((p, k) => {
      const dist = colours.map((c) => Math.hypot(p[0]! - c[0]!, p[1]! - c[1]!, p[2]! - c[2]!));
      expect(dist.indexOf(Math.min(...dist)), `run ${k}'s curve is drawn in its colour (pixel ${p})`).toBe(k);
    });
    const l = await layout();
    expect(await page.$$eval(".legend-label", (ts) => ts.map((t) => t.textContent))).toEqual(runs.map((r) => r.label));
    expectTidy(l);
  });
});
