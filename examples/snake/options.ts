/**
 * What the agent is built with: snake-dqn's kind of network (a conv layer
 * over the board, then a dense layer), one update every other frame, epsilon
 * falling linearly over the first 40% of the frames. "same" padding lets the
 * filters see the walls at the edge (with "valid", seed 0 played greedily at
 * 0.19 food a game after 40,000 frames, against 0.66); gamma 0.9 because food
 * is never more than 16 moves away (0.95 with target updates every 500 steps:
 * 0.33 after 30,000 frames, against 0.63). Shared by the Node game loop
 * (train.ts) and the browser demo (demo/snake.html).
 */
export const SNAKE_OPTIONS = {
  netArch: { conv: [{ filters: 16, kernel: 3, padding: "same" as const }], dense: [64] },
  learningRate: 1e-3,
  bufferSize: 20_000,
  learningStarts: 1000,
  batchSize: 32,
  gamma: 0.9,
  trainFreq: 2,
  targetUpdateInterval: 250,
  doubleQ: true,
  loss: "huber" as const,
};
