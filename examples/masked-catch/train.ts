/**
 * Trains the same agent on Jump Catch (./jump-catch-env.ts) two ways, with
 * action masks and by punishing illegal moves, and draws both learning
 * curves in one SVG. With masks the agent explores and bootstraps only over
 * the (at most) three legal columns; punished, it first has to learn which
 * of the seven columns are fouls.
 *
 *   npx tsx examples/masked-catch/train.ts [out.svg]
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { DQN, learningCurveSvg, type CurveSeries } from "deepq";
import { JumpCatchEnv, type IllegalMoves } from "./jump-catch-env.ts";
import { CATCH_OPTIONS } from "../catch/train.ts";

/** Trains `timesteps` env steps one way and returns the agent and its episode returns. */
export async function trainJumpCatch(illegalMoves: IllegalMoves, { timesteps = 10_000, seed = 0 } = {}): Promise<{ agent: DQN; episodes: { timestep: number; return: number }[] }> {
  const env = new JumpCatchEnv(illegalMoves);
  // The agent both ways: Catch's (examples/catch).
  const agent = await DQN.create(env, { ...CATCH_OPTIONS, seed });
  const episodes: { timestep: number; return: number }[] = [];
  await agent.learn({
    totalTimesteps: timesteps,
    callback: (e) => void (e.episodeReturn !== undefined && episodes.push({ timestep: e.timesteps, return: e.episodeReturn })),
  });
  return { agent, episodes };
}

/** Both runs' curves, masked first. */
export async function compareIllegalMoves(options: { timesteps?: number; seed?: number } = {}): Promise<CurveSeries[]> {
  const series: CurveSeries[] = [];
  for (const [way, label] of [["mask", "action masks"], ["punish", "illegal move = -1, game over"]] as const) {
    const { agent, episodes } = await trainJumpCatch(way, options);
    agent.dispose();
    series.push({ label, episodes });
  }
  return series;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const series = await compareIllegalMoves();
  for (const s of series) {
    const last = s.episodes.slice(-100);
    console.log(`${s.label}: ${s.episodes.length} episodes, mean return of the last 100: ${(last.reduce((a, e) => a + e.return, 0) / last.length).toFixed(2)}`);
  }
  const out = process.argv[2] ?? "jump-catch.svg";
  writeFileSync(out, learningCurveSvg(series, { title: "Jump Catch: masked vs punished illegal moves", window: 50 }));
  console.log(`wrote ${out}`);
}
