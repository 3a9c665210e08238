// The page: training runs in a worker through deepq/worker's startTraining;
// this thread only draws. While training, the canvas plays CartPole here, on
// the page's own thread, with the latest snapshot of the weights (deepq's
// policy runtime), as a game would.
import { startTraining } from "../dist/worker.mjs";
import { learningCurveSvg, loadPolicy, make, presets } from "../dist/deepq.mjs";

const PRESET = presets["CartPole-v1"];
const MORE = 10_000; // steps per Train press once the preset's budget is spent
const STEP_MS = 20; // CartPole's tau: 0.02 s per step, real time
const SNAPSHOT_MS = 2000; // how often the canvas's policy takes the latest weights

const $ = (id) => document.getElementById(id);
const canvas = $("cartpole");
const ctx = canvas.getContext("2d");
const buttons = ["train", "pause", "watch", "save", "tensorboard", "load"].map($);
const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");

let frame = { state: [0, 0, 0, 0], mode: "idle", step: 0 };
let backendInUse = "auto"; // the select's value for the current agent, restored when a switch fails
let dirty = true;
let mode = "idle"; // idle | train | watch
/** The training run (paused when idle or watching); `finished` holds its final save file once it ends. */
let run;
let episodes = []; // { timestep, return } for the chart
let timesteps = 0;
let player; // the greedy CartPole game on this thread: { stop() }

function status(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

function setMode(next, text) {
  mode = next;
  $("mode").textContent = { idle: "paused", train: "training", watch: "watching (greedy)" }[mode];
  $("pause").disabled = mode === "idle";
  for (const b of [$("train"), $("watch"), $("save"), $("tensorboard"), $("load")]) b.disabled = false;
  $("train").textContent = mode === "train" ? "Training…" : "Train";
  frame.mode = mode;
  dirty = true;
  if (text) status(text);
}

/** Makes `training` the page's run: its progress fills the stats and chart, its end keeps its final save file. */
function adopt(training) {
  const current = { training, finished: undefined };
  run = current;
  training.onProgress(progress);
  training.done.then(
    (bytes) => {
      if (run !== current) return;
      current.finished = bytes;
      if (mode === "train") finishTraining();
    },
    (e) => {
      if (run !== current) return;
      stopPlaying();
      setMode("idle");
      status(e.message, true);
    },
  );
}

/** Starts a run, paused at once (Train resumes it); once its agent is built it replaces the current run, else the current one stays. */
async function begin(args, describe) {
  const next = startTraining({ env: "CartPole-v1", tensorboard: true, ...args });
  next.pause().catch(() => {}); // a run that fails to start says why through `ready`
  let info;
  try {
    info = await next.ready;
  } catch (e) {
    $("backend").value = backendInUse;
    for (const b of buttons) b.disabled = false;
    status(e.message, true);
    return;
  }
  stopPlaying();
  run?.training.abort();
  adopt(next);
  backendInUse = $("backend").value;
  timesteps = info.timesteps;
  episodes = [];
  $("engine").textContent = info.backend;
  $("timesteps").textContent = fmt(info.timesteps);
  $("episodes").textContent = fmt(info.episodes);
  for (const id of ["last-return", "mean100", "epsilon", "speed"]) $(id).textContent = "–";
  $("report").replaceChildren(
    ...info.backendReport.map((r) => {
      const li = document.createElement("li");
      li.className = r.chosen ? "chosen" : "";
      li.textContent = `${r.backend}: ${r.chosen ? "in use" : "skipped"} — ${r.reason}`;
      return li;
    }),
  );
  $("chart").innerHTML = '<p class="empty">The learning curve appears here once training starts.</p>';
  frame = { state: [0, 0, 0, 0], mode: "idle", step: 0 };
  setMode("idle", describe(info));
}

const create = (backend) =>
  begin({ options: { ...PRESET.options, backend, seed: Math.floor(Math.random() * 2 ** 31) }, totalTimesteps: PRESET.totalTimesteps }, (info) =>
    `Ready: ${fmt(info.totalTimesteps)} steps of the CartPole-v1 preset on the ${info.backend} engine. Press Train.`,
  );

const load = (bytes, backend) =>
  begin({ from: bytes, totalTimesteps: MORE, ...(backend === "auto" ? {} : { options: { backend } }) }, (info) =>
    `Loaded an agent trained for ${fmt(info.timesteps)} steps. Watch it play, or Train on (${fmt(MORE)} steps).`,
  );

let lastChart = -Infinity;
let chartTimer;
/** Redraws the chart at most every 400 ms, and once more after the last change. */
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
  $("chart").innerHTML = learningCurveSvg([{ label: `DQN (${$("engine").textContent})`, episodes }], { title: "CartPole-v1 learning curve", width: 1040, height: 340 });
}

function progress(e) {
  timesteps = e.timesteps;
  $("timesteps").textContent = fmt(e.timesteps);
  $("episodes").textContent = fmt(e.episodes);
  if (e.episodeReturn === undefined) return;
  episodes.push({ timestep: e.timesteps, return: e.episodeReturn });
  $("last-return").textContent = fmt(e.episodeReturn);
  $("mean100").textContent = fmt(e.meanReturn100, 1);
  $("epsilon").textContent = fmt(e.epsilon, 3);
  $("speed").textContent = fmt(e.stepsPerSecond);
  chart();
}

function finishTraining() {
  stopPlaying();
  setMode("idle", `Trained ${fmt(timesteps)} steps. Watch it play, Save it, or Train ${fmt(MORE)} more.`);
}

async function train() {
  if (mode === "train") return;
  stopPlaying();
  if (run.finished) {
    // The run's budget is spent: go on from its final weights, counters and schedules.
    adopt(startTraining({ env: "CartPole-v1", tensorboard: true, from: run.finished, totalTimesteps: MORE, ...(backendInUse === "auto" ? {} : { options: { backend: backendInUse } }) }));
  } else {
    await run.training.resume();
  }
  setMode("train", "Training in a worker; the canvas plays the latest weights on this page's thread…");
  play("train");
}

async function pause() {
  stopPlaying();
  if (!run.finished) await run.training.pause();
  setMode("idle", "Paused.");
}

async function watch() {
  if (!run.finished) await run.training.pause();
  stopPlaying();
  setMode("watch", "Watching the greedy policy (no exploration, no learning)…");
  play("watch");
}

/** Greedy CartPole episodes on this thread with the run's latest weights, refreshed every SNAPSHOT_MS while training. */
function play(kind) {
  let stopped = false;
  player = { stop: () => (stopped = true) };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  (async () => {
    const game = await make("CartPole-v1");
    let policy = await loadPolicy(await run.training.snapshot());
    let fetched = performance.now();
    while (!stopped) {
      let { observation } = game.reset();
      let ret = 0;
      for (;;) {
        if (kind === "train" && performance.now() - fetched > SNAPSHOT_MS) {
          fetched = performance.now();
          const next = await loadPolicy(await run.training.snapshot());
          policy.dispose();
          policy = next;
        }
        if (stopped) return policy.dispose();
        const r = game.step(policy.act(observation));
        ret += r.reward;
        frame = { state: Array.from(game.state), mode: kind, step: ret };
        dirty = true;
        await sleep(STEP_MS);
        if (r.terminated || r.truncated) break;
        observation = r.observation;
      }
      if (kind === "watch") {
        $("last-return").textContent = fmt(ret);
        status(`Greedy episode: return ${ret}${ret >= 500 ? " (the maximum)" : ""}. Next one…`);
        await sleep(500);
      }
    }
    policy.dispose();
  })().catch((e) => status(e.message, true));
}

function stopPlaying() {
  player?.stop();
  player = undefined;
}

async function save() {
  const bytes = run.finished ?? (await run.training.snapshot());
  const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(new Blob([bytes])), download: "cartpole.deepq" });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  status(`Saved cartpole.deepq (${fmt(bytes.byteLength)} bytes). Load it here, or run: npx deepq eval cartpole.deepq`);
}

async function saveTensorBoard() {
  const { fileName, bytes } = await run.training.tensorboardLog();
  const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(new Blob([bytes])), download: fileName });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  status(`Saved ${fileName} (${fmt(bytes.byteLength)} bytes). Put it in a folder and run: tensorboard --logdir <folder>`);
}

const guard = (fn) => () => fn().catch((e) => status(e.message, true));
$("train").onclick = guard(train);
$("pause").onclick = guard(pause);
$("watch").onclick = guard(watch);
$("save").onclick = guard(save);
$("tensorboard").onclick = guard(saveTensorBoard);
$("load").onchange = async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  e.target.value = "";
  await load(bytes, $("backend").value);
};
$("backend").onchange = () => {
  status(`Starting a new agent on ${$("backend").value}…`);
  for (const b of buttons) b.disabled = true;
  create($("backend").value);
};
create($("backend").value);

// ------------------------------------------------------------------ drawing

const X_LIMIT = 2.4; // CartPole terminates beyond |x| = 2.4
const THETA_LIMIT = (12 * Math.PI) / 180;

function draw() {
  const { width: w, height: h } = canvas;
  const [x, , theta] = frame.state;
  const scale = w / (2 * X_LIMIT + 0.4); // world metres -> pixels, the track's ends in view
  const cx = w / 2 + x * scale;
  const trackY = h - 70;
  const cartW = 0.5 * scale;
  const cartH = 0.3 * scale;
  const poleLen = 1.0 * scale; // Gymnasium's pole: half-length 0.5, drawn full length

  ctx.clearRect(0, 0, w, h);
  // Track with its termination marks.
  ctx.strokeStyle = "#c5cad3";
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(0, trackY);
  ctx.lineTo(w, trackY);
  ctx.stroke();
  ctx.fillStyle = "#e8b4b4";
  for (const edge of [-X_LIMIT, X_LIMIT]) ctx.fillRect(w / 2 + edge * scale - 1.5, trackY - 12, 3, 24);

  // Cart.
  const danger = Math.abs(theta) > THETA_LIMIT || Math.abs(x) > X_LIMIT;
  ctx.fillStyle = "#1d2330";
  ctx.beginPath();
  ctx.roundRect(cx - cartW / 2, trackY - cartH - 6, cartW, cartH, 6);
  ctx.fill();
  ctx.fillStyle = "#667085";
  for (const dx of [-cartW / 3, cartW / 3]) {
    ctx.beginPath();
    ctx.arc(cx + dx, trackY - 6, 6, 0, 2 * Math.PI);
    ctx.fill();
  }
  // Pole from the cart's top, at angle theta from vertical (positive leans right).
  const px = cx;
  const py = trackY - cartH - 6;
  ctx.strokeStyle = danger ? "#d62728" : "#e0913c";
  ctx.lineWidth = 10;
  ctx.lineCap = "round";
  ctx.beginPath();
  ctx.moveTo(px, py);
  ctx.lineTo(px + poleLen * Math.sin(theta), py - poleLen * Math.cos(theta));
  ctx.stroke();
  ctx.fillStyle = "#8c99ad";
  ctx.beginPath();
  ctx.arc(px, py, 5, 0, 2 * Math.PI);
  ctx.fill();

  // Caption.
  ctx.fillStyle = "#667085";
  ctx.font = "13px system-ui, sans-serif";
  const what = { idle: "paused", train: "training in a worker · the latest weights play here", watch: `greedy play · step ${frame.step ?? 0}` }[frame.mode];
  ctx.fillText(what, 12, 22);
  ctx.fillText(`x ${x.toFixed(2)} m   θ ${((theta * 180) / Math.PI).toFixed(1)}°`, 12, h - 20);
}

(function loop() {
  if (dirty) {
    dirty = false;
    draw();
  }
  requestAnimationFrame(loop);
})();
