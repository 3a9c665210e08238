// Action masks when acting: act, predict, exploration, policy.act and learn
// never choose an illegal action; greedy choices are the argmax over legal
// actions; bad masks are typed errors naming the argument.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DQN, InvalidArgumentError, loadPolicy } from "deepq";

const N_ACTIONS = 5;
const OBS = 3;
const RUNS = 10_000;

/** A mask with at least one legal action, and an observation. */
const maskAndObs = fc.record({
  mask: fc.array(fc.boolean(), { minLength: N_ACTIONS, maxLength: N_ACTIONS }).filter((m) => m.some(Boolean)).map((m) => Uint8Array.from(m, Number)),
  obs: fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: OBS, maxLength: OBS }),
});

function argmaxOver(q: Float32Array, mask: Uint8Array): number {
  let best = -1;
  for (let a = 0; a < q.length; a++) if (mask[a] && (best < 0 || q[a]! > q[best]!)) best = a;
  return best;
}

describe("masked acting", () => {
  it(`never takes an illegal action over ${RUNS} random masks (act, predict, exploration, policy.act)`, async () => {
    const spec = { observationSize: OBS, nActions: N_ACTIONS };
    // greedy: acting past learningStarts with epsilon 0; exploring: before learningStarts (always random).
    const greedy = await DQN.create(spec, { seed: 1, learningStarts: 0, explorationInitialEps: 0, explorationFinalEps: 0, netArch: [16] });
    const exploring = await DQN.create(spec, { seed: 2, learningStarts: 1_000_000, explorationInitialEps: 1, explorationFinalEps: 1, netArch: [16] });
    const policy = await loadPolicy(await greedy.exportSafetensors());
    const explored = new Set<number>();
    try {
      fc.assert(
        fc.property(maskAndObs, ({ mask, obs }) => {
          const best = argmaxOver(greedy.qValues(obs), mask);
          expect(greedy.act(obs, { mask })).toBe(best);
          expect(greedy.predict(obs, { mask })).toBe(best);
          expect(policy.act(obs, mask)).toBe(best);
          const random = exploring.act(obs, { mask });
          const randomPredict = exploring.predict(obs, { mask, deterministic: false });
          expect(mask[random]).toBe(1);
          expect(mask[randomPredict]).toBe(1);
          explored.add(random);
        }),
        { numRuns: RUNS, seed: 19 },
      );
      // Exploration covers every action over the runs (each is legal in about half the masks).
      expect(explored.size).toBe(N_ACTIONS);
    } finally {
      greedy.dispose();
      exploring.dispose();
      policy.dispose();
    }
  });

  it("explores uniformly among the legal actions", async () => {
    const agent = await DQN.create({ observationSize: OBS, nActions: N_ACTIONS }, { seed: 3, netArch: [8] });
    const mask = Uint8Array.from([0, 1, 0, 1, 1]);
    const counts = new Array(N_ACTIONS).fill(0);
    const n = 30_000;
    for (let i = 0; i < n; i++) counts[agent.act([0, 0, 0], { mask })]++;
    agent.dispose();
    expect(counts[0] + counts[2]).toBe(0);
    // Each legal action is drawn with p = 1/3: 5 standard deviations of the binomial count is about 400.
    for (const a of [1, 3, 4]) expect(Math.abs(counts[a] - n / 3)).toBeLessThan(5 * Math.sqrt((n * 2) / 9));
  });

  it("rejects bad masks with an InvalidArgumentError naming them", async () => {
    const agent = await DQN.create({ observationSize: OBS, nActions: N_ACTIONS }, { seed: 4, netArch: [8] });
    const policy = await loadPolicy(await agent.exportSafetensors());
    const argumentOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        return (e as InvalidArgumentError).argument;
      }
      throw new Error("no error");
    };
    const obs = [0, 0, 0];
    for (const [bad, name] of [
      [new Uint8Array(N_ACTIONS), "mask"], // no legal action
      [new Uint8Array(N_ACTIONS - 1).fill(1), "mask"], // wrong length
      [Uint8Array.from([1, 2, 1, 1, 1]), "mask[1]"], // not 0/1
      ["11111", "mask"],
    ] as const) {
      expect(argumentOf(() => agent.act(obs, { mask: bad as never }))).toBe(name);
      expect(argumentOf(() => agent.predict(obs, { mask: bad as never }))).toBe(name);
      expect(argumentOf(() => policy.act(obs, bad as never))).toBe(name);
    }
    expect(argumentOf(() => agent.act(obs, { mask: new Uint8Array(N_ACTIONS).fill(1), extra: 1 } as never))).toBe("act options.extra");
    agent.dispose();
    policy.dispose();
  });
});

/**
 * A game whose legal actions change every step: action a is legal when bit a
 * of the step count's hash is set. Taking an illegal action throws, so an
 * agent that ever chooses one fails the test.
 */
class MaskedGame {
  observationSpace = { shape: [2] };
  actionSpace = { n: 4 };
  private t = 0;
  constructor(private readonly via: "info" | "method") {}
  private mask(): Uint8Array {
    const bits = ((this.t * 2654435761) >>> 7) % 15 + 1; // 1..15: never empty
    return Uint8Array.from({ length: 4 }, (_, a) => (bits >> a) & 1);
  }
  private obs(): Float32Array {
    return Float32Array.from([this.t % 7, (this.t * 3) % 5]);
  }
  private info() {
    return this.via === "info" ? { actionMask: this.mask() } : {};
  }
  actionMask(): Uint8Array | undefined {
    return this.via === "method" ? this.mask() : undefined;
  }
  reset() {
    this.t = 0;
    return { observation: this.obs(), info: this.info() };
  }
  step(action: number) {
    if (!this.mask()[action]) throw new Error(`illegal action ${action} at t=${this.t}`);
    this.t++;
    return { observation: this.obs(), reward: action === 0 ? 1 : 0, terminated: this.t % 20 === 0, truncated: false, info: this.info() };
  }
}

/** Three MaskedGames side by side, as a VecEnv with next-step autoreset and a flat numEnvs x nActions mask in info. */
class MaskedVec {
  numEnvs = 3;
  singleObservationSpace = { shape: [2] };
  singleActionSpace = { n: 4 };
  private envs = [0, 1, 2].map(() => new MaskedGame("info"));
  private ended = [false, false, false];
  private masks: Uint8Array[] = [];
  reset() {
    const r = this.envs.map((e) => e.reset());
    this.ended.fill(false);
    return this.pack(r.map((x) => ({ ...x, reward: 0, terminated: false, truncated: false })));
  }
  step(actions: Int32Array) {
    const r = this.envs.map((e, i) => (this.ended[i] ? { ...e.reset(), reward: 0, terminated: false, truncated: false } : e.step(actions[i]!)));
    this.ended = r.map((x) => x.terminated);
    return this.pack(r);
  }
  private pack(r: { observation: Float32Array; reward: number; terminated: boolean; truncated: boolean; info: { actionMask?: Uint8Array } }[]) {
    this.masks = r.map((x) => x.info.actionMask!);
    const mask = new Uint8Array(12);
    this.masks.forEach((m, i) => mask.set(m, i * 4));
    const observation = new Float32Array(6);
    r.forEach((x, i) => observation.set(x.observation, i * 2));
    return {
      observation,
      reward: Float32Array.from(r, (x) => x.reward),
      terminated: Uint8Array.from(r, (x) => Number(x.terminated)),
      truncated: Uint8Array.from(r, (x) => Number(x.truncated)),
      info: { actionMask: mask },
    };
  }
}

describe("learn on masked envs", () => {
  for (const via of ["info", "method"] as const) {
    it(`takes only legal actions, exploring and greedy (mask from ${via === "info" ? "info.actionMask" : "env.actionMask()"})`, async () => {
      const env = new MaskedGame(via);
      const agent = await DQN.create(env, { seed: 5, learningStarts: 50, explorationFraction: 0.5, netArch: [16], batchSize: 16, trainFreq: 4 });
      await agent.learn({ totalTimesteps: 600 }); // throws on an illegal action
      expect(agent.timesteps).toBe(600);
      agent.dispose();
    });
  }

  it("takes only legal actions on the tfjs engine with Double DQN, training on the stored masks", async () => {
    const agent = await DQN.create(new MaskedGame("info"), { seed: 8, backend: "wasm", doubleQ: true, learningStarts: 50, explorationFraction: 0.5, netArch: [16], batchSize: 16 });
    await agent.learn({ totalTimesteps: 400 });
    expect(agent.getBackend()).toBe("wasm");
    expect(Number.isFinite(agent.lastLoss)).toBe(true);
    agent.dispose();
  });

  it("takes only legal actions in a vector env", async () => {
    const agent = await DQN.create(new MaskedVec(), { seed: 6, learningStarts: 30, explorationFraction: 0.5, netArch: [16], batchSize: 16 });
    await agent.learn({ totalTimesteps: 600 });
    expect(agent.timesteps).toBeGreaterThanOrEqual(600);
    agent.dispose();
  });

  it("names a bad env mask", async () => {
    const env = new MaskedGame("info");
    (env as unknown as { reset: () => unknown }).reset = () => ({ observation: new Float32Array(2), info: { actionMask: new Uint8Array(4) } });
    const agent = await DQN.create(env, { seed: 7, netArch: [8] });
    await expect(agent.learn({ totalTimesteps: 10 })).rejects.toMatchObject({ name: "InvalidArgumentError", argument: "env.reset().info.actionMask" });
    agent.dispose();
  });
});
