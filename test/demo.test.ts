/**
 * The browser demo (demo/), served by `npm run demo`'s server and driven in
 * headless Chromium: train live in a worker (deepq/worker), see the chart fill
 * and the canvas move (the latest weights playing on the page's thread),
 * pause, save, watch greedy play, load the saved file, switch engines; and
 * the Snake page (demo/snake.html): a conv net trains in a worker on the
 * game's own env module while the page plays the latest snapshot on its
 * board. The screenshots land in the temp dir printed below.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRuntime, start } from "./runtimes/harness.ts";
import { launchChromium } from "./support/browser.ts";

const chromium = findRuntime("chromium");
const OUT = mkdtempSync(join(tmpdir(), "deepq-demo-"));

describe.skipIf(!chromium)("demo page in Chromium", () => {
  let server: ReturnType<typeof start>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    server = start(process.execPath, ["demo/serve.mjs", "--port", "0"]);
    const end = Date.now() + 20_000;
    while (!/http:\/\/127\.0\.0\.1:\d+\/demo\//.test(server.output()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    browser = await launchChromium(chromium!);
    page = await browser.newPage({ viewport: { width: 1180, height: 960 }, acceptDownloads: true });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    console.log(`demo screenshots in ${OUT}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const text = (id: string) => page.locator(`#${id}`).innerText();
  const number = async (id: string) => Number((await text(id)).replaceAll(",", ""));
  const canvasPixels = () => page.$eval("#cartpole", (c) => (c as HTMLCanvasElement).toDataURL());
  const chartPoints = () => page.$$eval("#chart svg .episodes", (ps) => ps.map((p) => (p.getAttribute("d") ?? "").split("M").length - 1).reduce((a, b) => a + b, 0));

  it("serves the page, trains live, pauses, saves, watches, loads and switches engines", async () => {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/demo\/)/.exec(server.output())?.[1];
    expect(url, `server output: ${server.output()}`).toBeDefined();
    await page.goto(url!);
    await page.waitForFunction(() => document.getElementById("engine")!.textContent !== "–", null, { timeout: 20_000 });
    expect(await text("engine")).toBe("fused"); // auto: no WebGPU adapter here, and fused takes a 128-128 MLP
    expect(await page.locator("#report li.chosen").innerText()).toMatch(/^fused: in use/);

    const idle = await canvasPixels();
    await page.click("#train");
    await page.waitForFunction(() => Number(document.getElementById("episodes")!.textContent!.replaceAll(",", "")) >= 30, null, { timeout: 20_000 });
    expect(await text("mode")).toBe("training");
    await page.waitForFunction(() => (document.querySelector("#chart svg .episodes")?.getAttribute("d") ?? "").split("M").length > 10, null, { timeout: 20_000 });
    const moving = await canvasPixels();
    expect(moving).not.toBe(idle);
    // The canvas follows the training env: it changes again (no deadline: a loaded machine draws late, not never).
    await page.waitForFunction((before) => (document.getElementById("cartpole") as HTMLCanvasElement).toDataURL() !== before, moving, { timeout: 20_000, polling: 50 });
    expect(await chartPoints()).toBeGreaterThanOrEqual(10);
    expect(await number("timesteps")).toBeGreaterThan(0);

    await page.click("#pause");
    await page.waitForFunction(() => document.getElementById("mode")!.textContent === "paused");
    const trainedSteps = await number("timesteps");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#save")]);
    expect(download.suggestedFilename()).toBe("cartpole.deepq");
    const saved = join(OUT, "cartpole.deepq");
    await download.saveAs(saved);
    expect(readFileSync(saved).length).toBeGreaterThan(1000);

    // The TensorBoard event file of this training, built in the worker (no file system there).
    const [tbDownload] = await Promise.all([page.waitForEvent("download"), page.click("#tensorboard")]);
    expect(tbDownload.suggestedFilename()).toMatch(/^events\.out\.tfevents\.\d{10}\.worker$/);
    const tbFile = join(OUT, tbDownload.suggestedFilename());
    await tbDownload.saveAs(tbFile);
    const tb = readFileSync(tbFile);
    expect(tb.readBigUInt64LE(0)).toBe(24n); // the first record: wall_time + "brain.Event:2"
    expect(tb.subarray(23, 36).toString()).toBe("brain.Event:2");
    expect(tb.includes("rollout/ep_rew_mean")).toBe(true); // 30+ episodes trained: dumps every 4

    await page.click("#watch");
    await page.waitForFunction(() => document.getElementById("mode")!.textContent === "watching (greedy)");
    // Greedy episodes are animated: 4 different frames seen, however slowly they come.
    await page.waitForFunction(
      () => {
        const seen = ((window as { demoFrames?: Set<string> }).demoFrames ??= new Set());
        seen.add((document.getElementById("cartpole") as HTMLCanvasElement).toDataURL());
        return seen.size >= 4;
      },
      null,
      { timeout: 30_000, polling: 50 },
    );
    await page.screenshot({ path: join(OUT, "demo-watch.png"), fullPage: true });

    await page.setInputFiles("#load", saved);
    await page.waitForFunction(() => /^Loaded an agent trained for/.test(document.getElementById("status")!.textContent!), null, { timeout: 10_000 });
    // The stats update at episode ends; the file holds the steps since the last one too (fewer than an episode's 500).
    expect(await number("timesteps")).toBeGreaterThanOrEqual(trainedSteps);
    expect(await number("timesteps")).toBeLessThanOrEqual(trainedSteps + 500);

    await page.selectOption("#backend", "wasm");
    await page.waitForFunction(() => document.getElementById("engine")!.textContent === "wasm", null, { timeout: 20_000 });
    expect(await page.locator("#report li.chosen").innerText()).toMatch(/^wasm: in use/);

    // No WebGPU here (no --enable-unsafe-webgpu): the error is shown, the wasm agent stays.
    await page.selectOption("#backend", "webgpu");
    await page.waitForFunction(() => document.getElementById("status")!.classList.contains("error"), null, { timeout: 20_000 });
    expect(await text("status")).toMatch(/webgpu/i);
    await page.screenshot({ path: join(OUT, "demo-webgpu-refused.png") });
    expect(await text("engine")).toBe("wasm");
    expect(await page.locator("#backend").inputValue()).toBe("wasm");
    await page.click("#train");
    await page.waitForFunction(() => document.getElementById("mode")!.textContent === "training");
    expect(errors).toEqual([]);
  });

  it("the Snake page: the game's module trains in the worker, the board plays the latest snapshots, the chart fills", async () => {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/demo\/)/.exec(server.output())?.[1];
    const snake = await browser.newPage({ viewport: { width: 1180, height: 960 } });
    const snakeErrors: string[] = [];
    snake.on("pageerror", (e) => snakeErrors.push(e.message));
    snake.on("console", (m) => m.type() === "error" && snakeErrors.push(m.text()));
    snake.on("response", (r) => r.status() >= 400 && snakeErrors.push(`${r.status()} ${r.url()}`));
    await snake.goto(`${url}snake.html`);
    const board = () => snake.$eval("#board", (c) => (c as HTMLCanvasElement).toDataURL());
    type Seen = { moves: number; snapshots: number; trainingGames: number };
    const seen = () => snake.evaluate(() => (window as unknown as { snakeDemo: Seen }).snakeDemo);
    await snake.waitForFunction(() => (window as unknown as { snakeDemo: Seen }).snakeDemo.snapshots >= 2, null, { timeout: 60_000 });
    // Boards one move apart, not one board against a later one: an early policy may loop (turning one
    // way round a 2x2 square repeats the board every 4 moves).
    const boards = new Set<string>();
    for (let i = 0; i < 6; i++) {
      await snake.waitForFunction((m) => (window as unknown as { snakeDemo: Seen }).snakeDemo.moves > m, (await seen()).moves, { timeout: 20_000 });
      boards.add(await board());
    }
    expect(boards.size).toBeGreaterThan(1);
    await snake.waitForFunction(() => document.querySelector("#chart svg .episodes") !== null, null, { timeout: 60_000 });
    const s = await seen();
    expect(s.trainingGames).toBeGreaterThan(0);
    expect(Number((await snake.locator("#snapshot").innerText()).replaceAll(",", ""))).toBeGreaterThan(0);
    expect(await snake.locator("#status").innerText()).toMatch(/on the fused engine in a worker/);
    await snake.screenshot({ path: join(OUT, "demo-snake.png"), fullPage: true });
    await snake.close();
    expect(snakeErrors).toEqual([]);
  }, 120_000);
});
