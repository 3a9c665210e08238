/**
 * Snake for the browser demo (demo/snake.html), which `npm run demo` serves
 * bundled as /demo/snake-game.mjs: the page plays it, and deepq/worker's
 * `startTraining({ env: { module } })` builds it in the worker from the
 * default export.
 */
import { SnakeEnv } from "./snake-env.ts";

export { SnakeEnv } from "./snake-env.ts";
export { SNAKE_OPTIONS } from "./options.ts";

/** A 9x9 game, as the worker's env. */
export default function makeSnake(): SnakeEnv {
  return new SnakeEnv();
}
