/**
 * Lifetimes and leaks, for programs that run for hours: close/dispose are
 * idempotent and later calls throw InvalidStateError; WebAssembly memory
 * (arenaStats: every live arena and its bytes) and tfjs tensors stay flat
 * over long runs; create/dispose cycles leave nothing behind once garbage is
 * collected; agents sharing a process share no state.
 *
 * LONG=1 (set by `npm run fuzz`) runs the long counts; `npm test` runs
 * shorter ones (each test names both).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DQN } from "../src/agent/dqn.ts";
import { make, makeVec } from "../src/envs/registry.ts";
import { InvalidStateError } from "../src/errors.ts";
import { FusedQNet } from "../src/nn/fused.ts";
import { loadPolicy } from "../src/policy.ts";
import { PrioritizedReplayBuffer, ReplayBuffer } from "../src/replay/buffer.ts";
import { arenaStats } from "../src/runtime/wasm.ts";

const LONG = process.env.LONG === "1";
const count = (ci: number, long: number) => (LONG ? long : ci);

// A fresh context picks up --expose-gc set at run time.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Collects garbage, then reads the live arenas. Each GC runs in a task of its
 * own: a WeakRef dereferenced in a task keeps its target alive until the task ends.
 */
async function collect(): Promise<{ count: number; bytes: number }> {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  for (let round = 0; round < 4; round++) {
    await tick();
    gc();
  }
  await tick();
  return arenaStats();
}

/** Expects `call` to throw InvalidStateError (sync) or reject with it (async). */
async function expectDead(what: string, call: () => unknown): Promise<void> {
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(error, what).toBeInstanceOf(InvalidStateError);
}

const OBS = [0.01, -0.02, 0.03, 0.04];

beforeAll(async () => {
  // tfjs initialises once per process, with its own long-lived tensors; count from after that.
  (await DQN.create({ observationSize: 4, nActions: 2 }, { backend: "wasm", bufferSize: 8, batchSize: 8 })).dispose();
});

describe("close and dispose", () => {
  it("exist, are idempotent, and every later call throws InvalidStateError", async () => {
    const env = await make("CartPole-v1");
    env.reset({ seed: 0 });
    env.close();
    env.close();
    await expectDead("env.step", () => env.step(0));
    await expectDead("env.reset", () => env.reset());

    const venv = await makeVec("CartPole-v1", { numEnvs: 3 });
    venv.reset({ seed: 0 });
    venv.close();
    venv.close();
    await expectDead("vecEnv.step", () => venv.step(new Int32Array(3)));
    await expectDead("vecEnv.reset", () => venv.reset());

    for (const rb of [await ReplayBuffer.create({ capacity: 8, observationSize: 4, seed: 0 }), await PrioritizedReplayBuffer.create({ capacity: 8, observationSize: 4, seed: 0, alpha: 0.6, beta: 0.4 })]) {
      rb.add(OBS, 0, 1, OBS, false);
      rb.dispose();
      rb.dispose();
      await expectDead("buffer.add", () => rb.add(OBS, 0, 1, OBS, false));
      await expectDead("buffer.addBatch", () => rb.addBatch(OBS, [0], [1], OBS, [0]));
      await expectDead("buffer.sample", () => rb.sample(1));
      if (rb instanceof PrioritizedReplayBuffer) await expectDead("buffer.updatePriorities", () => rb.updatePriorities([0], [1]));
    }

    for (const backend of ["fused", "wasm"] as const) {
      const tensors = tf.memory().numTensors;
      const agent = await DQN.create(await make("CartPole-v1"), { backend, netArch: [8], bufferSize: 64, batchSize: 8, learningStarts: 0 });
      const policy = await loadPolicy(await agent.save());
      agent.dispose();
      agent.dispose();
      expect(tf.memory().numTensors, `${backend}: tensors after dispose`).toBe(tensors);
      await expectDead("agent.predict", () => agent.predict(OBS));
      await expectDead("agent.qValues", () => agent.qValues(OBS));
      await expectDead("agent.act", () => agent.act(OBS));
      await expectDead("agent.observe", () => agent.observe(OBS, 0, 1, OBS, false, false));
      await expectDead("agent.trainStep", () => agent.trainStep());
      await expectDead("agent.learn", () => agent.learn({ totalTimesteps: 10 }));
      await expectDead("agent.save", () => agent.save());
      await expectDead("agent.exportSafetensors", () => agent.exportSafetensors());
      policy.dispose();
      policy.dispose();
      await expectDead("policy.act", () => policy.act(OBS));
      await expectDead("policy.qValues", () => policy.qValues(OBS));
    }
  });
});

describe("flat memory over long runs", () => {
  const steps = count(100_000, 100_000);
  it(`WASM memory stays flat over ${steps.toLocaleString("en")} env steps (single and vector env)`, async () => {
    const env = await make("CartPole-v1");
    const venv = await makeVec("CartPole-v1", { numEnvs: 8 });
    const before = await collect();
    env.reset({ seed: 1 });
    venv.reset({ seed: 1 });
    const actions = new Int32Array(8);
    for (let t = 0; t < steps; t++) {
      const r = env.step(t & 1);
      if (r.terminated || r.truncated) env.reset();
      actions.fill(t % 3 === 0 ? 1 : 0);
      venv.step(actions);
    }
    expect(await collect()).toEqual(before);
    // Still in use, so the comparison above counted their arenas.
    expect(env.state.length + venv.state.length).toBe(36);
  });

  const cases = [
    { backend: "fused" as const, updates: count(10_000, 100_000) },
    { backend: "wasm" as const, updates: count(1_000, 10_000) },
  ];
  for (const { backend, updates } of cases) {
    it(`WASM memory and tfjs tensors stay flat over ${updates.toLocaleString("en")} agent updates (${backend}; ${LONG ? "long run" : `npm run fuzz runs ${backend === "fused" ? "100,000" : "10,000"}`})`, { timeout: 600_000 }, async () => {
      const env = await make("CartPole-v1");
      const agent = await DQN.create(env, { backend, netArch: [32, 32], bufferSize: 5000, batchSize: 32, learningStarts: 100, trainFreq: 1, targetUpdateInterval: 500, seed: 2 });
      await agent.learn({ totalTimesteps: 200 });
      const arenas = await collect();
      const tensors = tf.memory().numTensors;
      await agent.learn({ totalTimesteps: updates, resetNumTimesteps: false });
      expect(agent.timesteps).toBe(200 + updates);
      const after = await collect();
      console.info(`${backend}, ${updates} updates: arenas ${arenas.count} (${arenas.bytes} B) -> ${after.count} (${after.bytes} B); tensors ${tensors} -> ${tf.memory().numTensors}`);
      expect(after, "live arenas and their bytes").toEqual(arenas);
      expect(tf.memory().numTensors, "tfjs tensors").toBe(tensors);
      agent.dispose();
    });
  }
});

/** One agent's life: create, one transition, one update, dispose. */
async function agentCycle(backend: "fused" | "wasm"): Promise<void> {
  const agent = await DQN.create({ observationSize: 4, nActions: 2 }, { backend, netArch: [16], bufferSize: 64, batchSize: 8, learningStarts: 0, trainFreq: 1 });
  agent.observe(OBS, 1, 1, OBS, false, false);
  await agent.trainStep();
  agent.dispose();
}

describe("create/dispose cycles", () => {
  const cycles = 1_000;
  const kinds: Array<[string, () => Promise<void>]> = [
    ["envs", async () => {
      const env = await make("CartPole-v1");
      env.reset({ seed: 0 });
      env.step(1);
      env.close();
      const venv = await makeVec("CartPole-v1", { numEnvs: 4 });
      venv.reset({ seed: 0 });
      venv.close();
    }],
    ["replay buffers", async () => {
      const rb = await PrioritizedReplayBuffer.create({ capacity: 64, observationSize: 4, seed: 0, alpha: 0.6, beta: 0.4 });
      rb.add(OBS, 0, 1, OBS, true);
      rb.updatePriorities(rb.sample(4).indices, [1, 2, 3, 4]);
      rb.dispose();
    }],
    ["fused networks", async () => {
      const net = await FusedQNet.create({ observationSize: 4, nActions: 2, hidden: [16], dueling: false }, { batchSize: 8, learningRate: 1e-3 });
      net.act(OBS);
      net.dispose();
    }],
    ["agents (fused)", () => agentCycle("fused")],
  ];
  for (const [name, cycle] of kinds) {
    it(`${cycles.toLocaleString("en")} create/dispose cycles of ${name} leak no WASM memory (live arenas back to the baseline, no growth after the first cycles)`, async () => {
      const baseline = await collect();
      for (let i = 0; i < 100; i++) await cycle();
      const early = await collect();
      for (let i = 100; i < cycles; i++) await cycle();
      const late = await collect();
      console.info(`${name}: live arenas ${baseline.count} (${baseline.bytes} B), after 100 cycles ${early.count} (${early.bytes} B), after ${cycles} ${late.count} (${late.bytes} B)`);
      expect(early, "after 100 cycles").toEqual(baseline);
      expect(late, `after ${cycles} cycles`).toEqual(baseline);
    });
  }

  it(`${count(100, 1_000)} create/dispose cycles of tfjs wasm agents leave no tensors and no WASM memory`, { timeout: 600_000 }, async () => {
    const baseline = await collect();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < count(100, 1_000); i++) await agentCycle("wasm");
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await collect()).toEqual(baseline);
  });
});

describe("envs, buffers and agents in one process share no state", () => {
  it("two vector envs and two replay buffers with other seeds, interleaved, each equal a solo run", async () => {
    /** A vector env feeding a replay buffer for `steps` steps, one step per call of the returned function. */
    const pipeline = async (seed: number) => {
      const venv = await makeVec("CartPole-v1", { numEnvs: 3 });
      const rb = await PrioritizedReplayBuffer.create({ capacity: 300, observationSize: 4, numEnvs: 3, nSteps: 2, seed, alpha: 0.6, beta: 0.4, autoreset: "next-step" });
      let obs = venv.reset({ seed }).observation.slice();
      const seen: number[] = [];
      return {
        seen,
        step(t: number) {
          const actions = Int32Array.from([t & 1, (t >> 1) & 1, (t * seed) & 1]);
          const r = venv.step(actions);
          rb.addBatch(obs, actions, r.reward, r.observation, r.terminated, r.truncated);
          obs = r.observation.slice();
          if (t % 10 === 9) {
            const b = rb.sample(8);
            rb.updatePriorities(b.indices, Float32Array.from(b.rewards, (x) => Math.abs(x) + 0.5));
            seen.push(...obs, ...b.observations, ...b.weights, ...b.indices);
          }
        },
      };
    };
    const solo = async (seed: number) => {
      const p = await pipeline(seed);
      for (let t = 0; t < 400; t++) p.step(t);
      return p.seen;
    };
    const [a, b] = [await pipeline(1), await pipeline(2)];
    for (let t = 0; t < 400; t++) {
      a.step(t);
      b.step(t);
    }
    expect(a.seen).toEqual(await solo(1));
    expect(b.seen).toEqual(await solo(2));
    expect(a.seen).not.toEqual(b.seen);
  });


  /** A game-loop run: act, step, observe, train, for `steps` steps; returns the episode returns and final Q-values. */
  function runner(agent: DQN, env: Awaited<ReturnType<typeof make>>) {
    const returns: number[] = [];
    let obs = env.reset({ seed: agent.options.seed }).observation;
    let ret = 0;
    return {
      returns,
      async step() {
        const action = agent.act(obs);
        const r = env.step(action);
        agent.observe(obs, action, r.reward, r.observation, r.terminated, r.truncated);
        await agent.trainStep();
        ret += r.reward;
        obs = r.observation;
        if (r.terminated || r.truncated) {
          returns.push(ret);
          ret = 0;
          obs = env.reset().observation;
        }
      },
    };
  }
  const create = (backend: "fused" | "wasm", seed: number) => DQN.create({ observationSize: 4, nActions: 2 }, { backend, seed, netArch: [16], bufferSize: 500, batchSize: 16, learningStarts: 50, trainFreq: 1, targetUpdateInterval: 100 });

  for (const [a, b] of [["fused", "fused"], ["wasm", "wasm"], ["fused", "wasm"]] as const) {
    it(`two agents (${a} seed 1, ${b} seed 2) interleaved step by step each equal a solo run`, async () => {
      const steps = a === "wasm" ? 300 : 600;
      const solo = async (backend: "fused" | "wasm", seed: number) => {
        const agent = await create(backend, seed);
        const run = runner(agent, await make("CartPole-v1"));
        for (let t = 0; t < steps; t++) await run.step();
        const out = { returns: run.returns, q: Array.from(agent.qValues(OBS)) };
        agent.dispose();
        return out;
      };
      const first = await create(a, 1);
      const second = await create(b, 2);
      const runs = [runner(first, await make("CartPole-v1")), runner(second, await make("CartPole-v1"))];
      for (let t = 0; t < steps; t++) for (const run of runs) await run.step();
      const together = [{ returns: runs[0]!.returns, q: Array.from(first.qValues(OBS)) }, { returns: runs[1]!.returns, q: Array.from(second.qValues(OBS)) }];
      expect(together[0]!.returns.length).toBeGreaterThan(5);
      expect(together[0]).toEqual(await solo(a, 1));
      expect(together[1]).toEqual(await solo(b, 2));
      expect(together[0]!.returns).not.toEqual(together[1]!.returns);
      first.dispose();
      second.dispose();
    });
  }
});
