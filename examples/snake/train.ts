/**
 * Trains a convolutional Q-network on Snake the way a game loop drives it:
 * every frame the game asks the agent for an action (`agent.act`), advances,
 * reports what happened (`agent.observe`) and lets the agent learn a little
 * (`await agent.trainStep()`). Then it compares the greedy agent with a
 * random player and writes the learning curve, food eaten per episode, as
 * an SVG.
 *
 *   npx tsx examples/snake/train.ts [frames (30000)] [curve.svg (snake.svg)]
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { DQN, checkEnv, learningCurveSvg, linearSchedule, type CurveSeries } from "deepq";
import { SnakeEnv } from "./snake-env.ts";
import { SNAKE_OPTIONS } from "./options.ts";

export { SNAKE_OPTIONS };

/** One finished episode: the frame it ended on and the food eaten. */
export interface SnakeEpisode {
  timestep: number;
  eaten: number;
}

/** Plays `frames` frames with `policy` from `reset({ seed })`, returning each finished episode. */
export function play(game: SnakeEnv, policy: (observation: Float32Array) => number, frames: number, seed: number): SnakeEpisode[] {
  const episodes: SnakeEpisode[] = [];
  let { observation } = game.reset({ seed });
  for (let t = 1; t <= frames; t++) {
    const r = game.step(policy(observation));
    if (r.terminated || r.truncated) {
      episodes.push({ timestep: t, eaten: game.eaten });
      observation = game.reset().observation;
    } else observation = r.observation;
  }
  return episodes;
}

/** Mean food eaten over `episodes` whole games played with `policy`. */
export function meanEaten(game: SnakeEnv, policy: (observation: Float32Array) => number, episodes: number, seed: number): number {
  let total = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let observation = ep === 0 ? game.reset({ seed }).observation : game.reset().observation;
    for (;;) {
      const r = game.step(policy(observation));
      if (r.terminated || r.truncated) break;
      observation = r.observation;
    }
    total += game.eaten;
  }
  return total / episodes;
}

/** The game loop: `frames` frames of Snake, the agent learning as it plays. */
export async function trainSnake({ frames = 30_000, seed = 0 }: { frames?: number; seed?: number } = {}): Promise<{ agent: DQN; game: SnakeEnv; episodes: SnakeEpisode[] }> {
  const game = new SnakeEnv();
  checkEnv(game); // throws a DeepQError naming the problem if the game breaks the Env contract
  const agent = await DQN.create(game, { ...SNAKE_OPTIONS, epsilonSchedule: linearSchedule(1, 0.05, 0.4, frames), seed });
  const episodes: SnakeEpisode[] = [];
  let { observation } = game.reset({ seed });
  for (let t = 1; t <= frames; t++) {
    // One frame.
    const action = agent.act(observation);
    const r = game.step(action);
    agent.observe(observation, action, r.reward, r.observation, r.terminated, r.truncated);
    await agent.trainStep();
    if (r.terminated || r.truncated) {
      episodes.push({ timestep: t, eaten: game.eaten });
      observation = game.reset().observation;
    } else observation = r.observation;
  }
  return { agent, game, episodes };
}

/** The learning curve of a run beside a random player's games over as many frames. */
export function snakeCurveSvg(trained: SnakeEpisode[], random: SnakeEpisode[]): string {
  const series = (label: string, eps: SnakeEpisode[]): CurveSeries => ({ label, episodes: eps.map((e) => ({ timestep: e.timestep, return: e.eaten })) });
  return learningCurveSvg([series("DQN, conv net (epsilon-greedy while learning)", trained), series("random player", random)], {
    title: "Snake 9x9: food eaten per episode",
    xLabel: "frames",
    yLabel: "food eaten",
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const frames = Number(process.argv[2] ?? 30_000);
  const plot = process.argv[3] ?? "snake.svg";
  const t0 = performance.now();
  const { agent, game, episodes } = await trainSnake({ frames });
  console.log(`trained on ${episodes.length} games (${agent.timesteps} frames) in ${((performance.now() - t0) / 1000).toFixed(1)} s on the ${agent.getBackend()} engine`);
  game.actionSpace.seed(1);
  const random = () => game.actionSpace.sample();
  const trainedMean = meanEaten(game, (o) => agent.predict(o), 200, 1);
  const randomMean = meanEaten(game, random, 200, 1);
  console.log(`food eaten per game over 200 games: agent ${trainedMean.toFixed(2)}, random ${randomMean.toFixed(2)}`);
  writeFileSync(plot, snakeCurveSvg(episodes, play(game, random, frames, 2)));
  console.log(`wrote ${plot}`);
  // One greedy game's last frame.
  let { observation } = game.reset({ seed: 7 });
  for (;;) {
    const r = game.step(agent.predict(observation));
    if (r.terminated || r.truncated) break;
    observation = r.observation;
  }
  console.log(`${game.render()}\n${game.eaten} eaten`);
  agent.dispose();
}
