// Training runs here, off the page's thread: the page only draws what this
// worker posts (env states, episode returns, the learning-curve SVG).
import { DQN, make, presets, learningCurveSvg, TensorBoardWriter } from "../dist/deepq.mjs";

const PRESET = presets["CartPole-v1"];
const FRAME_MS = 33; // post at most ~30 env states a second while training
const WATCH_MS = 20; // CartPole's tau: 0.02 s per step, real time when watching

let agent;
let tensorboard; // the TensorBoard event file of the current agent's training, in memory
let env; // the training env, wrapped so its states reach the page
let mode = "idle"; // idle | train | watch
let abort;
let episodes = []; // { timestep, return } for the chart
let lastChart = -Infinity;

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);

/** Passes every call to CartPole and posts its state now and then. */
class ShownEnv {
  constructor(inner) {
    this.inner = inner;
    this.observationSpace = inner.observationSpace;
    this.actionSpace = inner.actionSpace;
    this.spec = inner.spec;
    this.lastPost = 0;
  }
  reset(args) {
    return this.inner.reset(args);
  }
  step(action) {
    const r = this.inner.step(action);
    const now = performance.now();
    if (now - this.lastPost > FRAME_MS) {
      this.lastPost = now;
      post({ type: "frame", mode: "train", state: Array.from(this.inner.state) });
    }
    return r;
  }
}

function describeAgent(note) {
  post({ type: "agent", engine: agent.getBackend(), report: agent.backendReport(), timesteps: agent.timesteps, episodes: agent.episodes, note });
}

function setMode(next, status) {
  mode = next;
  post({ type: "mode", mode, status, timesteps: agent?.timesteps ?? 0, episodes: agent?.episodes ?? 0 });
}

let chartTimer;
/** Posts the chart at most every 400 ms, and once more after the last change. */
function chart() {
  const wait = lastChart + 400 - performance.now();
  if (wait > 0) {
    chartTimer ??= setTimeout(() => {
      chartTimer = undefined;
      chart();
    }, wait);
    return;
  }
  lastChart = performance.now();
  const svg = learningCurveSvg([{ label: `DQN (${agent.getBackend()})`, episodes }], { title: "CartPole-v1 learning curve", width: 1040, height: 340 });
  post({ type: "chart", svg });
}

async function create(backend) {
  stop();
  const shown = new ShownEnv(await make("CartPole-v1"));
  // An engine that cannot run here throws a BackendError: the current agent stays.
  const log = new TensorBoardWriter({ host: "browser" });
  const next = await DQN.create(shown, { ...PRESET.options, backend, seed: Math.floor(Math.random() * 2 ** 31), tensorboardLog: log });
  agent?.dispose();
  [agent, env, tensorboard] = [next, shown, log];
  episodes = [];
  describeAgent();
  setMode("idle", `Ready: ${PRESET.totalTimesteps.toLocaleString("en-US")} steps of the CartPole-v1 preset on the ${agent.getBackend()} engine. Press Train.`);
}

async function load(bytes, backend) {
  stop();
  const log = new TensorBoardWriter({ host: "browser" });
  const loaded = await DQN.load(bytes, { ...(backend === "auto" ? {} : { backend }), tensorboardLog: log });
  agent?.dispose();
  [agent, tensorboard] = [loaded, log];
  env = new ShownEnv(await make("CartPole-v1"));
  episodes = [];
  describeAgent();
  setMode("idle", `Loaded an agent trained for ${agent.timesteps.toLocaleString("en-US")} steps. Watch it play, or Train on.`);
}

function stop() {
  abort?.abort();
  abort = undefined;
  if (mode !== "idle") setMode("idle", "Paused.");
}

async function train() {
  if (mode === "train") return;
  stop();
  const fresh = agent.timesteps === 0;
  // The preset's budget first; after it, 10k more steps per press (exploration stays at its final rate).
  const steps = agent.timesteps < PRESET.totalTimesteps ? PRESET.totalTimesteps - agent.timesteps : 10_000;
  abort = new AbortController();
  const signal = abort.signal;
  setMode("train", `Training ${steps.toLocaleString("en-US")} steps…`);
  await agent.learn({
    totalTimesteps: steps,
    resetNumTimesteps: fresh,
    signal,
    env,
    callback: (e) => {
      if (e.episodeReturn === undefined) return;
      episodes.push({ timestep: e.timesteps, return: e.episodeReturn });
      post({ type: "episode", timesteps: e.timesteps, episodes: e.episodes, episodeReturn: e.episodeReturn, meanReturn100: e.meanReturn100, epsilon: e.epsilon, stepsPerSecond: e.stepsPerSecond });
      chart();
    },
  });
  if (!signal.aborted) setMode("idle", `Trained ${agent.timesteps.toLocaleString("en-US")} steps. Watch it play, Save it, or Train 10,000 more.`);
}

async function watch() {
  stop();
  const token = (abort = new AbortController()).signal;
  setMode("watch", "Watching the greedy policy (no exploration, no learning)…");
  const game = await make("CartPole-v1");
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  while (!token.aborted) {
    let { observation } = game.reset();
    let ret = 0;
    for (;;) {
      const r = game.step(agent.predict(observation));
      ret += r.reward;
      post({ type: "frame", mode: "watch", state: Array.from(game.state), step: ret });
      await sleep(WATCH_MS);
      if (token.aborted) return;
      if (r.terminated || r.truncated) break;
      observation = r.observation;
    }
    post({ type: "watched", episodeReturn: ret });
    await sleep(500);
  }
}

async function save() {
  const bytes = await agent.save();
  post({ type: "saved", bytes }, [bytes.buffer]);
}

function saveTensorBoard() {
  const bytes = tensorboard.bytes();
  post({ type: "tensorboard", bytes, fileName: tensorboard.fileName }, [bytes.buffer]);
}

const handlers = { create: (m) => create(m.backend), train, pause: stop, watch, save, tensorboard: saveTensorBoard, load: (m) => load(new Uint8Array(m.bytes), m.backend) };

self.onmessage = async ({ data }) => {
  try {
    await handlers[data.type](data);
  } catch (e) {
    mode = "idle";
    post({ type: "error", message: String(e?.message ?? e) });
  }
};

post({ type: "ready" });
