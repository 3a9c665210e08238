/**
 * The DQN agent (Mnih et al. 2015) with Stable-Baselines3's options and
 * training loop, Double DQN, dueling heads, n-step returns and prioritized
 * replay. One training iteration, as SB3's `collect_rollouts` + `train`:
 *
 *   a_t  = random                               if t < learningStarts
 *          random with probability eps(t), else argmax_a Q(s_t, a)
 *   s_t+1, r_t, terminated, truncated = env.step(a_t)
 *   replay.add(s_t, a_t, r_t, s_t+1, terminated)  (truncation still bootstraps)
 *   every targetUpdateInterval steps: target <- tau*online + (1-tau)*target
 *   every trainFreq steps (once t > learningStarts): gradientSteps times
 *       batch = replay.sample(batchSize); engine.train(batch)  (src/nn/spec.ts)
 */
import { DivergenceError, FormatError, InvalidArgumentError, InvalidStateError, MissingFunctionError } from "../errors.ts";
import { Rng } from "../runtime/rng.ts";
import { checkBool, checkFiniteQ, checkFloat32Vector, checkInt, checkNumber, checkOptions, checkVector, checkKnownKeys } from "../validate.ts";
import { checkNetSpec, type NetSpec } from "../nn/spec.ts";
import { MAX_WIDTH } from "../limits.ts";
import { EnvDriver, envSpaces, isEnv, isVecEnv, type EnvLike, type EnvSpaces, type VecEnvLike } from "./driver.ts";
import { epsilonFor, hiddenWidths, resolveOptions, scheduledLearningRate, SCHEDULE_OPTIONS, serializableOptions, type DQNOptions, type ResolvedOptions, type ScheduleOption } from "./options.ts";
import { argmaxRows, type OptimizerState, type QEngine } from "../nn/engine.ts";
import type { PrioritizedReplayBuffer, ReplayBuffer, ReplayState, ReplayStateMeta } from "../replay/buffer.ts";
import { buildAgentParts, type BackendReportEntry } from "./build.ts";
import { decodeContainer, encodeContainer, type ContainerArray } from "../io/container.ts";
import { writeSafetensors } from "../io/safetensors.ts";
import { writeOnnx } from "../io/onnx.ts";
import { toTorchTensors } from "../nn/torch-layout.ts";
import { evaluate, type EvaluateResult } from "./evaluate.ts";
import { checkSavedState } from "./saved-state.ts";
import { TrainLogger, type TrainLog } from "./train-logger.ts";
import { argmaxLegal, checkMask, randomLegal } from "../masks.ts";

/** What `learn`'s callback receives, at each episode end and after each evaluation. */
export interface LearnEvent {
  /** Env steps taken so far. */
  timesteps: number;
  /** Episodes finished so far. */
  episodes: number;
  /** Set when the event marks the end of an episode. */
  episodeReturn?: number;
  /** The episode's length in env steps, set with `episodeReturn`. */
  episodeLength?: number;
  /** Mean return of the last 100 episodes (NaN before the first). */
  meanReturn100: number;
  /** Loss of the last update (NaN before training starts). */
  loss: number;
  /** Exploration rate now. */
  epsilon: number;
  /** Env steps per second since this `learn` call began. */
  stepsPerSecond: number;
  /** Set after each periodic greedy evaluation. */
  eval?: {
    /** Mean greedy return. */
    mean: number;
    /** Standard deviation of the greedy returns. */
    std: number;
  };
  /**
   * Adds scalars to the TensorBoard log (with `tensorboardLog`; otherwise a
   * no-op), as SB3's `self.logger.record`: `e.logger.record("custom/x", v)`.
   */
  logger: TrainLog;
}

/** Options of `agent.learn`, as SB3's `learn(total_timesteps, callback, ...)`. */
export interface LearnOptions {
  /** Env steps to train for. */
  totalTimesteps: number;
  /** Called at each episode end and after each evaluation; returning `false` stops training. */
  callback?: (event: LearnEvent) => boolean | void;
  /**
   * Periodic greedy evaluation, like SB3's EvalCallback: results go to the
   * callback and `bestEval`.
   */
  eval?: {
    /** A separate env to evaluate on (not the training env). */
    env: EnvLike;
    /** Env steps between evaluations. */
    freq: number;
    /** Greedy episodes per evaluation (default 10). */
    nEpisodes?: number;
    /**
     * End `learn` with the weights of the best evaluation when the last one
     * scored lower, as loading EvalCallback's best_model would (default false:
     * the agent ends with its final weights).
     */
    keepBest?: boolean;
    /**
     * Stops training once an evaluation's mean return reaches it, as SB3's
     * `StopTrainingOnRewardThreshold` on an EvalCallback: the agent ends with
     * the weights that reached it (default: no early stop).
     */
    rewardThreshold?: number;
    /**
     * Seed of the eval env's reset at this call's first evaluation (default:
     * the agent's `seed`), so that evaluations repeat run to run; later
     * evaluations continue the env's generator.
     */
    seed?: number;
  };
  /**
   * Stops training cleanly between env steps (checked before each step; `learn`
   * yields to the event loop about every 50 ms, so a timer or UI can abort).
   * `learn` then resolves, with `timesteps` counting the steps taken; the agent
   * can be saved or trained on (`resetNumTimesteps: false` continues).
   */
  signal?: AbortSignal;
  /** As SB3: true (default) restarts the timestep count and schedules; false continues them. */
  resetNumTimesteps?: boolean;
  /**
   * With `tensorboardLog` a folder: this run's folder is `<tbLogName>_<n>`
   * (SB3's `tb_log_name`; default "DQN"), n one more than the largest there,
   * or the largest itself when `resetNumTimesteps` is false.
   */
  tbLogName?: string;
  /** Episodes between TensorBoard dumps of the rollout/, train/ and time/ scalars (SB3's `log_interval`; default 4). */
  logInterval?: number;  /**
   * The env to train on from this call on (default: the env given to
   * `DQN.create`, `DQN.load` or the last `learn`); needed when the agent was
   * created from `{ observationSize, nActions }` or loaded without one.
   */
  env?: EnvLike | VecEnvLike;
}

const SAVE_KIND = "deepq-dqn";
const REPLAY_PREFIX = "replay.";
const RECENT = 100;

/**
 * A DQN agent: Q-network, target network, replay buffer and the training
 * loop, with Stable-Baselines3's options. Create one with `DQN.create`,
 * train with `learn` (or, from a game loop, `act` / `observe` /
 * `trainStep`), act with `predict`, persist with `save` / `DQN.load`.
 */
export class DQN {
  /** Env steps taken (all envs of a vector env; autoreset steps excluded). */
  timesteps = 0;
  /** Episodes finished. */
  episodes = 0;
  /** Total timesteps the exploration and learning-rate schedules span (set by `learn`). */
  scheduleTimesteps = 100_000;
  /** Loss of the last update. */
  lastLoss = NaN;
  /** Best greedy evaluation seen during `learn` with `eval`. */
  bestEval:
    | {
        /** Mean greedy return. */
        mean: number;
        /** Standard deviation of the greedy returns. */
        std: number;
        /** When it ran. */
        timesteps: number;
      }
    | undefined;

  private readonly rng: Rng;
  private readonly recentReturns: number[] = [];
  private stepsSinceTarget = 0;
  private stepsSinceTrain = 0;
  private episodesSinceTrain = 0;
  private collectedSinceTrain = 0;
  /** The env `learn` trains on (given to create, load or learn). */
  private env: EnvLike | VecEnvLike | undefined;
  private driver: EnvDriver | undefined;
  /** Observations a loaded agent resumes from on its first `learn` without reset. */
  private resumeObservations: Float32Array | undefined;
  private episodeReturns: Float64Array = new Float64Array(0);
  /** Schedule functions the agent was saved with and loaded without: training refuses until given them. */
  private missingFunctions: ScheduleOption[] = [];
  private episodeLengths: Float64Array = new Float64Array(0);
  private readonly log = new TrainLogger();
  private readonly obsScratch: Float32Array;
  private disposed = false;

  private constructor(
    /** The Q-network's shape: observation size, hidden widths, actions, dueling. */
    readonly spec: NetSpec,
    /** Every option, defaults filled in. */
    readonly options: ResolvedOptions,
    private readonly engine: QEngine,
    private readonly replay: ReplayBuffer | PrioritizedReplayBuffer,
    private readonly report: BackendReportEntry[],
  ) {
    this.rng = new Rng(options.seed);
    this.obsScratch = new Float32Array(spec.observationSize);
  }

  /**
   * Creates an agent for an env (`Env` or `VecEnv`: spaces are read from it)
   * or for `{ observationSize, nActions }` (with `observationShape` [H, W, C]
   * for conv layers).
   */
  static async create(envOrSpec: EnvLike | VecEnvLike | { observationSize: number; nActions: number; observationShape?: number[] }, options: DQNOptions = {}): Promise<DQN> {
    const r = resolveOptions(options);
    const spaces = isEnv(envOrSpec) || isVecEnv(envOrSpec) ? envSpaces(envOrSpec) : specOf(envOrSpec);
    const spec: NetSpec = { ...spaces, hidden: hiddenWidths(r), dueling: r.dueling, ...(Array.isArray(r.netArch) ? {} : { conv: r.netArch.conv }) };
    checkNetSpec(spec);
    const numEnvs = isVecEnv(envOrSpec) ? envOrSpec.numEnvs : 1;
    const { engine, replay, report } = await buildAgentParts(spec, r, numEnvs);
    const agent = new DQN(spec, r, engine, replay, report);
    if (isEnv(envOrSpec) || isVecEnv(envOrSpec)) agent.env = envOrSpec;
    return agent;
  }

  /** Length of one observation. */
  get observationSize(): number {
    return this.spec.observationSize;
  }
  /** Number of actions. */
  get nActions(): number {
    return this.spec.nActions;
  }

  /**
   * Whether training reads the engine's results asynchronously: tfjs webgpu
   * cannot read synchronously where there is no 2D OffscreenCanvas (Deno),
   * and its synchronous read stalls the GPU pipeline everywhere.
   */
  private get readsAsync(): boolean {
    return this.engine.name === "webgpu";
  }

  /** The engine in use: "fused", "wasm", "webgpu" or "cpu". */
  getBackend(): string {
    return this.engine.name;
  }

  /** Why each rung of the backend ladder was taken or skipped. */
  backendReport(): BackendReportEntry[] {
    return this.report.map((e) => ({ ...e }));
  }

  /** Exploration rate at the current timestep. */
  get epsilon(): number {
    if (this.schedule?.span !== this.scheduleTimesteps) this.schedule = { span: this.scheduleTimesteps, fn: epsilonFor(this.options, this.scheduleTimesteps) };
    return this.schedule.fn(this.timesteps, this.episodes);
  }

  /** The epsilon schedule for the current span, rebuilt only when `scheduleTimesteps` changes. */
  private schedule: { span: number; fn: (t: number, episode: number) => number } | undefined;

  /** Number of transitions in the replay buffer. */
  get bufferSize(): number {
    return this.replay.size;
  }

  // ---------------------------------------------------------------- acting

  /**
   * The action for one observation: greedy when `deterministic` (default),
   * else epsilon-greedy at the current exploration rate (as SB3's predict).
   * With `mask` (1 per legal action), only legal actions are chosen: the
   * argmax over them, or a uniform draw among them when exploring.
   */
  predict(observation: ArrayLike<number>, options: { deterministic?: boolean; mask?: ArrayLike<number> } = {}): number {
    this.alive();
    const { deterministic = true, mask } = checkActOptions("predict options", options, ["deterministic", "mask"]);
    if (deterministic !== undefined) checkBool("deterministic", deterministic);
    const obs = this.readObservation("observation", observation);
    const legal = mask === undefined ? undefined : checkMask("mask", mask, this.nActions);
    if (!deterministic && this.rng.nextDouble() < this.epsilon) return this.randomAction(legal);
    return this.greedyAction(obs, legal);
  }

  /** A uniformly random action, among the legal ones when masked. */
  private randomAction(mask: Uint8Array | undefined): number {
    return mask ? randomLegal(this.rng, mask, 0, this.nActions) : this.rng.int(this.nActions);
  }

  /** The greedy action, the argmax over the legal ones when masked. */
  private greedyAction(obs: Float32Array, mask: Uint8Array | undefined): number {
    return mask ? argmaxLegal(this.engine.qValues(obs, 1), 0, this.nActions, mask) : this.engine.act(obs);
  }

  /** Q-values for one observation (a fresh array). */
  qValues(observation: ArrayLike<number>): Float32Array {
    this.alive();
    return checkFiniteQ("observation", observation, this.engine.qValues(this.readObservation("observation", observation), 1).slice(0, this.nActions));
  }

  /**
   * Game-loop API: the exploring action for `observation` (random before
   * `learningStarts`, then epsilon-greedy on the schedule), among the legal
   * actions of `mask` when given (1 per legal action).
   */
  act(observation: ArrayLike<number>, options: { mask?: ArrayLike<number> } = {}): number {
    this.alive();
    this.requireFunctions("epsilonSchedule");
    const { mask } = checkActOptions("act options", options, ["mask"]);
    const obs = this.readObservation("observation", observation);
    const legal = mask === undefined ? undefined : checkMask("mask", mask, this.nActions);
    if (this.timesteps < this.options.learningStarts || this.rng.nextDouble() < this.epsilon) return this.randomAction(legal);
    return this.greedyAction(obs, legal);
  }

  /**
   * Game-loop API: records one transition (and counts the step and, when it
   * ends one, the episode). Call `trainStep()` whenever the game has time.
   * `nextMask` (1 per legal action in `nextObservation`) makes the TD target
   * look only at legal next actions; a terminated transition's may be all 0.
   */
  observe(
    observation: ArrayLike<number>,
    action: number,
    reward: number,
    nextObservation: ArrayLike<number>,
    terminated: boolean,
    truncated: boolean,
    options: { nextMask?: ArrayLike<number> } = {},
  ): void {
    this.alive();
    const { nextMask } = checkActOptions("observe options", options, ["nextMask"]);
    const obs = Float32Array.from(this.readObservation("observation", observation));
    const next = this.readObservation("nextObservation", nextObservation);
    checkInt("action", action, { min: 0, max: this.nActions - 1 });
    checkNumber("reward", reward);
    if (typeof terminated !== "boolean") throw new InvalidArgumentError("terminated", terminated, "true or false");
    if (typeof truncated !== "boolean") throw new InvalidArgumentError("truncated", truncated, "true or false");
    this.replay.add(obs, action, reward, next, terminated, truncated, nextMask);
    this.countStep(1, 1);
    if (terminated || truncated) this.countEpisode();
  }

  /**
   * Game-loop API: trains if a training round is due (per `trainFreq`, after
   * `learningStarts`). Resolves to the loss, or undefined when nothing ran.
   */
  async trainStep(): Promise<number | undefined> {
    this.alive();
    this.requireFunctions("learningRate");
    return this.trainIfDue();
  }

  // -------------------------------------------------------------- training

  /**
   * Trains for `totalTimesteps` env steps on the env given to `create` (SB3's
   * `learn`): acts, stores transitions, updates the network every
   * `trainFreq` steps and the target every `targetUpdateInterval`. Yields
   * to the host about every 50 ms, so pages and servers stay responsive.
   */
  async learn(options: LearnOptions): Promise<this> {
    this.alive();
    this.requireFunctions("learningRate", "epsilonSchedule");
    const o = checkOptions("learn options", options);
    checkKnownKeys("learn options", o, ["totalTimesteps", "callback", "eval", "signal", "resetNumTimesteps", "env", "tbLogName", "logInterval"]);
    const total = checkInt("totalTimesteps", o.totalTimesteps, { min: 1 });
    const callback = o.callback as LearnOptions["callback"];
    if (callback !== undefined && typeof callback !== "function") throw new InvalidArgumentError("callback", callback, "a function");
    const evalOpt = o.eval as LearnOptions["eval"];
    if (evalOpt !== undefined) {
      if (!isEnv(evalOpt.env)) throw new InvalidArgumentError("eval.env", evalOpt.env, "an Env");
      checkInt("eval.freq", evalOpt.freq, { min: 1 });
      if (evalOpt.nEpisodes !== undefined) checkInt("eval.nEpisodes", evalOpt.nEpisodes, { min: 1 });
      if (evalOpt.keepBest !== undefined) checkBool("eval.keepBest", evalOpt.keepBest);
      if (evalOpt.seed !== undefined) checkInt("eval.seed", evalOpt.seed, { min: 0 });
      if (evalOpt.rewardThreshold !== undefined) checkNumber("eval.rewardThreshold", evalOpt.rewardThreshold);
    }
    const env = (o.env ?? this.env) as EnvLike | VecEnvLike | undefined;
    if (!env || !(isEnv(env) || isVecEnv(env))) throw new InvalidArgumentError("env", env, "an Env or VecEnv (pass it to DQN.create or learn({ env }))");
    const signal = o.signal as AbortSignal | undefined;
    if (signal !== undefined && typeof signal?.aborted !== "boolean") throw new InvalidArgumentError("signal", signal, "an AbortSignal");
    const reset = o.resetNumTimesteps !== false;
    const tbLogName = o.tbLogName ?? "DQN";
    if (typeof tbLogName !== "string" || !/^[\w.-]+$/.test(tbLogName)) throw new InvalidArgumentError("tbLogName", tbLogName, "a folder name (letters, digits, '.', '_', '-')");
    const logInterval = checkInt("logInterval", o.logInterval ?? 4, { min: 1 });
    // Last of the checks: a log folder that cannot be created fails here, with the agent untouched.
    this.log.open({ target: this.options.tensorboardLog, name: tbLogName, resume: !reset, logInterval, learningRate: () => this.learningRateNow });
    try {
      if (reset) {
        this.timesteps = 0;
        this.episodes = 0;
        this.stepsSinceTrain = this.episodesSinceTrain = this.collectedSinceTrain = this.stepsSinceTarget = 0;
      }
      this.scheduleTimesteps = reset ? total : this.timesteps + total;
      const end = this.timesteps + total;
      const driver = this.driverFor(env, reset);
      const n = driver.numEnvs;
      const actions = new Int32Array(n);
      const prevObs = new Float32Array(driver.observations.length);
      const start = performance.now();
      const startSteps = this.timesteps;
      let lastYield = start;
      let nextEval = evalOpt ? this.timesteps + evalOpt.freq : Infinity;
      let evalSeed = evalOpt ? (evalOpt.seed ?? this.options.seed) : undefined;
      let lastEvalMean = NaN;
      const event = (extra: Partial<LearnEvent>): LearnEvent => ({
        timesteps: this.timesteps,
        episodes: this.episodes,
        meanReturn100: this.meanReturn100,
        loss: this.lastLoss,
        epsilon: this.epsilon,
        stepsPerSecond: ((this.timesteps - startSteps) * 1000) / Math.max(1e-9, performance.now() - start),
        logger: this.log,
        ...extra,
      });

      training: while (this.timesteps < end) {
        if (signal?.aborted) break;
        // Act: one batched greedy pass for all envs, then epsilon per env.
        const eps = this.epsilon;
        const warmup = this.timesteps < this.options.learningStarts;
        const masks = driver.masks;
        const obs = driver.observations;
        const greedy = warmup
          ? undefined
          : this.readsAsync
            ? this.greedyFrom(await this.engine.qValuesAsync(obs, n), n, masks)
            : masks
              ? this.greedyFrom(this.engine.qValues(obs, n), n, masks)
              : this.engine.actBatch(obs, n);
        for (let i = 0; i < n; i++) {
          const explore = !greedy || this.rng.nextDouble() < eps;
          actions[i] = !explore ? greedy[i]! : masks ? randomLegal(this.rng, masks, i * this.nActions, this.nActions) : this.rng.int(this.nActions);
        }
        prevObs.set(driver.observations);
        driver.step(actions);

        let valid = 0;
        for (let i = 0; i < n; i++) {
          if (!driver.valid[i]) continue;
          valid++;
          this.episodeReturns[i]! += driver.rewards[i]!;
          this.episodeLengths[i]!++;
        }
        // Vector envs: the buffer drops the autoreset entries itself (autoreset "next-step").
        const nextMasks = masks ? driver.nextMasks : undefined;
        if (n === 1) this.replay.add(prevObs, actions[0]!, driver.rewards[0]!, driver.nextObservations, driver.terminated[0] === 1, driver.truncated[0] === 1, nextMasks);
        else this.replay.addBatch(prevObs, actions, driver.rewards, driver.nextObservations, driver.terminated, driver.truncated, nextMasks);
        this.countStep(1, valid);
        for (let i = 0; i < n; i++) {
          if (!driver.valid[i] || !(driver.terminated[i] || driver.truncated[i])) continue;
          const ret = this.episodeReturns[i]!;
          const length = this.episodeLengths[i]!;
          this.episodeReturns[i] = this.episodeLengths[i] = 0;
          this.countEpisode(ret);
          const e = event({ episodeReturn: ret, episodeLength: length });
          const stop = callback?.(e) === false;
          this.log.episodeEnd(e, length);
          if (stop) break training;
        }
        await this.trainIfDue();

        if (this.timesteps >= nextEval && evalOpt) {
          nextEval += evalOpt.freq;
          const res = await evaluate(this, evalOpt.env, { nEpisodes: evalOpt.nEpisodes ?? 10, seed: evalSeed });
          evalSeed = undefined;
          lastEvalMean = res.mean;
          await this.noteEval(res, evalOpt.keepBest === true);
          const stop = callback?.(event({ eval: { mean: res.mean, std: res.std } })) === false;
          this.log.evaluated(this.timesteps, res.returns, res.lengths);
          if (stop || res.mean >= (evalOpt.rewardThreshold ?? Infinity)) break;
        }
        // Let the host breathe (UI, timers, abort signals) about every 50 ms.
        const now = performance.now();
        if (now - lastYield > 50) {
          lastYield = now;
          await new Promise((r) => setTimeout(r, 0));
        }
      }
      if (evalOpt?.keepBest && this.best && !(lastEvalMean >= this.best.mean)) {
        this.engine.setParams(this.best.params, "online");
        this.engine.setParams(this.best.target, "target");
      }
    } finally {
      this.log.close();
    }
    return this;
  }

  private best: { mean: number; params: Float32Array; target: Float32Array } | undefined;

  /** Greedy actions of rows of Q-values ([n, nActions]), over the legal actions of `masks` (n x nActions) when given. */
  private greedyFrom(q: Float32Array, n: number, masks: Uint8Array | undefined): Int32Array {
    if (!masks) return argmaxRows(q, this.nActions);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = argmaxLegal(q, i, this.nActions, masks);
    return out;
  }

  private async noteEval(res: EvaluateResult, keep: boolean): Promise<void> {
    if (this.bestEval && res.mean <= this.bestEval.mean) return;
    this.bestEval = { mean: res.mean, std: res.std, timesteps: this.timesteps };
    if (keep) this.best = { mean: res.mean, params: await this.engine.getParams("online"), target: await this.engine.getParams("target") };
  }

  /** The step size of the next training round (a schedule's value at the current progress). */
  private get learningRateNow(): number {
    return scheduledLearningRate(this.options.learningRate, Math.max(0, 1 - this.timesteps / this.scheduleTimesteps));
  }

  /** Mean return of the last 100 finished episodes (NaN before the first). */
  get meanReturn100(): number {
    const r = this.recentReturns;
    return r.length ? r.reduce((a, b) => a + b, 0) / r.length : NaN;
  }

  private countStep(vecSteps: number, transitions: number): void {
    this.timesteps += transitions;
    this.stepsSinceTrain += vecSteps;
    this.collectedSinceTrain += transitions;
    // SB3 counts target updates in vector steps: every max(interval / numEnvs, 1).
    this.stepsSinceTarget += vecSteps;
    const every = Math.max(Math.floor(this.options.targetUpdateInterval / (this.driver?.numEnvs ?? 1)), 1);
    if (this.stepsSinceTarget >= every) {
      this.stepsSinceTarget = 0;
      this.engine.syncTarget(this.options.tau);
    }
  }

  private countEpisode(ret?: number): void {
    this.episodes++;
    this.episodesSinceTrain++;
    if (ret !== undefined) {
      this.recentReturns.push(ret);
      if (this.recentReturns.length > RECENT) this.recentReturns.shift();
    }
  }

  private async trainIfDue(): Promise<number | undefined> {
    const { trainFreq, learningStarts, batchSize, gradientSteps } = this.options;
    const due = trainFreq.unit === "step" ? this.stepsSinceTrain >= trainFreq.n : this.episodesSinceTrain >= trainFreq.n;
    if (!due || this.timesteps <= learningStarts || this.replay.size === 0) return undefined;
    const steps = gradientSteps >= 0 ? gradientSteps : this.collectedSinceTrain;
    const progressRemaining = Math.max(0, 1 - this.timesteps / this.scheduleTimesteps);
    if (typeof this.options.learningRate === "function") this.engine.setLearningRate(scheduledLearningRate(this.options.learningRate, progressRemaining));
    this.stepsSinceTrain = this.episodesSinceTrain = this.collectedSinceTrain = 0;
    const per = this.options.prioritizedReplay;
    const prioritized = per ? (this.replay as PrioritizedReplayBuffer) : undefined;
    if (per && prioritized) prioritized.beta = per.betaFinal + (per.beta - per.betaFinal) * progressRemaining;
    let loss = NaN;
    for (let g = 0; g < steps; g++) {
      const batch = this.replay.sample(batchSize);
      const result = this.engine.update(batch);
      if (g < steps - 1 && !prioritized) continue;
      if (this.readsAsync) await result.read(); // then loss() and tdErrors() read what it fetched
      // Engines skip an update whose loss or gradient is not finite and report a non-finite loss: stop with the last finite weights.
      loss = result.loss();
      if (!Number.isFinite(loss)) {
        this.lastLoss = loss;
        throw new DivergenceError(`training diverged at timestep ${this.timesteps}: the loss or its gradient is not finite (the update was skipped; the agent keeps its last finite weights). Lower learningRate or set maxGradNorm.`);
      }
      if (prioritized) {
        const td = result.tdErrors();
        const priorities = new Float32Array(td.length);
        for (let i = 0; i < td.length; i++) priorities[i] = Math.abs(td[i]!);
        prioritized.updatePriorities(batch.indices, priorities);
      }
    }
    this.lastLoss = loss;
    return loss;
  }

  /**
   * The driver for `env`. Without `reset`, training resumes where it stopped
   * (same env object, or a loaded agent's saved observations); otherwise the
   * env is reset, with the agent's seed the first time.
   */
  private driverFor(env: EnvLike | VecEnvLike, reset: boolean): EnvDriver {
    if (this.driver && this.env === env && !reset) return this.driver;
    const spaces = envSpaces(env);
    if (spaces.observationSize !== this.observationSize || spaces.nActions !== this.nActions) {
      throw new InvalidArgumentError("env", `observation size ${spaces.observationSize}, ${spaces.nActions} actions`, `an env with observation size ${this.observationSize} and ${this.nActions} actions (the agent's)`);
    }
    const driver = new EnvDriver(env, this.observationSize, this.nActions);
    const resume = reset ? undefined : this.resumeObservations;
    if (resume && resume.length === driver.observations.length) {
      driver.observations.set(resume);
    } else {
      driver.reset(this.driver ? undefined : this.options.seed);
      this.episodeReturns = new Float64Array(driver.numEnvs);
      this.episodeLengths = new Float64Array(driver.numEnvs);
    }
    this.resumeObservations = undefined;
    this.driver = driver;
    this.env = env;
    return driver;
  }

  private readObservation(name: string, value: ArrayLike<number>): Float32Array {
    checkFloat32Vector(name, value, this.observationSize);
    this.obsScratch.set(value);
    return this.obsScratch;
  }

  private alive(): void {
    if (this.disposed) throw new InvalidStateError("this agent was disposed");
  }

  /** Throws a MissingFunctionError for the first of `names` this loaded agent lacks. */
  private requireFunctions(...names: ScheduleOption[]): void {
    for (const k of names) if (this.missingFunctions.includes(k)) throw new MissingFunctionError(k);
  }

  // ----------------------------------------------------- saving and loading

  /**
   * A save file: options, network weights, target weights, Adam state,
   * counters, the exploration RNG state and the observations training
   * resumes from. Versioned and checksummed (src/io/container.ts).
   *
   * The replay buffer is left out by default, as Stable-Baselines3's `save`
   * leaves it out (it has `save_replay_buffer` for that): a loaded agent
   * refills it before training resumes. `{ replay: true }` stores it too
   * (the filled rows, n-step windows, sampler RNG and priorities; the file
   * grows with the rows filled, about 25 B a CartPole transition), and then
   * `DQN.load` with the same env object continues training exactly as the
   * saved agent would have, bit for bit.
   */
  async save({ replay = false }: { replay?: boolean } = {}): Promise<Uint8Array> {
    this.alive();
    checkBool("replay", replay);
    const opt = await this.engine.getOptimizerState();
    const arrays: Record<string, ContainerArray> = {
      params: await this.engine.getParams("online"),
      targetParams: await this.engine.getParams("target"),
      adamM: opt.m,
      adamV: opt.v,
    };
    const resumeFrom = this.driver?.observations ?? this.resumeObservations;
    if (resumeFrom) arrays.lastObservations = resumeFrom.slice();
    const meta = {
      kind: SAVE_KIND,
      spec: this.spec,
      options: serializableOptions(this.options),
      adamStep: opt.step,
      counters: {
        timesteps: this.timesteps,
        episodes: this.episodes,
        scheduleTimesteps: this.scheduleTimesteps,
        stepsSinceTarget: this.stepsSinceTarget,
        stepsSinceTrain: this.stepsSinceTrain,
        episodesSinceTrain: this.episodesSinceTrain,
        collectedSinceTrain: this.collectedSinceTrain,
        lastLoss: Number.isFinite(this.lastLoss) ? this.lastLoss : null,
      },
      recentReturns: this.recentReturns,
      episodeReturns: Array.from(this.episodeReturns),
      rng: Array.from(this.rng.state),
      ...(replay ? { replay: this.saveReplay(arrays) } : {}),
    };
    return encodeContainer({ meta, arrays });
  }

  /** Adds the replay buffer's arrays to `arrays` (as `replay.<name>`) and returns its meta. */
  private saveReplay(arrays: Record<string, ContainerArray>): ReplayStateMeta {
    const state = this.replay.exportState();
    for (const [name, a] of Object.entries(state.arrays)) arrays[REPLAY_PREFIX + name] = a;
    return state.meta;
  }

  /**
   * Restores a saved agent. `env` (optional) is the env training continues
   * on; `backend` overrides the saved engine choice. A file cannot hold a
   * function: an agent saved with a `learningRate` or `epsilonSchedule`
   * function loads without it for use (`predict`, `evaluate`, `save`,
   * `exportSafetensors`), and training it (`learn`, `trainStep`, and `act`
   * for the exploration schedule) throws a MissingFunctionError naming the
   * option until it is given here (SB3's `custom_objects` play this part).
   * Saving such an agent keeps the record that the function is needed. Bad
   * bytes throw a FormatError and create nothing.
   */
  static async load(
    bytes: Uint8Array,
    given: {
      env?: EnvLike | VecEnvLike;
      backend?: DQNOptions["backend"];
      learningRate?: DQNOptions["learningRate"];
      epsilonSchedule?: DQNOptions["epsilonSchedule"];
      tensorboardLog?: DQNOptions["tensorboardLog"];
    } = {},
  ): Promise<DQN> {
    const { env, backend } = given;
    for (const k of SCHEDULE_OPTIONS) {
      if (given[k] !== undefined && typeof given[k] !== "function") throw new InvalidArgumentError(k, given[k], `a function (a schedule replacing the file's)`);
    }
    const { meta, arrays } = decodeContainer(bytes);
    if (meta.kind !== SAVE_KIND) throw new FormatError(`not a DQN save file (kind ${JSON.stringify(meta.kind)})`);
    const spec = meta.spec as NetSpec;
    const options = { ...(meta.options as DQNOptions) } as Record<string, unknown>;
    if (backend !== undefined) options.backend = backend;
    const missing: ScheduleOption[] = [];
    if (given.tensorboardLog !== undefined) options.tensorboardLog = given.tensorboardLog;
    for (const k of SCHEDULE_OPTIONS) {
      if (given[k]) options[k] = given[k];
      else if (options[k] === "function") {
        missing.push(k);
        // Any valid value builds the agent: training, the only user of the schedule, refuses without it.
        delete options[k];
      }
    }
    let agent: DQN | undefined;
    try {
      agent = await DQN.create(env ?? { observationSize: spec.observationSize, nActions: spec.nActions, ...(spec.observationShape ? { observationShape: [...spec.observationShape] } : {}) }, options);
      agent.missingFunctions = missing;
      // A function in its place keeps the "function" record in the agent's own save files.
      for (const k of missing) (agent.options as Record<ScheduleOption, unknown>)[k] = () => agent!.requireFunctions(k);
      agent.restore(meta, arrays);
      if (env) agent.env = env;
      return agent;
    } catch (e) {
      agent?.dispose();
      if (e instanceof FormatError) throw e;
      throw new FormatError(`inconsistent DQN save file: ${(e as Error).message}`);
    }
  }

  private restore(meta: Record<string, unknown>, arrays: Record<string, ContainerArray>): void {
    const need = (name: string) => {
      const a = arrays[name];
      if (!(a instanceof Float32Array)) throw new FormatError(`save file lacks ${name} (float32)`);
      return a;
    };
    const lastObservations = arrays.lastObservations && need("lastObservations");
    checkSavedState(meta, lastObservations, this.observationSize);
    const c = meta.counters as Record<string, number | null>;
    if (meta.replay !== undefined) this.restoreReplay(meta.replay as ReplayStateMeta, arrays);
    this.engine.setParams(need("params"), "online");
    this.engine.setParams(need("targetParams"), "target");
    const opt: OptimizerState = { step: meta.adamStep as number, m: need("adamM"), v: need("adamV") };
    this.engine.setOptimizerState(opt);
    this.timesteps = c.timesteps!;
    this.episodes = c.episodes!;
    this.scheduleTimesteps = c.scheduleTimesteps!;
    this.stepsSinceTarget = c.stepsSinceTarget!;
    this.stepsSinceTrain = c.stepsSinceTrain!;
    this.episodesSinceTrain = c.episodesSinceTrain!;
    this.collectedSinceTrain = c.collectedSinceTrain!;
    this.lastLoss = c.lastLoss ?? NaN;
    this.recentReturns.push(...(meta.recentReturns as number[]));
    this.rng.state.set(meta.rng as number[]);
    if (lastObservations) {
      this.resumeObservations = lastObservations;
      this.episodeReturns = Float64Array.from(meta.episodeReturns as number[]);
      // Save files keep no episode lengths: a resumed episode's length counts from the resume.
      this.episodeLengths = new Float64Array(this.episodeReturns.length);
    }
  }

  private restoreReplay(meta: ReplayStateMeta, arrays: Record<string, ContainerArray>): void {
    const replayArrays = Object.fromEntries(
      Object.entries(arrays)
        .filter(([name]) => name.startsWith(REPLAY_PREFIX))
        .map(([name, a]) => [name.slice(REPLAY_PREFIX.length), a]),
    );
    try {
      this.replay.importState({ meta, arrays: replayArrays } as ReplayState);
    } catch (e) {
      throw new FormatError(`the saved replay buffer does not fit this agent's (bufferSize ${this.options.bufferSize}, observation size ${this.observationSize}): ${(e as Error).message}`);
    }
  }

  /**
   * The online network as a safetensors file in PyTorch's nn.Linear layout
   * (`layers.0.weight` [out, in], ...; `names` renames the layers), loadable
   * with `model.load_state_dict(safetensors.torch.load_file(path))`.
   */
  async exportSafetensors({ names }: { names?: string[] } = {}): Promise<Uint8Array> {
    this.alive();
    return writeSafetensors(toTorchTensors(this.spec, await this.engine.getParams("online"), names), { format: "pt", producer: "deepq" });
  }

  /**
   * The online network as an ONNX model (opset 13): input `obs` float32
   * [batch, observationSize], output `q_values` [batch, nActions]. Runs in
   * onnxruntime (Node, web), Unity's Inference Engine, Godot and any ONNX runtime.
   */
  async exportOnnx(): Promise<Uint8Array> {
    this.alive();
    return writeOnnx(this.spec, await this.engine.getParams("online"));
  }

  /** Frees the agent's WASM memory and tensors. Further calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.log.close();
    this.engine.dispose();
    this.replay.dispose();
  }
}

/** Checks the options object of act, predict or observe (keys among `allowed`). */
function checkActOptions(name: string, options: unknown, allowed: string[]): { deterministic?: boolean; mask?: ArrayLike<number>; nextMask?: ArrayLike<number> } {
  const o = checkOptions(name, options);
  checkKnownKeys(name, o, allowed);
  return o;
}

function specOf(v: unknown): EnvSpaces {
  if (typeof v !== "object" || v === null) throw new InvalidArgumentError("envOrSpec", v, "an Env, a VecEnv or { observationSize, nActions, observationShape? }");
  const s = v as { observationSize?: unknown; nActions?: unknown; observationShape?: unknown };
  const spaces = {
    observationSize: checkInt("envOrSpec.observationSize", s.observationSize, { min: 1, max: MAX_WIDTH }),
    nActions: checkInt("envOrSpec.nActions", s.nActions, { min: 1, max: MAX_WIDTH }),
  };
  if (s.observationShape === undefined) return spaces;
  const shape = s.observationShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1) || shape.reduce((a, b) => a * b, 1) !== spaces.observationSize) {
    throw new InvalidArgumentError("envOrSpec.observationShape", shape, `an array of positive integers whose product is observationSize (${spaces.observationSize})`);
  }
  return shape.length === 1 ? spaces : { ...spaces, observationShape: [...(shape as number[])] };
}
