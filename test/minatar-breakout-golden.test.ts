/**
 * MinAtar Breakout against the reference's own output
 * (test/fixtures/minatar-breakout.json, format in its header): every
 * episode replays whole from its seed (chained episodes continue one env
 * with unseeded resets), and every observation, reward, end flag, game
 * scalar and applied action matches exactly, on both WASM builds.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BreakoutEnv } from "../src/envs/minatar-breakout.ts";

interface Snapshot {
  o: number[][];
  g: number[];
}
interface GoldenStep extends Snapshot {
  a: number;
  ap: number;
  u: number;
  r: number;
  t: boolean;
}
interface GoldenEpisode {
  id: number;
  seed: number;
  sticky_action_prob: number;
  chain: { id: number; index: number } | null;
  n_steps: number;
  return: number;
  terminated: boolean;
  truncated: boolean;
  refills: number;
  init: Snapshot & { last_action: number };
  steps: GoldenStep[];
}
interface Golden {
  header: { action_map: string[]; max_steps: number };
  episodes: GoldenEpisode[];
}

const golden = JSON.parse(readFileSync(new URL("./fixtures/minatar-breakout.json", import.meta.url), "utf8")) as Golden;
/** The reference's six actions on Breakout-v1's three: u, d and f act as n. */
const MINIMAL = golden.header.action_map.map((name) => ["n", "l", "r"].indexOf(name)).map((i) => Math.max(i, 0));

/** The 10x10x4 observation the golden lists of True cells per channel describe. */
function observation(o: number[][]): Float32Array {
  const out = new Float32Array(400);
  o.forEach((cells, ch) => cells.forEach((cell) => (out[cell * 4 + ch] = 1)));
  return out;
}

function expectSnapshot(env: BreakoutEnv, obs: Float32Array, want: Snapshot, lastAction: number, where: string): void {
  expect([...obs], where).toEqual([...observation(want.o)]);
  expect([...env.state], where).toEqual([...want.g, lastAction]);
}

describe.each(["simd", "relaxed-simd"] as const)("MinAtar/Breakout-v1 golden (%s build)", (flavor) => {
  it("covers what the rules test: refills, truncation, both sticky settings, chained resets", () => {
    expect(golden.episodes.length).toBe(12);
    expect(golden.episodes.some((e) => e.refills > 0 && e.terminated)).toBe(true);
    expect(golden.episodes.some((e) => e.truncated)).toBe(true);
    expect(new Set(golden.episodes.map((e) => e.sticky_action_prob))).toEqual(new Set([0, 0.1]));
    expect(golden.episodes.filter((e) => e.chain).length).toBe(3);
  });

  it("replays every episode step by step from its seed", async () => {
    let env: BreakoutEnv | undefined;
    let sticky = 0;
    for (const ep of golden.episodes) {
      const chained = ep.chain !== null && ep.chain.index > 0;
      if (!chained) env = await BreakoutEnv.create({ stickyActionProb: ep.sticky_action_prob, maxEpisodeSteps: golden.header.max_steps }, flavor);
      const { observation: first } = env!.reset(chained ? undefined : { seed: ep.seed });
      expectSnapshot(env!, first, ep.init, MINIMAL[ep.init.last_action]!, `episode ${ep.id} reset`);
      let ret = 0;
      ep.steps.forEach((s, i) => {
        const r = env!.step(MINIMAL[s.a]!);
        const where = `episode ${ep.id} step ${i}`;
        expectSnapshot(env!, r.observation, s, MINIMAL[s.ap]!, where);
        expect([r.reward, r.terminated, r.truncated], where).toEqual([s.r, s.t, !s.t && i + 1 === golden.header.max_steps]);
        if (s.ap !== s.a) sticky++;
        ret += r.reward;
      });
      expect(ret).toBe(ep.return);
      expect(ep.steps.length).toBe(ep.n_steps);
    }
    // Some steps repeated the last action instead of the given one: the sticky draws were exercised.
    expect(sticky).toBeGreaterThan(10);
  });
});
