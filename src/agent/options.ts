/**
 * DQN options: Stable-Baselines3's names in camelCase, its defaults, and the
 * validation every option gets. Unknown names are errors (a typo must not
 * silently train something else).
 */
import { InvalidArgumentError } from "../errors.ts";
import { checkBool, checkInt, checkKnownKeys, checkNumber, checkOneOf, checkOptions } from "../validate.ts";
import { linearSchedule, type EpsilonSchedule } from "./schedules.ts";
import { BACKEND_OPTIONS, checkLearningRate, type BackendOption } from "../nn/engine.ts";
import { checkDuelingArch } from "../nn/spec.ts";
import { MAX_BATCH_SIZE, MAX_WIDTH } from "../limits.ts";
import { TensorBoardWriter } from "../io/tensorboard-writer.ts";
import { fileSystem } from "../io/event-file.ts";
import { parseNetArch, type ConvNetArch, type ConvOptions } from "../nn/conv.ts";

/** The engine that runs the Q-network: see `DQNOptions.backend`. */
export type BackendName = BackendOption;

/** Prioritized experience replay (Schaul et al. 2016), proportional variant. */
export interface PrioritizedReplayOptions {
  /** Prioritisation exponent (0 = uniform). Default 0.6. */
  alpha?: number;
  /** Initial importance-sampling exponent, annealed linearly to `betaFinal` over training. Default 0.4. */
  beta?: number;
  /** Default 1. */
  betaFinal?: number;
  /** Added to |TD error| so no transition gets priority 0. Default 1e-6. */
  epsilon?: number;
}

/** SB3's learning-rate schedule: the step size for the remaining progress, 1 (start) to 0 (end). */
export type LearningRateSchedule = (progressRemaining: number) => number;

/** The learning rate a schedule gives at `progressRemaining`, checked: a function may return anything. */
export function scheduledLearningRate(lr: number | LearningRateSchedule, progressRemaining: number): number {
  if (typeof lr === "number") return lr;
  return checkLearningRate(lr(progressRemaining), "options.learningRate");
}

/**
 * Options of `DQN.create`: Stable-Baselines3's DQN arguments in camelCase,
 * with SB3's defaults, plus deepq's extensions. Unknown names throw.
 */
export interface DQNOptions {
  /**
   * Adam step size, or a schedule of it as SB3's: a function of the
   * remaining progress (1 at the start of `learn`, 0 at its end), called
   * before each training round. SB3 default 1e-4.
   */
  learningRate?: number | LearningRateSchedule;
  /** Replay buffer capacity in transitions. Default 1,000,000. */
  bufferSize?: number;
  /** Env steps of uniformly random actions before training starts. Default 100. */
  learningStarts?: number;
  /** Transitions per gradient step. Default 32. */
  batchSize?: number;
  /** Discount factor. Default 0.99. */
  gamma?: number;
  /** Train every `n` env steps (per env of a vector env), or every `n` episodes. Default 4 (steps). */
  trainFreq?:
    | number
    | {
        /** How many units between training rounds. */
        n: number;
        /** Counted in env steps or in finished episodes. */
        unit: "step" | "episode";
      };
  /** Gradient steps per training round; -1 = as many as env steps collected in the round. Default 1. */
  gradientSteps?: number;
  /** Env steps between target-network updates. Default 10,000. */
  targetUpdateInterval?: number;
  /** 1 = hard copy; < 1 = Polyak (soft) update at every target update. Default 1. */
  tau?: number;
  /** Fraction of the training run over which epsilon falls linearly. Default 0.1. */
  explorationFraction?: number;
  /** Epsilon at the start. Default 1. */
  explorationInitialEps?: number;
  /** Epsilon after the decay. Default 0.05. */
  explorationFinalEps?: number;
  /** Replaces the linear schedule: epsilon as a function of (timestep, episode). Default: the linear schedule of the three options above. */
  epsilonSchedule?: EpsilonSchedule;
  /**
   * Hidden layer widths (an MLP on the flattened observation), or conv
   * layers then hidden widths for observations of shape [H, W, C]:
   * `{ conv: [{ filters: 16, kernel: 3, stride: 1, padding: "valid" }], dense: [128] }`.
   * Default [64, 64].
   */
  netArch?: number[] | ConvNetArch;
  /** Dueling heads (Wang et al. 2016): Q = V + A - mean(A). Default false. */
  dueling?: boolean;
  /** Double DQN targets (van Hasselt et al. 2016): the online net picks, the target net rates. Default false. */
  doubleQ?: boolean;
  /** TD loss: "huber" (smooth L1, as SB3) or "mse". Default "huber". */
  loss?: "huber" | "mse";
  /** Global gradient-norm clip; `Infinity` (or 0) disables it. Default 10. */
  maxGradNorm?: number;
  /** Prioritized replay: true for the defaults, or its options. Default off. */
  prioritizedReplay?: boolean | PrioritizedReplayOptions;
  /** n-step returns. Default 1. */
  nSteps?: number;
  /** Seeds the agent's exploration, network initialisation and replay sampling (and the env's first reset in `learn`). Default 0. */
  seed?: number;
  /** "auto" (default) picks WebGPU, fused, tfjs wasm or cpu (see `agent.backendReport()`); or name one. */
  backend?: BackendName;
  /**
   * TensorBoard logging, as SB3's `tensorboard_log`: a folder (Node, Deno,
   * Bun), where each `learn` writes a run `<folder>/<tbLogName>_<n>`; or a
   * `TensorBoardWriter` (any runtime), whose `bytes()` are the event file.
   * Not written into save files. Default: no logging.
   */
  tensorboardLog?: string | TensorBoardWriter;
}

/** Every option with its default filled in. */
export interface ResolvedOptions {
  /** {@inheritDoc DQNOptions.learningRate} */
  learningRate: number | LearningRateSchedule;
  /** {@inheritDoc DQNOptions.bufferSize} */
  bufferSize: number;
  /** {@inheritDoc DQNOptions.learningStarts} */
  learningStarts: number;
  /** {@inheritDoc DQNOptions.batchSize} */
  batchSize: number;
  /** {@inheritDoc DQNOptions.gamma} */
  gamma: number;
  /** {@link DQNOptions.trainFreq} as `{ n, unit }` (a bare number is `n` steps). */
  trainFreq: {
    /** How many units between training rounds. */
    n: number;
    /** Counted in env steps or in finished episodes. */
    unit: "step" | "episode";
  };
  /** {@inheritDoc DQNOptions.gradientSteps} */
  gradientSteps: number;
  /** {@inheritDoc DQNOptions.targetUpdateInterval} */
  targetUpdateInterval: number;
  /** {@inheritDoc DQNOptions.tau} */
  tau: number;
  /** {@inheritDoc DQNOptions.explorationFraction} */
  explorationFraction: number;
  /** {@inheritDoc DQNOptions.explorationInitialEps} */
  explorationInitialEps: number;
  /** {@inheritDoc DQNOptions.explorationFinalEps} */
  explorationFinalEps: number;
  /** {@inheritDoc DQNOptions.epsilonSchedule} */
  epsilonSchedule: EpsilonSchedule | undefined;
  /** Hidden widths, or conv layers (defaults filled in) and hidden widths. */
  netArch:
    | number[]
    | {
        /** The conv layers, defaults filled in. */
        conv: ConvOptions[];
        /** The hidden widths after them. */
        dense: number[];
      };
  /** {@inheritDoc DQNOptions.dueling} */
  dueling: boolean;
  /** {@inheritDoc DQNOptions.doubleQ} */
  doubleQ: boolean;
  /** {@inheritDoc DQNOptions.loss} */
  loss: "huber" | "mse";
  /** {@inheritDoc DQNOptions.maxGradNorm} */
  maxGradNorm: number;
  /** {@link DQNOptions.prioritizedReplay}'s settings, every one filled in; undefined for uniform replay. */
  prioritizedReplay: Required<PrioritizedReplayOptions> | undefined;
  /** {@inheritDoc DQNOptions.nSteps} */
  nSteps: number;
  /** {@inheritDoc DQNOptions.seed} */
  seed: number;
  /** {@inheritDoc DQNOptions.backend} */
  backend: BackendName;
  /** {@inheritDoc DQNOptions.tensorboardLog} */
  tensorboardLog: string | TensorBoardWriter | undefined;
}

/** Stable-Baselines3 DQN defaults. */
export const DEFAULTS: Omit<ResolvedOptions, "seed" | "tensorboardLog"> = {
  learningRate: 1e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 32,
  gamma: 0.99,
  trainFreq: { n: 4, unit: "step" },
  gradientSteps: 1,
  targetUpdateInterval: 10_000,
  tau: 1,
  explorationFraction: 0.1,
  explorationInitialEps: 1,
  explorationFinalEps: 0.05,
  epsilonSchedule: undefined,
  netArch: [64, 64],
  dueling: false,
  doubleQ: false,
  loss: "huber",
  maxGradNorm: 10,
  prioritizedReplay: undefined,
  nSteps: 1,
  backend: "auto",
};

export const OPTION_NAMES = Object.keys({ ...DEFAULTS, seed: 0, tensorboardLog: undefined }) as (keyof DQNOptions)[];

const PER_DEFAULTS: Required<PrioritizedReplayOptions> = { alpha: 0.6, beta: 0.4, betaFinal: 1, epsilon: 1e-6 };

export function resolveOptions(input: unknown): ResolvedOptions {
  const o = checkOptions("options", input) as DQNOptions;
  checkKnownKeys("options", o, OPTION_NAMES);
  const r: ResolvedOptions = { ...DEFAULTS, netArch: [...(DEFAULTS.netArch as number[])], seed: 0, tensorboardLog: undefined };
  const has = (k: keyof DQNOptions) => o[k] !== undefined;

  if (has("learningRate")) {
    r.learningRate = typeof o.learningRate === "function" ? o.learningRate : checkLearningRate(o.learningRate, "options.learningRate");
  }
  if (has("bufferSize")) r.bufferSize = checkInt("options.bufferSize", o.bufferSize, { min: 1, max: 2 ** 26 });
  if (has("learningStarts")) r.learningStarts = checkInt("options.learningStarts", o.learningStarts, { min: 0 });
  if (has("batchSize")) r.batchSize = checkInt("options.batchSize", o.batchSize, { min: 1, max: MAX_BATCH_SIZE });
  if (r.batchSize > r.bufferSize) throw new InvalidArgumentError("options.batchSize", r.batchSize, `an integer <= options.bufferSize (${r.bufferSize})`);
  if (has("gamma")) r.gamma = checkNumber("options.gamma", o.gamma, { min: 0, max: 1 });
  if (has("trainFreq")) {
    const tf = o.trainFreq;
    if (typeof tf === "number") r.trainFreq = { n: checkInt("options.trainFreq", tf, { min: 1 }), unit: "step" };
    else if (tf !== null && typeof tf === "object" && !Array.isArray(tf)) {
      checkKnownKeys("options.trainFreq", tf, ["n", "unit"]);
      r.trainFreq = { n: checkInt("options.trainFreq.n", tf.n, { min: 1 }), unit: checkOneOf("options.trainFreq.unit", tf.unit, ["step", "episode"] as const) };
    } else throw new InvalidArgumentError("options.trainFreq", tf, 'a positive integer or { n, unit: "step" | "episode" }');
  }
  if (has("gradientSteps")) {
    const g = checkInt("options.gradientSteps", o.gradientSteps, { min: -1 });
    if (g === 0) throw new InvalidArgumentError("options.gradientSteps", g, "a positive integer, or -1 for one per env step collected");
    r.gradientSteps = g;
  }
  if (has("targetUpdateInterval")) r.targetUpdateInterval = checkInt("options.targetUpdateInterval", o.targetUpdateInterval, { min: 1 });
  if (has("tau")) r.tau = checkNumber("options.tau", o.tau, { min: 0, max: 1, minExclusive: true });
  if (has("explorationFraction")) r.explorationFraction = checkNumber("options.explorationFraction", o.explorationFraction, { min: 0, max: 1 });
  if (has("explorationInitialEps")) r.explorationInitialEps = checkNumber("options.explorationInitialEps", o.explorationInitialEps, { min: 0, max: 1 });
  if (has("explorationFinalEps")) r.explorationFinalEps = checkNumber("options.explorationFinalEps", o.explorationFinalEps, { min: 0, max: 1 });
  if (has("epsilonSchedule")) {
    if (typeof o.epsilonSchedule !== "function") throw new InvalidArgumentError("options.epsilonSchedule", o.epsilonSchedule, "a function (timestep, episode) => number in [0, 1]");
    r.epsilonSchedule = o.epsilonSchedule;
  }
  if (has("netArch")) {
    const { conv, dense } = parseNetArch(o.netArch);
    r.netArch = conv.length > 0 ? { conv, dense } : dense;
  }
  if (has("dueling")) r.dueling = checkBool("options.dueling", o.dueling);
  checkDuelingArch(r.dueling, hiddenWidths(r));
  if (has("doubleQ")) r.doubleQ = checkBool("options.doubleQ", o.doubleQ);
  if (has("loss")) r.loss = checkOneOf("options.loss", o.loss, ["huber", "mse"] as const);
  if (has("maxGradNorm")) {
    const m = o.maxGradNorm;
    r.maxGradNorm = m === Infinity ? Infinity : checkNumber("options.maxGradNorm", m, { min: 0 });
    if (r.maxGradNorm === 0) r.maxGradNorm = Infinity;
  }
  if (has("prioritizedReplay")) {
    const p = o.prioritizedReplay;
    if (p === false) r.prioritizedReplay = undefined;
    else if (p === true) r.prioritizedReplay = { ...PER_DEFAULTS };
    else if (p !== null && typeof p === "object" && !Array.isArray(p)) {
      checkKnownKeys("options.prioritizedReplay", p, Object.keys(PER_DEFAULTS));
      const q = { ...PER_DEFAULTS, ...p };
      r.prioritizedReplay = {
        alpha: checkNumber("options.prioritizedReplay.alpha", q.alpha, { min: 0 }),
        beta: checkNumber("options.prioritizedReplay.beta", q.beta, { min: 0, max: 1 }),
        betaFinal: checkNumber("options.prioritizedReplay.betaFinal", q.betaFinal, { min: 0, max: 1 }),
        epsilon: checkNumber("options.prioritizedReplay.epsilon", q.epsilon, { min: 0, minExclusive: true }),
      };
    } else throw new InvalidArgumentError("options.prioritizedReplay", p, "true, false or { alpha, beta, betaFinal, epsilon }");
  }
  if (has("nSteps")) r.nSteps = checkInt("options.nSteps", o.nSteps, { min: 1, max: 1000 });
  if (has("seed")) r.seed = checkInt("options.seed", o.seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (has("backend")) r.backend = checkOneOf("options.backend", o.backend, BACKEND_OPTIONS);
  if (has("tensorboardLog")) {
    const t = o.tensorboardLog;
    if (!(t instanceof TensorBoardWriter) && (typeof t !== "string" || t === "")) throw new InvalidArgumentError("options.tensorboardLog", t, "a folder name (Node, Deno, Bun) or a TensorBoardWriter");
    if (typeof t === "string" && !fileSystem()) throw new InvalidArgumentError("options.tensorboardLog", t, "a TensorBoardWriter here: this runtime has no file system");
    r.tensorboardLog = t;
  }
  return r;
}

/** The hidden (dense) widths of the resolved netArch. */
export function hiddenWidths(r: ResolvedOptions): number[] {
  return Array.isArray(r.netArch) ? r.netArch : r.netArch.dense;
}

/** The epsilon schedule in force for a training run of `totalTimesteps`. */
export function epsilonFor(r: ResolvedOptions, totalTimesteps: number): EpsilonSchedule {
  return r.epsilonSchedule ?? linearSchedule(r.explorationInitialEps, r.explorationFinalEps, r.explorationFraction, totalTimesteps);
}

/** The options that may be functions, which a save file records only as "function". */
export const SCHEDULE_OPTIONS = ["learningRate", "epsilonSchedule"] as const;
export type ScheduleOption = (typeof SCHEDULE_OPTIONS)[number];

/** Options that can be written into a save file (functions cannot). */

export function serializableOptions(r: ResolvedOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r };
  // A function cannot be saved: the file records that there was one, and DQN.load asks for it again.
  for (const k of SCHEDULE_OPTIONS) {
    if (typeof r[k] === "function") out[k] = "function";
    else if (r[k] === undefined) delete out[k];
  }
  if (r.maxGradNorm === Infinity) out.maxGradNorm = 0;
  // Where this run logged is no part of the agent (SB3's load takes tensorboard_log again).
  delete out.tensorboardLog;
  return out;
}
