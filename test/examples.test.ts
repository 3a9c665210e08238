/**
 * examples/catch: a custom Env (the Catch game) trained through the game-loop
 * API (act / observe / trainStep), imported through package.json exports
 * ("deepq" = dist/deepq.mjs) as a user's game would. test/readme.test.ts runs
 * the script itself (`npx tsx examples/catch/train.ts`).
 */
import { checkEnv, DeepQError } from "deepq";
import { describe, expect, it } from "vitest";
import { CatchEnv } from "../examples/catch/catch-env.ts";
import { catchRate, trainCatch } from "../examples/catch/train.ts";

describe("examples/catch", () => {
  it("the Catch game passes checkEnv; a broken copy does not", () => {
    expect(() => checkEnv(new CatchEnv())).not.toThrow();
    expect(() => checkEnv(new CatchEnv({ width: 7, height: 4 }))).not.toThrow();
    // A game whose observation leaves its Box is caught by the checker.
    const broken = new CatchEnv();
    const reset = broken.reset.bind(broken);
    broken.reset = (args) => ({ ...reset(args), observation: Float32Array.of(2, 0, 0) });
    expect(() => checkEnv(broken)).toThrow(DeepQError);
  });

  it("plays the rules: -1 for a miss, +1 for a catch, terminated after height - 1 steps", () => {
    const game = new CatchEnv({ width: 5, height: 6 });
    game.reset({ seed: 3 });
    // Track the ball: the paddle can cover the 4 columns in 5 moves, so this always catches.
    const chase = () => (game.paddleX < game.ballX ? 2 : game.paddleX > game.ballX ? 0 : 1);
    let r;
    for (let t = 1; t <= 5; t++) {
      r = game.step(chase());
      expect(r.terminated).toBe(t === 5);
    }
    expect(r!.reward).toBe(1);
    game.reset({ seed: 3 });
    const away = () => (game.ballX >= 2 ? 0 : 2);
    for (let t = 0; t < 5; t++) r = game.step(away());
    expect(r!.reward).toBe(-1);
  });

  // Thresholds: every ball is catchable (the paddle needs at most width - 1 = 4
  // moves and gets height - 1 = 5), so a learned policy should catch nearly all;
  // a random policy catches ~20% (0.15-0.27 measured over seeds 0-4, near
  // 1/width). Over seeds 0-4, 1,500 training games reached a 100% greedy catch
  // rate on all five. 200 evaluation games: >= 90% trained vs <= 35% random
  // leaves a wide margin on both sides of the binomial noise (sd ~3%).
  it("an agent trained by the game loop (seed 0, 1,500 games) catches >= 90% vs random's <= 35%", async () => {
    const { agent, game } = await trainCatch({ episodes: 1500, seed: 0 });
    expect(agent.episodes).toBe(1500);
    expect(agent.timesteps).toBe(1500 * 5);
    const trained = catchRate(game, (o) => agent.predict(o), 200, 12345);
    game.actionSpace.seed(1);
    const random = catchRate(game, () => game.actionSpace.sample(), 200, 12345);
    agent.dispose();
    expect(random).toBeLessThanOrEqual(0.35);
    expect(trained).toBeGreaterThanOrEqual(0.9);
    expect(trained - random).toBeGreaterThanOrEqual(0.5);
  });
});
