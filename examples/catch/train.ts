/**
 * Trains a DQN agent on Catch the way a game loop drives it: every frame the
 * game asks the agent for an action (`agent.act`), advances, reports what
 * happened (`agent.observe`) and lets the agent learn a little
 * (`await agent.trainStep()`). Then it plays greedily (`agent.predict`).
 *
 *   npx tsx examples/catch/train.ts
 */
import { pathToFileURL } from "node:url";
import { DQN, checkEnv, exponentialSchedule } from "deepq";
import { CatchEnv } from "./catch-env.ts";

/** What the agent is built with: a small MLP, one update per frame, epsilon decaying over ~1,000 frames. */
export const CATCH_OPTIONS = {
  netArch: [32, 32],
  learningRate: 1e-3,
  bufferSize: 10_000,
  learningStarts: 200,
  batchSize: 32,
  gamma: 0.95,
  trainFreq: 1,
  targetUpdateInterval: 200,
  epsilonSchedule: exponentialSchedule(1, 0.05, 1000),
};

/** Plays `episodes` games with `policy` and returns the fraction caught. */
export function catchRate(game: CatchEnv, policy: (observation: Float32Array) => number, episodes: number, seed: number): number {
  let caught = 0;
  let { observation } = game.reset({ seed });
  for (let ep = 0; ep < episodes; ) {
    const r = game.step(policy(observation));
    if (r.terminated || r.truncated) {
      if (r.reward > 0) caught++;
      ep++;
      observation = game.reset().observation;
    } else observation = r.observation;
  }
  return caught / episodes;
}

/** The game loop: `episodes` games of Catch, the agent learning as it plays. */
export async function trainCatch({ episodes = 1500, seed = 0 }: { episodes?: number; seed?: number } = {}): Promise<{ agent: DQN; game: CatchEnv }> {
  const game = new CatchEnv();
  checkEnv(game); // throws a DeepQError naming the problem if the game breaks the Env contract
  const agent = await DQN.create(game, { ...CATCH_OPTIONS, seed });
  let { observation } = game.reset({ seed });
  for (let played = 0; played < episodes; ) {
    // One frame.
    const action = agent.act(observation);
    const r = game.step(action);
    agent.observe(observation, action, r.reward, r.observation, r.terminated, r.truncated);
    await agent.trainStep();
    if (r.terminated || r.truncated) {
      played++;
      observation = game.reset().observation;
    } else observation = r.observation;
  }
  return { agent, game };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const { agent, game } = await trainCatch();
  console.log(`trained on ${agent.episodes} games (${agent.timesteps} frames) in ${((performance.now() - t0) / 1000).toFixed(1)} s on the ${agent.getBackend()} engine`);
  const trained = catchRate(game, (o) => agent.predict(o), 200, 1);
  const random = catchRate(game, () => game.actionSpace.sample(), 200, 1);
  console.log(`catch rate over 200 games: agent ${(trained * 100).toFixed(0)}%, random ${(random * 100).toFixed(0)}%`);
  // One greedy game, frame by frame.
  let { observation } = game.reset({ seed: 7 });
  for (;;) {
    console.log(game.render() + "\n");
    const r = game.step(agent.predict(observation));
    if (r.terminated) {
      console.log(game.render() + `\n${r.reward > 0 ? "caught!" : "missed"}`);
      break;
    }
    observation = r.observation;
  }
  agent.dispose();
}
