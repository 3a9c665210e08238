// The page: buttons talk to the training worker; the canvas and the stats
// show what it posts. Nothing here trains, so drawing stays smooth.
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const canvas = $("cartpole");
const ctx = canvas.getContext("2d");
const buttons = ["train", "pause", "watch", "save", "tensorboard", "load"].map($);
const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");

let frame = { state: [0, 0, 0, 0], mode: "idle", step: 0 };
let backendInUse = "auto"; // the select's value for the current agent, restored when a switch fails
let dirty = true;

function send(type, extra = {}, transfer = []) {
  worker.postMessage({ type, ...extra }, transfer);
}

function status(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

function setMode(mode) {
  $("mode").textContent = { idle: "paused", train: "training", watch: "watching (greedy)" }[mode];
  $("pause").disabled = mode === "idle";
  for (const b of [$("train"), $("watch"), $("save"), $("tensorboard"), $("load")]) b.disabled = false;
  $("train").textContent = mode === "train" ? "Training…" : "Train";
  frame.mode = mode;
  dirty = true;
}

worker.onmessage = ({ data: m }) => {
  switch (m.type) {
    case "ready":
      send("create", { backend: $("backend").value });
      break;
    case "agent":
      backendInUse = $("backend").value;
      $("engine").textContent = m.engine;
      $("timesteps").textContent = fmt(m.timesteps);
      $("episodes").textContent = fmt(m.episodes);
      for (const id of ["last-return", "mean100", "epsilon", "speed"]) $(id).textContent = "–";
      frame = { state: [0, 0, 0, 0], mode: "idle", step: 0 };
      dirty = true;
      $("report").replaceChildren(
        ...m.report.map((r) => {
          const li = document.createElement("li");
          li.className = r.chosen ? "chosen" : "";
          li.textContent = `${r.backend}: ${r.chosen ? "in use" : "skipped"} — ${r.reason}`;
          return li;
        }),
      );
      $("chart").innerHTML = '<p class="empty">The learning curve appears here once training starts.</p>';
      break;
    case "mode":
      $("timesteps").textContent = fmt(m.timesteps);
      $("episodes").textContent = fmt(m.episodes);
      setMode(m.mode);
      status(m.status);
      break;
    case "frame":
      frame = { ...m, mode: m.mode };
      dirty = true;
      break;
    case "episode":
      $("timesteps").textContent = fmt(m.timesteps);
      $("episodes").textContent = fmt(m.episodes);
      $("last-return").textContent = fmt(m.episodeReturn);
      $("mean100").textContent = fmt(m.meanReturn100, 1);
      $("epsilon").textContent = fmt(m.epsilon, 3);
      $("speed").textContent = fmt(m.stepsPerSecond);
      break;
    case "watched":
      $("last-return").textContent = fmt(m.episodeReturn);
      status(`Greedy episode: return ${m.episodeReturn}${m.episodeReturn >= 500 ? " (the maximum)" : ""}. Next one…`);
      break;
    case "chart":
      $("chart").innerHTML = m.svg;
      break;
    case "saved": {
      const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(new Blob([m.bytes])), download: "cartpole.deepq" });
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      status(`Saved cartpole.deepq (${fmt(m.bytes.byteLength)} bytes). Load it here, or run: npx deepq eval cartpole.deepq`);
      break;
    }
    case "tensorboard": {
      const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(new Blob([m.bytes])), download: m.fileName });
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      status(`Saved ${m.fileName} (${fmt(m.bytes.byteLength)} bytes). Put it in a folder and run: tensorboard --logdir <folder>`);
      break;
    }
    case "error":
      $("backend").value = backendInUse;
      setMode("idle");
      status(m.message, true);
      break;
  }
};
worker.onerror = (e) => status(`The training worker failed: ${e.message}`, true);

$("train").onclick = () => send("train");
$("pause").onclick = () => send("pause");
$("watch").onclick = () => send("watch");
$("save").onclick = () => send("save");
$("tensorboard").onclick = () => send("tensorboard");
$("load").onchange = async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  send("load", { bytes, backend: $("backend").value }, [bytes]);
  e.target.value = "";
};
$("backend").onchange = () => {
  status(`Starting a new agent on ${$("backend").value}…`);
  for (const b of buttons) b.disabled = true;
  send("create", { backend: $("backend").value });
};

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
  const what = { idle: "paused", train: "training (a snapshot of the env the agent learns on)", watch: `greedy play · step ${frame.step ?? 0}` }[frame.mode];
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
