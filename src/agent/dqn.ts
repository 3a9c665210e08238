/**
 * The DQN agent (Mnih et al. 2015) with Stable-Baselines3's options and
 * training loop, Double DQN, dueling heads, n-step returns and prioritized
 * replay. One iteration of `learn`, as SB3's `collect_rollouts` + `train`,
 * in the order the loop's code reads:
 *
 *   a_t  = random                               if t < learningStarts
 *          random with probability eps(t), else argmax_a Q(s_t, a)   (epsilonGreedy, src/agent/explore.ts)
 *   s_t+1, r_t, terminated, truncated = env.step(a_t)
 *   replay.add(s_t, a_t, r_t, s_t+1, terminated)  (truncation still bootstraps)
 *   every targetUpdateInterval steps: target <- tau*online + (1-tau)*target   (syncTargetIfDue)
 *   every trainFreq steps (once t > learningStarts): gradientSteps times     (trainIfDue)
 *       batch = replay.sample(batchSize); engine.update(batch)  (the update's math: src/nn/spec.ts)
 *
 * The counters behind "every" live in one record (src/agent/counters.ts);
 * save files are src/agent/save-file.ts; learn's options src/agent/learn-options.ts.
 */
import { DivergenceError, FormatError, InvalidArgumentError, InvalidStateError, MissingFunctionError } from "../errors.ts";
import { Rng } from "../runtime/rng.ts";
import { checkBool, checkFiniteQ, checkFloat32Vector, checkInt, checkNumber, checkKnownKeys, checkOptions } from "../validate.ts";
import { checkNetSpec, type NetSpec } from "../nn/spec.ts";
import { MAX_WIDTH } from "../limits.ts";
import { EnvDriver, envSpaces, isEnv, isVecEnv, type EnvLike, type EnvSpaces, type VecEnvLike } from "./driver.ts";
import { epsilonFor, hiddenWidths, resolveOptions, scheduledLearningRate, serializableOptions, type DQNOptions, type ResolvedOptions, type ScheduleOption } from "./options.ts";
import { argmaxRows, type QEngine } from "../nn/engine.ts";
import type { PrioritizedReplayBuffer, ReplayBuffer, ReplayState } from "../replay/buffer.ts";
import { buildAgentParts, type BackendReportEntry } from "./build.ts";
import { evaluate, type EvaluateResult } from "./evaluate.ts";
import { TrainLogger } from "./train-logger.ts";
import { argmaxLegal, checkMask } from "../masks.ts";
import { newCounters, RECENT_RETURNS, type Counters } from "./counters.ts";
import { epsilonGreedy } from "./explore.ts";
import { checkLearnOptions, type LearnEvent, type LearnOptions } from "./learn-options.ts";
import type { LoadOverrides, SavedAgent } from "./save-file.ts";

/** Saving, loading and exports, a lazy chunk of the bundles (./model-files.ts). */
const modelFiles = () => import("./model-files.ts");

/**
 * A DQN agent: Q-network, target network, replay buffer and the training
 * loop, with Stable-Baselines3's options. Create one with `DQN.create`,
 * train with `learn` (or, from a game loop, `act` / `observe` /
 * `trainStep`), act with `predict`, persist with `save` / `DQN.load`.
 */
export class DQN {
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

  /** Where training stands: reset by `learn`, saved and restored whole. */
  private counters: Counters = newCounters();
  private readonly rng: Rng;
  private readonly recentReturns: number[] = [];
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
  static async create(envOrSpec: EnvLike | VecEnvLike | { observationSize: number; nActions: number; observationShape?: readonly number[] }, options: DQNOptions = {}): Promise<DQN> {
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

  /** Env steps taken (all envs of a vector env; autoreset steps excluded). */
  get timesteps(): number {
    return this.counters.timesteps;
  }
  /** Episodes finished. */
  get episodes(): number {
    return this.counters.episodes;
  }
  /** Total timesteps the exploration and learning-rate schedules span (set by `learn`). */
  get scheduleTimesteps(): number {
    return this.counters.scheduleTimesteps;
  }
  /** Loss of the last update (NaN before the first). */
  get lastLoss(): number {
    return this.counters.lastLoss;
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
    if (deterministic) return this.greedyAction(obs, legal);
    return epsilonGreedy(this.rng, this.epsilon, false, this.nActions, () => this.greedyAction(obs, legal), legal);
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
    const warmup = this.timesteps < this.options.learningStarts;
    return epsilonGreedy(this.rng, this.epsilon, warmup, this.nActions, () => this.greedyAction(obs, legal), legal);
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
    this.syncTargetIfDue();
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
    const o = checkLearnOptions(options);
    const env = o.env ?? this.env;
    if (!env) throw new InvalidArgumentError("env", env, "an Env or VecEnv (pass it to DQN.create or learn({ env }))");
    // Last of the checks: a log folder that cannot be created fails here, with the agent untouched.
    this.openLog(o.tbLogName, o.resetNumTimesteps, o.logInterval);
    try {
      if (o.resetNumTimesteps) this.counters = { ...newCounters(), lastLoss: this.lastLoss };
      const c = this.counters;
      c.scheduleTimesteps = o.resetNumTimesteps ? o.totalTimesteps : c.timesteps + o.totalTimesteps;
      const end = c.timesteps + o.totalTimesteps;
      const driver = this.driverFor(env, o.resetNumTimesteps);
      const n = driver.numEnvs;
      const actions = new Int32Array(n);
      const prevObs = new Float32Array(driver.observations.length);
      const start = performance.now();
      const startSteps = c.timesteps;
      let lastYield = start;
      const evaluation = o.eval;
      let nextEval = evaluation ? c.timesteps + evaluation.freq : Infinity;
      let evalSeed = evaluation ? (evaluation.seed ?? this.options.seed) : undefined;
      let lastEvalMean = NaN;
      const event = (extra: Partial<LearnEvent>): LearnEvent => ({
        timesteps: c.timesteps,
        episodes: c.episodes,
        meanReturn100: this.meanReturn100,
        loss: c.lastLoss,
        epsilon: this.epsilon,
        stepsPerSecond: ((c.timesteps - startSteps) * 1000) / Math.max(1e-9, performance.now() - start),
        logger: this.log,
        ...extra,
      });

      training: while (c.timesteps < end) {
        if (o.signal?.aborted) break;
        // Act: epsilon-greedy per env, on one batched greedy pass (none while warming up).
        const eps = this.epsilon;
        const warmup = c.timesteps < this.options.learningStarts;
        const masks = driver.masks;
        const greedy = warmup ? undefined : this.readsAsync ? await this.greedyAsync(driver.observations, n, masks) : this.greedy(driver.observations, n, masks);
        for (let i = 0; i < n; i++) actions[i] = epsilonGreedy(this.rng, eps, warmup, this.nActions, greedy ? greedy[i]! : -1, masks, i);

        // Step the envs and store the transitions (vector envs: the buffer drops autoreset entries itself).
        prevObs.set(driver.observations);
        driver.step(actions);
        const nextMasks = masks ? driver.nextMasks : undefined;
        if (n === 1) this.replay.add(prevObs, actions[0]!, driver.rewards[0]!, driver.nextObservations, driver.terminated[0] === 1, driver.truncated[0] === 1, nextMasks);
        else this.replay.addBatch(prevObs, actions, driver.rewards, driver.nextObservations, driver.terminated, driver.truncated, nextMasks);
        this.countStep(1, this.addRewards(driver));

        // Sync the target network, finish episodes, then train, each when due (SB3: _on_step, then train).
        this.syncTargetIfDue();
        for (let i = 0; i < n; i++) {
          if (!driver.valid[i] || !(driver.terminated[i] || driver.truncated[i])) continue;
          const [ret, length] = this.finishEpisode(i);
          const e = event({ episodeReturn: ret, episodeLength: length });
          const stop = o.callback?.(e) === false;
          this.log.episodeEnd(e, length);
          if (stop) break training;
        }
        await this.trainIfDue();

        if (evaluation && c.timesteps >= nextEval) {
          nextEval += evaluation.freq;
          const res = await evaluate(this, evaluation.env, { nEpisodes: evaluation.nEpisodes, seed: evalSeed });
          evalSeed = undefined;
          lastEvalMean = res.mean;
          await this.noteEval(res, evaluation.keepBest);
          const stop = o.callback?.(event({ eval: { mean: res.mean, std: res.std } })) === false;
          this.log.evaluated(c.timesteps, res.returns, res.lengths);
          if (stop || res.mean >= evaluation.rewardThreshold) break;
        }
        // Let the host breathe (UI, timers, abort signals) about every 50 ms.
        const now = performance.now();
        if (now - lastYield > 50) {
          lastYield = now;
          await new Promise((r) => setTimeout(r, 0));
        }
      }
      if (evaluation?.keepBest && this.best && !(lastEvalMean >= this.best.mean)) {
        this.engine.setParams(this.best.params, "online");
        this.engine.setParams(this.best.target, "target");
      }
    } finally {
      this.log.close();
    }
    return this;
  }

  /** Starts this `learn` call's TensorBoard run, when `tensorboardLog` is set. */
  private openLog(tbLogName: string, reset: boolean, logInterval: number): void {
    this.log.open({ target: this.options.tensorboardLog, name: tbLogName, resume: !reset, logInterval, learningRate: () => this.learningRateNow });
  }

  private best: { mean: number; params: Float32Array; target: Float32Array } | undefined;

  /** Greedy actions for `n` observations, over the legal actions of `masks` (n x nActions) when given. */
  private greedy(obs: Float32Array, n: number, masks: Uint8Array | undefined): Int32Array {
    return masks ? this.greedyFrom(this.engine.qValues(obs, n), n, masks) : this.engine.actBatch(obs, n);
  }

  /** `greedy` for engines that read back asynchronously (WebGPU). */
  private async greedyAsync(obs: Float32Array, n: number, masks: Uint8Array | undefined): Promise<Int32Array> {
    return this.greedyFrom(await this.engine.qValuesAsync(obs, n), n, masks);
  }

  /** Greedy actions of rows of Q-values ([n, nActions]), over the legal actions of `masks` when given. */
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

  /** Counts one step of every env: `vecSteps` vector steps that stored `transitions` transitions. */
  private countStep(vecSteps: number, transitions: number): void {
    const c = this.counters;
    c.timesteps += transitions;
    c.stepsSinceTrain += vecSteps;
    c.collectedSinceTrain += transitions;
    c.stepsSinceTarget += vecSteps;
  }

  /** Updates the target network when due: SB3 counts vector steps, every max(interval / numEnvs, 1). */
  private syncTargetIfDue(): void {
    const every = Math.max(Math.floor(this.options.targetUpdateInterval / (this.driver?.numEnvs ?? 1)), 1);
    if (this.counters.stepsSinceTarget < every) return;
    this.counters.stepsSinceTarget = 0;
    this.engine.syncTarget(this.options.tau);
  }

  /** Adds this step's rewards to each env's running episode; returns how many envs took a real step (not an autoreset). */
  private addRewards(driver: EnvDriver): number {
    let valid = 0;
    for (let i = 0; i < driver.numEnvs; i++) {
      if (!driver.valid[i]) continue;
      valid++;
      this.episodeReturns[i]! += driver.rewards[i]!;
      this.episodeLengths[i]!++;
    }
    return valid;
  }

  /** Ends env `i`'s running episode: counts it and returns its return and length. */
  private finishEpisode(i: number): [ret: number, length: number] {
    const ret = this.episodeReturns[i]!;
    const length = this.episodeLengths[i]!;
    this.episodeReturns[i] = this.episodeLengths[i] = 0;
    this.countEpisode(ret);
    return [ret, length];
  }

  private countEpisode(ret?: number): void {
    this.counters.episodes++;
    this.counters.episodesSinceTrain++;
    if (ret !== undefined) {
      this.recentReturns.push(ret);
      if (this.recentReturns.length > RECENT_RETURNS) this.recentReturns.shift();
    }
  }

  /**
   * A training round when one is due (every `trainFreq`, once past
   * `learningStarts`): `gradientSteps` updates on sampled batches, at the
   * schedules' current values. Resolves to the last loss, or undefined.
   */
  private async trainIfDue(): Promise<number | undefined> {
    const { trainFreq, learningStarts, batchSize, gradientSteps } = this.options;
    const c = this.counters;
    const due = trainFreq.unit === "step" ? c.stepsSinceTrain >= trainFreq.n : c.episodesSinceTrain >= trainFreq.n;
    if (!due || c.timesteps <= learningStarts || this.replay.size === 0) return undefined;
    const steps = gradientSteps >= 0 ? gradientSteps : c.collectedSinceTrain;
    c.stepsSinceTrain = c.episodesSinceTrain = c.collectedSinceTrain = 0;
    const prioritized = this.applySchedules();
    let loss = NaN;
    for (let g = 0; g < steps; g++) {
      const batch = this.replay.sample(batchSize);
      const result = this.engine.update(batch);
      // Read back only the round's last loss, or every update's TD errors for prioritized replay.
      if (g < steps - 1 && !prioritized) continue;
      if (this.readsAsync) await result.read(); // then loss() and tdErrors() read what it fetched
      loss = this.checkDiverged(result.loss());
      if (prioritized) prioritized.updatePriorities(batch.indices, result.tdErrors().map(Math.abs));
    }
    c.lastLoss = loss;
    return loss;
  }

  /** Sets the learning rate and prioritized replay's beta for the current progress; returns the prioritized buffer, if that is the replay. */
  private applySchedules(): PrioritizedReplayBuffer | undefined {
    const progressRemaining = Math.max(0, 1 - this.timesteps / this.scheduleTimesteps);
    if (typeof this.options.learningRate === "function") this.engine.setLearningRate(scheduledLearningRate(this.options.learningRate, progressRemaining));
    const per = this.options.prioritizedReplay;
    if (!per) return undefined;
    const prioritized = this.replay as PrioritizedReplayBuffer;
    prioritized.beta = per.betaFinal + (per.beta - per.betaFinal) * progressRemaining;
    return prioritized;
  }

  /** The loss, when finite. Engines skip an update whose loss or gradient is not finite: stop with the last finite weights. */
  private checkDiverged(loss: number): number {
    if (Number.isFinite(loss)) return loss;
    this.counters.lastLoss = loss;
    throw new DivergenceError(`training diverged at timestep ${this.timesteps}: the loss or its gradient is not finite (the update was skipped; the agent keeps its last finite weights). Lower learningRate or set maxGradNorm.`);
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
    const { encodeSaveFile } = await modelFiles();
    const resumeFrom = this.driver?.observations ?? this.resumeObservations;
    return encodeSaveFile({
      spec: this.spec,
      options: serializableOptions(this.options),
      optimizer: await this.engine.getOptimizerState(),
      params: await this.engine.getParams("online"),
      targetParams: await this.engine.getParams("target"),
      counters: this.counters,
      recentReturns: this.recentReturns,
      episodeReturns: Array.from(this.episodeReturns),
      rng: this.rng.state,
      ...(resumeFrom ? { lastObservations: resumeFrom.slice() } : {}),
      ...(replay ? { replay: this.replay.exportState() } : {}),
    });
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
  static async load(bytes: Uint8Array, given: { env?: EnvLike | VecEnvLike } & LoadOverrides = {}): Promise<DQN> {
    const { checkLoadOverrides, decodeSaveFile, loadedOptions } = await modelFiles();
    checkLoadOverrides(given);
    const saved = decodeSaveFile(bytes);
    const { options, missing } = loadedOptions(saved.options, given);
    const { env } = given;
    const { observationSize, nActions, observationShape } = saved.spec;
    let agent: DQN | undefined;
    try {
      agent = await DQN.create(env ?? { observationSize, nActions, ...(observationShape ? { observationShape } : {}) }, options);
      agent.missingFunctions = missing;
      // A function in its place keeps the "function" record in the agent's own save files.
      for (const k of missing) (agent.options as Record<ScheduleOption, unknown>)[k] = () => agent!.requireFunctions(k);
      agent.restore(saved);
      if (env) agent.env = env;
      return agent;
    } catch (e) {
      agent?.dispose();
      if (e instanceof FormatError) throw e;
      throw new FormatError(`inconsistent DQN save file: ${(e as Error).message}`);
    }
  }

  private restore(saved: SavedAgent): void {
    if (saved.replay) this.restoreReplay(saved.replay);
    this.engine.setParams(saved.params, "online");
    this.engine.setParams(saved.targetParams, "target");
    this.engine.setOptimizerState(saved.optimizer);
    this.counters = saved.counters;
    this.recentReturns.push(...saved.recentReturns);
    this.rng.state.set(saved.rng);
    if (saved.lastObservations) {
      this.resumeObservations = saved.lastObservations;
      this.episodeReturns = Float64Array.from(saved.episodeReturns);
      // Save files keep no episode lengths: a resumed episode's length counts from the resume.
      this.episodeLengths = new Float64Array(this.episodeReturns.length);
    }
  }

  private restoreReplay(state: ReplayState): void {
    try {
      this.replay.importState(state);
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
    const { toTorchTensors, writeSafetensors } = await modelFiles();
    return writeSafetensors(toTorchTensors(this.spec, await this.engine.getParams("online"), names), { format: "pt", producer: "deepq" });
  }

  /**
   * The online network as an ONNX model (opset 13): input `obs` float32
   * [batch, observationSize] (a conv net's [H, W, C] observations flattened
   * row by row, as `predict` takes them), output `q_values` [batch, nActions]. Runs in
   * onnxruntime (Node, web), Unity's Inference Engine, Godot and any ONNX runtime.
   */
  async exportOnnx(): Promise<Uint8Array> {
    this.alive();
    const { writeOnnx } = await modelFiles();
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
