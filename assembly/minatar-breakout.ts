/**
 * MinAtar's Breakout (minatar/environments/breakout.py with the sticky
 * actions of minatar/environment.py), line for line, so that a seeded
 * episode matches the reference step by step. Memory layout: the MinAtar
 * Breakout section of assembly/layout.ts. Actions are the minimal set,
 * 0 n, 1 l, 2 r. Callers: src/envs/minatar-breakout.ts, once per reset
 * and once per step.
 */
import {
  BG_BALL_DIR, BG_BALL_X, BG_BALL_Y, BG_LAST_ACTION, BG_LAST_X, BG_LAST_Y, BG_POS, BG_STRIKE, BG_TERMINAL,
  BK_BRICKS, BK_GAME, BK_OBS, BK_RNG, BK_STICKY,
} from "./layout";
import { slotA, slotF } from "./lib/header";
import { mtNextU32, mtRand, mtSeed } from "./lib/mt19937";

@inline function get(g: usize, field: i32): i32 {
  return load<i32>(g + (<usize>field << 2));
}
@inline function set(g: usize, field: i32, value: i32): void {
  store<i32>(g + (<usize>field << 2), value);
}

/** Writes state(): zeros, then the brick map, paddle, ball and trail cells. Also called after the game state is set from outside. */
export function breakoutObserve(h: usize): void {
  const g = slotA(h, BK_GAME);
  const bricks = slotA(h, BK_BRICKS);
  const obs = slotA(h, BK_OBS);
  memory.fill(obs, 0, 1600);
  for (let i: usize = 0; i < 100; i++) store<f32>(obs + (i << 4) + 12, <f32>load<u8>(bricks + i));
  store<f32>(obs + ((90 + <usize>get(g, BG_POS)) << 4), 1);
  store<f32>(obs + ((<usize>(get(g, BG_BALL_Y) * 10 + get(g, BG_BALL_X))) << 4) + 4, 1);
  store<f32>(obs + ((<usize>(get(g, BG_LAST_Y) * 10 + get(g, BG_LAST_X))) << 4) + 8, 1);
}

/** `RandomState(seed)`: reseeds the generator (init_genrand). */
export function breakoutSeed(h: usize, seed: u32): void {
  mtSeed(slotA(h, BK_RNG), seed);
}

/** breakout.py's reset (one draw, randint(2)); last_action is left as it is. Writes the observation. */
export function breakoutReset(h: usize): void {
  const g = slotA(h, BK_GAME);
  const right = (mtNextU32(slotA(h, BK_RNG)) & 1) != 0;
  set(g, BG_BALL_Y, 3);
  set(g, BG_BALL_X, right ? 9 : 0);
  set(g, BG_BALL_DIR, right ? 3 : 2);
  set(g, BG_POS, 4);
  const bricks = slotA(h, BK_BRICKS);
  memory.fill(bricks, 0, 100);
  memory.fill(bricks + 10, 1, 30);
  set(g, BG_STRIKE, 0);
  set(g, BG_LAST_X, get(g, BG_BALL_X));
  set(g, BG_LAST_Y, 3);
  set(g, BG_TERMINAL, 0);
  breakoutObserve(h);
}

/** np.count_nonzero(brick_map) == 0. */
function cleared(bricks: usize): bool {
  for (let i: usize = 0; i < 100; i++) if (load<u8>(bricks + i) != 0) return false;
  return true;
}

/**
 * Environment.act then Env.act: one rand() draw, always (also after the
 * end); with probability BK_STICKY the last action repeats. Writes the
 * observation. Returns reward | terminal << 1.
 */
export function breakoutStep(h: usize, action: i32): i32 {
  const g = slotA(h, BK_GAME);
  const bricks = slotA(h, BK_BRICKS);
  const a = mtRand(slotA(h, BK_RNG)) < slotF(h, BK_STICKY) ? get(g, BG_LAST_ACTION) : action;
  set(g, BG_LAST_ACTION, a);
  if (get(g, BG_TERMINAL) != 0) return 2;

  let pos = get(g, BG_POS);
  if (a == 1) pos = max(0, pos - 1);
  else if (a == 2) pos = min(9, pos + 1);
  set(g, BG_POS, pos);

  const ballX = get(g, BG_BALL_X);
  const ballY = get(g, BG_BALL_Y);
  let dir = get(g, BG_BALL_DIR);
  set(g, BG_LAST_X, ballX);
  set(g, BG_LAST_Y, ballY);
  // Directions: 0 up-left, 1 up-right, 2 down-right, 3 down-left.
  let newX = dir == 1 || dir == 2 ? ballX + 1 : ballX - 1;
  let newY = dir < 2 ? ballY - 1 : ballY + 1;

  let reward = 0;
  let strikeToggle = false;
  if (newX < 0 || newX > 9) {
    newX = newX < 0 ? 0 : 9;
    dir = dir ^ 1; // [1, 0, 3, 2][dir]
  }
  const cell = bricks + <usize>(newY * 10 + newX);
  if (newY < 0) {
    newY = 0;
    dir = 3 - dir; // [3, 2, 1, 0][dir]
  } else if (load<u8>(cell) == 1) {
    strikeToggle = true;
    if (get(g, BG_STRIKE) == 0) {
      reward = 1;
      set(g, BG_STRIKE, 1);
      store<u8>(cell, 0);
      newY = ballY;
      dir = 3 - dir;
    }
  } else if (newY == 9) {
    if (cleared(bricks)) memory.fill(bricks + 10, 1, 30);
    if (ballX == pos) {
      dir = 3 - dir;
      newY = ballY;
    } else if (newX == pos) {
      dir = dir ^ 2; // [2, 3, 0, 1][dir]
      newY = ballY;
    } else {
      set(g, BG_TERMINAL, 1);
    }
  }
  if (!strikeToggle) set(g, BG_STRIKE, 0);
  set(g, BG_BALL_X, newX);
  set(g, BG_BALL_Y, newY);
  set(g, BG_BALL_DIR, dir);
  breakoutObserve(h);
  return reward | (get(g, BG_TERMINAL) << 1);
}
