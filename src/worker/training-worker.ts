/**
 * The training worker that `startTraining` (src/worker.ts) starts: builds the
 * env and the agent, runs `learn` and answers pause, resume, snapshot and
 * abort between env steps (`learn` yields to the event loop about every
 * 50 ms, which is when messages arrive). Pausing aborts the running `learn`
 * call; resuming starts another that continues the same counters and
 * schedules (`resetNumTimesteps: false`) on the same env, so a paused run
 * ends where an unpaused one would.
 */
import { DeepQError, DQN, InvalidArgumentError, make, presets, TensorBoardWriter, type DQNOptions, type Env, type LearnOptions, type VecEnv } from "../index.ts";
import type { EnvSource, FromWorker, StartMessage, TensorBoardLog, ToWorker } from "./protocol.ts";

interface Port {
  post(message: FromWorker, transfer?: ArrayBuffer[]): void;
  listen(handler: (message: ToWorker) => void): void;
}

/** worker_threads' parentPort in Node and Bun, the worker's global scope in browsers and Deno. */
async function parentPort(): Promise<Port> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node && !("Deno" in globalThis)) {
    const specifier = "node:worker_threads"; // not a static import: browser bundles must not resolve it
    const { parentPort: port } = (await import(/* @vite-ignore */ specifier)) as { parentPort: { postMessage(m: unknown, t: ArrayBuffer[]): void; on(event: "message", h: (m: ToWorker) => void): void } };
    return { post: (m, t) => port.postMessage(m, t ?? []), listen: (h) => port.on("message", h) };
  }
  const scope = globalThis as unknown as { postMessage(m: unknown, t: ArrayBuffer[]): void; addEventListener(type: "message", h: (e: { data: ToWorker }) => void): void };
  return { post: (m, t) => scope.postMessage(m, t ?? []), listen: (h) => scope.addEventListener("message", (e) => h(e.data)) };
}

async function makeEnv(source: EnvSource): Promise<Env | VecEnv> {
  if (typeof source === "string") return make(source);
  const mod = (await import(/* @vite-ignore */ source.module)) as Record<string, unknown>;
  const name = source.export ?? "default";
  const factory = mod[name];
  if (typeof factory !== "function") throw new InvalidArgumentError("env.export", name, `the name of a function exported by ${source.module} that returns an Env (it exports ${Object.keys(mod).join(", ") || "nothing"})`);
  return (await factory()) as Env | VecEnv;
}

const port = await parentPort();
let agent: DQN | undefined;
/** The run's TensorBoard event file, in memory (`tensorboard: true`). */
let tensorboard: TensorBoardWriter | undefined;
const tensorboardLog = (): TensorBoardLog | undefined => tensorboard && { fileName: tensorboard.fileName, bytes: tensorboard.bytes() };
let learning: AbortController | undefined;
let paused = false;
let aborted = false;
/** Replies owed once the loop has stopped (pause) or restarted (resume) stepping. */
let owedOnStop: number[] = [];
let owedOnStart: number[] = [];
let wake: (() => void) | undefined;
let agentReady: (a: DQN | undefined) => void;
const agentPromise = new Promise<DQN | undefined>((r) => (agentReady = r));

function wakeUp(): void {
  const w = wake;
  wake = undefined;
  w?.();
}

const reply = (id: number, bytes?: Uint8Array) => port.post({ type: "reply", id, ...(bytes ? { bytes } : {}) }, bytes ? [bytes.buffer as ArrayBuffer] : []);
const settle = (ids: number[]) => ids.splice(0).forEach((id) => reply(id));

async function train(m: StartMessage): Promise<void> {
  const preset = m.preset ? presets[m.env as string] : undefined;
  if (m.preset && !preset) throw new InvalidArgumentError("preset", true, `false for env ${JSON.stringify(m.env)}: presets exist for ${Object.keys(presets).join(", ")}`);
  const env = await makeEnv(m.env);
  if (m.tensorboard) tensorboard = new TensorBoardWriter({ host: "worker" });
  const logTo = tensorboard ? { tensorboardLog: tensorboard } : {};
  const options = { ...(preset?.options ?? {}), ...(m.options ?? {}), ...logTo } as DQNOptions;
  agent = m.from ? await DQN.load(m.from, { env, ...logTo, ...(options.backend ? { backend: options.backend } : {}) }) : await DQN.create(env, options);
  // A loaded agent resumes from the observations it was saved with, as if on the env it ran on; this env is a new one, so start it.
  if (m.from) env.reset();
  agentReady(agent);
  const total = m.totalTimesteps ?? preset?.totalTimesteps;
  if (total === undefined) throw new InvalidArgumentError("totalTimesteps", undefined, "a positive integer (or preset: true, for the preset's budget)");
  // The preset as tuned: its evaluation, keepBest and early stop.
  const evaluation: LearnOptions["eval"] = preset ? { env: await make(m.env as string), ...preset.evaluation } : undefined;
  const end = agent.timesteps + total;
  let fresh = !m.from;
  port.post({ type: "ready", info: { backend: agent.getBackend(), backendReport: agent.backendReport(), timesteps: agent.timesteps, episodes: agent.episodes, totalTimesteps: total } });
  while (!aborted && (fresh || agent.timesteps < end)) {
    if (paused) {
      settle(owedOnStop);
      await new Promise<void>((r) => (wake = r));
      continue;
    }
    settle(owedOnStart);
    learning = new AbortController();
    await agent.learn({
      totalTimesteps: fresh ? total : end - agent.timesteps,
      resetNumTimesteps: fresh,
      signal: learning.signal,
      ...(evaluation ? { eval: evaluation } : {}),
      callback: ({ logger: _logger, ...event }) => port.post({ type: "progress", event }),
    });
    const interrupted = learning.signal.aborted;
    learning = undefined;
    fresh = false;
    // Not paused or aborted: the budget is spent, or the preset's evaluation stopped training early.
    if (!interrupted) break;
  }
  const bytes = await agent.save();
  const log = tensorboardLog();
  port.post({ type: "done", bytes, ...(log ? { log } : {}) }, [bytes.buffer as ArrayBuffer, ...(log ? [log.bytes.buffer as ArrayBuffer] : [])]);
}

function fail(e: unknown): void {
  agentReady(undefined);
  const err = e as Error & { argument?: string; allowed?: string };
  const known = e instanceof DeepQError;
  port.post({ type: "error", name: known ? err.name : "DeepQError", message: known ? err.message : `training crashed in the worker: ${err?.stack ?? String(e)}`, ...(err instanceof InvalidArgumentError ? { argument: err.argument, allowed: err.allowed } : {}) });
}

port.listen((m) => {
  switch (m.type) {
    case "start":
      train(m).catch(fail);
      break;
    case "pause":
      paused = true;
      owedOnStop.push(m.id);
      if (learning) learning.abort();
      else settle(owedOnStop); // not stepping: not started, already paused, or finished
      break;
    case "resume":
      paused = false;
      owedOnStart.push(m.id);
      if (wake) wakeUp();
      else if (!learning) settle(owedOnStart);
      break;
    case "abort":
      aborted = true;
      learning?.abort();
      wakeUp();
      break;
    case "snapshot":
      void agentPromise.then(async (a) => reply(m.id, a ? await a.save() : undefined));
      break;
    case "tensorboard":
      void agentPromise.then(() => {
        const log = tensorboardLog();
        port.post({ type: "reply", id: m.id, ...(log ? { log } : {}) }, log ? [log.bytes.buffer as ArrayBuffer] : []);
      });
      break;
  }
});
