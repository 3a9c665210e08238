/**
 * deepq/worker: `learn` off the caller's thread, so a game's frame loop never
 * waits on training. `startTraining` runs the agent in a `worker_threads`
 * worker (Node, Bun) or a module `Worker` (browsers, Deno) and hands back a
 * {@link Training}: progress events, pause / resume / abort, and save files
 * of the weights at any time (`snapshot()`), which `loadPolicy` (deepq/policy)
 * turns into a policy the game acts with on its own thread.
 *
 * This entry is small: deepq itself loads in the worker only
 * (./worker/training-worker.ts, built beside this file).
 */
import { BackendError, DeepQError, DivergenceError, FormatError, InvalidArgumentError, InvalidStateError } from "./errors.ts";
import type { DQNOptions } from "./agent/options.ts";
import type { EnvSource, FromWorker, TensorBoardLog, ToWorker, TrainingEvent, TrainingInfo } from "./worker/protocol.ts";

export { DeepQError, InvalidArgumentError, InvalidStateError } from "./errors.ts";
/** @deprecated the event `onProgress` gives is {@link TrainingEvent} (a LearnEvent without `logger`, which stays in the worker). */
export type { TrainingEvent as LearnEvent } from "./worker/protocol.ts";
export type { DQNOptions } from "./agent/options.ts";
export type { TrainingInfo, EnvSource, TrainingEvent, TensorBoardLog } from "./worker/protocol.ts";
export type { BackendReportEntry } from "./nn/ladder.ts";

/** What `startTraining` takes. */
export interface StartTrainingOptions {
  /**
   * A registered env id (`"CartPole-v1"`), or `{ module, export? }`: the
   * absolute URL of an ES module (e.g. `new URL("./my-env.mjs", import.meta.url).href`)
   * whose export (default: `default`) is a function returning the `Env` (or a
   * promise of one). It runs in the worker, so the game's env code loads there.
   */
  env: EnvSource;
  /** DQN options (SB3 names), as `DQN.create` takes them; no functions (they cannot cross to a worker). Over the preset's, with `preset`. */
  options?: DQNOptions;
  /** Env steps to train for (default: the preset's, with `preset`). */
  totalTimesteps?: number;
  /** Take the registered env's preset: its options, budget and periodic evaluation. */
  preset?: boolean;
  /** A save file (`agent.save()`, `snapshot()`, `done`) to continue training from, counters and schedules included. */
  from?: Uint8Array;
  /** Keep a TensorBoard event file of the run (SB3's scalars) in the worker's memory: `training.tensorboardLog()` gives it. */
  tensorboard?: boolean;
}

/** A training run in a worker. */
export interface Training {
  /** Resolves once the agent is built (engine, its ladder report, starting counters); rejects as `done` does. */
  readonly ready: Promise<TrainingInfo>;
  /**
   * The final save file, once training ends; after `abort()`, the save file
   * of the weights at that moment. Rejects with a DeepQError when training
   * fails in the worker (bad options or env, divergence, a crash).
   */
  readonly done: Promise<Uint8Array>;
  /** Calls `callback` with each `learn` callback event (episode ends, evaluations). Returns the unsubscribe function. */
  onProgress(callback: (event: TrainingEvent) => void): () => void;
  /** Stops stepping between two env steps; resolves once the worker has stopped. */
  pause(): Promise<void>;
  /** Resumes stepping; resolves once the worker has restarted. */
  resume(): Promise<void>;
  /** Ends training between two env steps; `done` then resolves with the save file of that moment. */
  abort(): void;
  /** A save file of the current weights (readable by `loadPolicy` and `DQN.load`), taken between two env steps. */
  snapshot(): Promise<Uint8Array>;
  /** The TensorBoard event file so far (while it trains, up to 2 s of dumps behind: they are written in batches; the whole run once `done`); needs `tensorboard: true`. */
  tensorboardLog(): Promise<TensorBoardLog>;
}

/** What the worker answers a request with: a save file, a TensorBoard log, or nothing. */
interface Answer {
  bytes?: Uint8Array | undefined;
  log?: TensorBoardLog | undefined;
}

/** The two worker APIs, reduced to what a training run needs. */
interface Channel {
  send(message: ToWorker, transfer?: ArrayBuffer[]): void;
  terminate(): void;
}

/** The part of node:worker_threads' Worker used here (typed locally: the published types need no @types/node). */
interface NodeWorker {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  on(event: string, listener: (value: never) => void): void;
  terminate(): Promise<number>;
}

type Handlers = { message(m: FromWorker): void; crash(message: string): void };

const WORKER_FILE = "./training-worker.mjs";

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return Boolean(proc?.versions?.node) && !("Deno" in globalThis);
}

async function openChannel(url: URL, on: Handlers): Promise<Channel> {
  if (isNode()) {
    const specifier = "node:worker_threads"; // not a static import: browser bundles must not resolve it
    const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: new (url: URL) => NodeWorker };
    const w = new Worker(url);
    w.on("message", on.message);
    w.on("error", (e: Error) => on.crash(e.stack ?? e.message));
    w.on("exit", (code: number) => on.crash(`the training worker exited (code ${code})`));
    return { send: (m, t) => w.postMessage(m, t ?? []), terminate: () => void w.terminate() };
  }
  // A module worker must come from the page's origin: from a CDN, start it through a same-origin blob that imports the file.
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  let src: URL | string = url;
  if (origin !== undefined && origin !== url.origin && (url.protocol === "http:" || url.protocol === "https:")) {
    src = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: "text/javascript" }));
  }
  const w = new Worker(src, { type: "module" });
  w.onmessage = (e: MessageEvent<FromWorker>) => on.message(e.data);
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    on.crash(e.message || "the training worker failed to load or threw");
  };
  return { send: (m, t) => w.postMessage(m, t ?? []), terminate: () => w.terminate() };
}

const ERRORS: Record<string, new (message: string) => DeepQError> = { DeepQError, InvalidStateError, FormatError, BackendError, DivergenceError };

function rebuildError(m: Extract<FromWorker, { type: "error" }>): DeepQError {
  if (m.name === "InvalidArgumentError" && m.argument !== undefined) {
    const e = new InvalidArgumentError(m.argument, undefined, m.allowed ?? "");
    e.message = m.message;
    return e;
  }
  return new (ERRORS[m.name] ?? DeepQError)(m.message);
}

function checkEnvSource(env: unknown): EnvSource {
  if (typeof env === "string" && env !== "") return env;
  if (typeof env === "object" && env !== null && typeof (env as { module?: unknown }).module === "string") {
    const { module, export: name } = env as { module: string; export?: unknown };
    try {
      new URL(module);
    } catch {
      throw new InvalidArgumentError("env.module", module, "an absolute URL of an ES module (e.g. new URL(\"./env.mjs\", import.meta.url).href)");
    }
    if (name !== undefined && typeof name !== "string") throw new InvalidArgumentError("env.export", name, "the name of the module's export that makes the Env");
    return name === undefined ? { module } : { module, export: name };
  }
  throw new InvalidArgumentError("env", env, "a registered env id or { module, export? }");
}

function checkOptions(o: unknown): StartTrainingOptions {
  if (typeof o !== "object" || o === null) throw new InvalidArgumentError("startTraining options", o, "{ env, options?, totalTimesteps?, preset?, from?, tensorboard? }");
  const given = o as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!["env", "options", "totalTimesteps", "preset", "from", "tensorboard"].includes(k)) throw new InvalidArgumentError(k, given[k], "not set: startTraining takes env, options, totalTimesteps, preset, from and tensorboard");
  }
  const env = checkEnvSource(given.env);
  const options = given.options;
  if (options !== undefined) {
    if (typeof options !== "object" || options === null) throw new InvalidArgumentError("options", options, "an object of DQN options");
    for (const [k, v] of Object.entries(options)) if (typeof v === "function") throw new InvalidArgumentError(`options.${k}`, v, "a value that can be sent to a worker (not a function)");
  }
  const total = given.totalTimesteps;
  if (total !== undefined && !(Number.isInteger(total) && (total as number) >= 1)) throw new InvalidArgumentError("totalTimesteps", total, "a positive integer");
  if (given.preset !== undefined && typeof given.preset !== "boolean") throw new InvalidArgumentError("preset", given.preset, "true or false");
  if (given.preset === true && typeof env !== "string") throw new InvalidArgumentError("preset", true, "false for an env from a module (presets exist for registered env ids)");
  if (total === undefined && given.preset !== true) throw new InvalidArgumentError("totalTimesteps", total, "a positive integer (or preset: true, for the preset's budget)");
  if (given.from !== undefined && !(given.from instanceof Uint8Array)) throw new InvalidArgumentError("from", given.from, "a Uint8Array (a deepq save file)");
  if (given.tensorboard !== undefined && typeof given.tensorboard !== "boolean") throw new InvalidArgumentError("tensorboard", given.tensorboard, "true or false");
  if (given.tensorboard === true && options !== undefined && (options as Record<string, unknown>).tensorboardLog !== undefined)
    throw new InvalidArgumentError("options.tensorboardLog", (options as Record<string, unknown>).tensorboardLog, "not set with tensorboard: true (the worker keeps the log)");
  return given as unknown as StartTrainingOptions;
}

/**
 * Starts training in a worker: `learn` on the env, with the options (or the
 * env's preset), for `totalTimesteps`. Bad arguments throw here; what only the
 * worker can check (the env id, the options' values) rejects `ready` and `done`.
 */
export function startTraining(options: StartTrainingOptions): Training {
  const o = checkOptions(options);
  const listeners = new Set<(e: TrainingEvent) => void>();
  const pending = new Map<number, { resolve: (answer: Answer) => void; reject: (e: DeepQError) => void }>();
  let nextId = 0;
  let finished: { bytes?: Uint8Array; log?: TensorBoardLog; error?: DeepQError } | undefined;
  let resolveDone!: (b: Uint8Array) => void;
  let rejectDone!: (e: DeepQError) => void;
  let resolveReady!: (i: TrainingInfo) => void;
  let rejectReady!: (e: DeepQError) => void;
  const done = new Promise<Uint8Array>((res, rej) => ((resolveDone = res), (rejectDone = rej)));
  const ready = new Promise<TrainingInfo>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  // Callers that only await `done` must not see an unhandled rejection of `ready`, and vice versa.
  ready.catch(() => {});
  done.catch(() => {});

  const finish = (result: { bytes?: Uint8Array; log?: TensorBoardLog; error?: DeepQError }) => {
    if (finished) return;
    finished = result;
    channel.then((c) => c.terminate(), () => {});
    for (const p of pending.values()) (result.error ? p.reject(result.error) : p.resolve({ bytes: result.bytes, log: result.log }));
    pending.clear();
    if (result.error) {
      rejectReady(result.error);
      rejectDone(result.error);
    } else resolveDone(result.bytes!);
  };

  const handlers: Handlers = {
    message(m) {
      switch (m.type) {
        case "ready":
          return resolveReady(m.info);
        case "progress":
          for (const l of listeners) l(m.event);
          return;
        case "reply": {
          const p = pending.get(m.id);
          pending.delete(m.id);
          return p?.resolve({ bytes: m.bytes, log: m.log });
        }
        case "done":
          return finish({ bytes: m.bytes, log: m.log });
        case "error":
          return finish({ error: rebuildError(m) });
      }
    },
    crash: (message) => finish({ error: new DeepQError(`training failed in the worker: ${message}`) }),
  };

  const channel = openChannel(new URL(WORKER_FILE, import.meta.url), handlers);
  channel.then(
    (c) => c.send({ type: "start", env: o.env, options: o.options as Record<string, unknown> | undefined, totalTimesteps: o.totalTimesteps, preset: o.preset === true, from: o.from, tensorboard: o.tensorboard === true }),
    (e: Error) => handlers.crash(e.message),
  );

  const request = (type: "pause" | "resume" | "snapshot" | "tensorboard"): Promise<Answer> => {
    if (finished) return finished.error ? Promise.reject(finished.error) : Promise.resolve({ bytes: finished.bytes?.slice(), log: finished.log && { ...finished.log, bytes: finished.log.bytes.slice() } });
    const id = nextId++;
    const answer = new Promise<Answer>((resolve, reject) => pending.set(id, { resolve, reject }));
    void channel.then((c) => c.send({ type, id }));
    return answer;
  };

  return {
    ready,
    done,
    onProgress(callback) {
      if (typeof callback !== "function") throw new InvalidArgumentError("callback", callback, "a function");
      listeners.add(callback);
      return () => void listeners.delete(callback);
    },
    pause: () => request("pause").then(() => undefined),
    resume: () => request("resume").then(() => undefined),
    abort() {
      if (!finished) void channel.then((c) => c.send({ type: "abort" }));
    },
    async snapshot() {
      const { bytes } = await request("snapshot");
      if (!bytes) throw new InvalidStateError("no snapshot: the agent was not built (see training.done for why)");
      return bytes;
    },
    async tensorboardLog() {
      if (o.tensorboard !== true) throw new InvalidStateError("no TensorBoard log: start the training with tensorboard: true");
      const { log } = await request("tensorboard");
      if (!log) throw new InvalidStateError("no TensorBoard log: the agent was not built (see training.done for why)");
      return log;
    },
  };
}
