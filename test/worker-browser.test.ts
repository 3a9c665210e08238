/**
 * deepq/worker in headless Chromium: dist/worker.mjs starts a module Worker
 * (dist/training-worker.mjs, which imports dist/deepq.mjs) while the page's
 * own timers tick. The page measures its timer gaps while the CartPole
 * preset trains (its budget, or until its evaluation stops it), after a
 * spinning-worker control (test/worker.test.ts says why the gate is the share
 * of time stalled past a frame, and shows it failing a main-thread trainer), takes a snapshot
 * mid-run, acts with it through loadPolicy and DQN.load, and hands both save
 * files back here, where they load again.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DQN, loadPolicy, presets } from "deepq";
import { DIST, findRuntime, pageServer, type StaticServer } from "./runtimes/harness.ts";
import { launchChromium } from "./support/browser.ts";
import { FRAME_MS, describeGaps, percentile, stallShare, timerGaps } from "./support/timer-gaps.ts";

const chromium = findRuntime("chromium");

const PAGE = `<!doctype html><script type="module">
  import { startTraining } from "/dist/worker.mjs";
  import { DQN, loadPolicy } from "/dist/deepq.mjs";
  ${timerGaps.toString()}
  try {
    const spinner = new Worker(URL.createObjectURL(new Blob(["const end = Date.now() + 5000; while (Date.now() < end); postMessage(0);"])));
    const control = await timerGaps(() => new Promise((r) => (spinner.onmessage = r)), 0);
    spinner.terminate();
    let snapshot;
    let snapshotChecks;
    let episodes = 0;
    let lastEval;
    const { result: bytes, gaps } = await timerGaps(async () => {
      const t = startTraining({ env: "CartPole-v1", preset: true, options: { backend: "fused", seed: 4 } });
      let asked = false;
      t.onProgress((e) => {
        if (e.episodeReturn !== undefined) episodes++;
        if (e.eval) lastEval = { mean: e.eval.mean, timesteps: e.timesteps };
        if (!asked && e.timesteps >= 10000) {
          asked = true;
          t.snapshot().then(async (b) => {
            snapshot = b;
            const policy = await loadPolicy(b);
            const agent = await DQN.load(b);
            const xs = [[0, 0, 0.05, 0], [0.1, -0.3, -0.02, 0.4], [-1, 0.5, 0.1, -0.5]];
            snapshotChecks = { timesteps: agent.timesteps, same: xs.every((x) => policy.act(x) === agent.predict(x)) };
          });
        }
      });
      return t.done;
    }, 0);
    window.__result = { gaps, control: control.gaps, episodes, snapshotChecks, snapshot: Array.from(snapshot), final: Array.from(bytes), finalSteps: (await DQN.load(bytes)).timesteps, lastEval };
  } catch (e) {
    window.__result = { error: String(e && e.stack || e) };
  }
</script>`;


describe.skipIf(!chromium)("deepq/worker in Chromium (module Worker)", () => {
  let browser: Browser;
  let server: StaticServer;

  beforeAll(async () => {
    server = await pageServer({ "/train.html": PAGE }, { "/dist/": DIST });
    browser = await launchChromium(chromium!);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the page's timers keep ticking while the CartPole preset trains; snapshots round-trip", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`${server.url}/train.html`);
    await page.waitForFunction("window.__result", null, { timeout: 280_000, polling: 500 });
    const r = (await page.evaluate("window.__result")) as {
      error?: string;
      gaps: number[];
      control: number[];
      episodes: number;
      snapshotChecks: { timesteps: number; same: boolean };
      snapshot: number[];
      final: number[];
      finalSteps: number;
      lastEval: { mean: number; timesteps: number };
    };
    await page.close();
    expect(r.error, errors.join("\n")).toBeUndefined();
    console.log(`Chromium page timer gaps during ${r.finalSteps} steps of the preset: ${describeGaps(r.gaps)} (spinning-worker control: ${describeGaps(r.control)})`);
    expect(r.gaps.length).toBeGreaterThan(1000);
    expect(percentile(r.gaps, 50)).toBeLessThan(FRAME_MS);
    expect(stallShare(r.gaps)).toBeLessThan(Math.max(0.1, 2 * stallShare(r.control)));
    expect(r.episodes).toBeGreaterThan(50);
    // The preset's budget, or its early stop at the evaluation that reached its threshold.
    const { totalTimesteps: budget, evaluation } = presets["CartPole-v1"]!;
    if (r.finalSteps < budget) {
      expect(r.lastEval.mean).toBeGreaterThanOrEqual(evaluation.rewardThreshold!);
      expect(r.finalSteps).toBe(r.lastEval.timesteps);
    } else expect(r.finalSteps).toBe(budget);
    expect(r.snapshotChecks.same).toBe(true);
    expect(r.snapshotChecks.timesteps).toBeGreaterThanOrEqual(10_000);
    expect(r.snapshotChecks.timesteps).toBeLessThan(r.finalSteps);
    // The page's save files load here too.
    const snap = Uint8Array.from(r.snapshot);
    const agent = await DQN.load(snap);
    const policy = await loadPolicy(snap);
    expect(agent.timesteps).toBe(r.snapshotChecks.timesteps);
    expect(policy.act([0, 0, 0.05, 0])).toBe(agent.predict([0, 0, 0.05, 0]));
    expect((await DQN.load(Uint8Array.from(r.final))).timesteps).toBe(r.finalSteps);
    agent.dispose();
    policy.dispose();
  }, 300_000);
});
