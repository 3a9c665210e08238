// The Snake page: training runs in a worker (deepq/worker, the game's env
// module built there); this thread plays Snake greedily with the latest
// snapshot of the weights (deepq's policy runtime) and draws the board.
import { startTraining } from "../dist/worker.mjs";
import { learningCurveSvg, loadPolicy } from "../dist/deepq.mjs";
import { SnakeEnv, SNAKE_OPTIONS } from "./snake-game.mjs";

const FRAMES = 30_000; // as examples/snake/train.ts
const MOVE_MS = 90; // one move of the greedy game on the page
const SNAPSHOT_MS = 2000; // how often the page's player takes the latest weights
const SIZE = 9;

const $ = (id) => document.getElementById(id);
const ctx = $("board").getContext("2d");
const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");
const status = (text, error = false) => {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
};

/** What the page has done, for its test: moves drawn, snapshots taken, greedy games finished. */
const seen = (window.snakeDemo = { moves: 0, snapshots: 0, games: [], trainingGames: 0, done: false });

/** Draws the board from an observation: channel 0 the snake (1 at the head, fading to 0.5 at the tail), channel 1 the food. */
function draw(obs) {
  const cell = ctx.canvas.width / SIZE;
  ctx.fillStyle = "#fbfcfd";
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) {
      const i = (r * SIZE + c) * 2;
      if (obs[i + 1]) {
        ctx.fillStyle = "#d62728";
        ctx.beginPath();
        ctx.arc((c + 0.5) * cell, (r + 0.5) * cell, cell * 0.35, 0, 2 * Math.PI);
        ctx.fill();
      } else if (obs[i]) {
        ctx.fillStyle = obs[i] === 1 ? "#0b3d63" : `rgb(31 119 180 / ${Math.round(obs[i] * 100)}%)`;
        ctx.fillRect(c * cell + 2, r * cell + 2, cell - 4, cell - 4);
      }
    }
  }
  ctx.strokeStyle = "#e3e6eb";
  ctx.strokeRect(0.5, 0.5, ctx.canvas.width - 1, ctx.canvas.height - 1);
}

const game = new SnakeEnv();
let policy;
let observation = game.reset({ seed: 0 }).observation;
draw(observation);

/** One greedy move with the current snapshot; a finished game starts the next one. */
function move() {
  if (!policy) return;
  const r = game.step(policy.act(observation));
  observation = r.observation;
  seen.moves++;
  if (r.terminated || r.truncated) {
    seen.games.push(game.eaten);
    const last = seen.games.slice(-10);
    $("games").textContent = fmt(seen.games.length);
    $("eaten").textContent = fmt(last.reduce((a, b) => a + b, 0) / last.length, 2);
    observation = game.reset().observation;
  }
  draw(observation);
}

const training = startTraining({
  env: { module: new URL("./snake-game.mjs", import.meta.url).href },
  options: { ...SNAKE_OPTIONS, explorationFraction: 0.4, explorationFinalEps: 0.05, backend: "fused", seed: 0 },
  totalTimesteps: FRAMES,
});

const curve = [];
let lastChart = 0;
training.onProgress((e) => {
  $("timesteps").textContent = fmt(e.timesteps);
  $("episodes").textContent = fmt(e.episodes);
  $("epsilon").textContent = fmt(e.epsilon, 3);
  $("speed").textContent = fmt(e.stepsPerSecond);
  if (e.episodeReturn === undefined) return;
  seen.trainingGames++;
  curve.push({ timestep: e.timesteps, return: e.episodeReturn });
  if (performance.now() - lastChart > 1000) {
    lastChart = performance.now();
    $("chart").innerHTML = learningCurveSvg([{ label: "DQN, conv net (exploring)", episodes: curve }], { title: "Snake 9x9: return per training game (food +1, crash -1, -0.01 a move)", xLabel: "frames", yLabel: "return", width: 1040, height: 300 });
  }
});

/** Takes the latest weights for the page's player. */
async function refresh(bytes) {
  const next = await loadPolicy(bytes ?? (await training.snapshot()));
  policy?.dispose();
  policy = next;
  seen.snapshots++;
  $("snapshot").textContent = $("timesteps").textContent;
}

let paused = false;
$("pause").onclick = async () => {
  paused = !paused;
  $("pause").textContent = paused ? "Resume" : "Pause";
  await (paused ? training.pause() : training.resume());
  status(paused ? "Paused: the page keeps playing with the last snapshot." : "Training in the worker; the board plays the latest snapshot.");
};

try {
  const info = await training.ready;
  status(`Training ${fmt(FRAMES)} frames on the ${info.backend} engine in a worker; the board plays the latest snapshot.`);
  $("pause").disabled = false;
  await refresh();
  setInterval(move, MOVE_MS);
  const timer = setInterval(() => refresh().catch(() => {}), SNAPSHOT_MS);
  const final = await training.done;
  clearInterval(timer);
  await refresh(final);
  seen.done = true;
  $("pause").disabled = true;
  status(`Trained ${fmt(FRAMES)} frames. The board plays the final network.`);
} catch (e) {
  status(e.message, true);
}
