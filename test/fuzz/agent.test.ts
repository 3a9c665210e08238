/**
 * Fuzzing the agent's surface: DQN.create with generated options objects
 * (valid and not), and predict / qValues with generated observations on the
 * fused engine and on tfjs wasm. Rejections are DeepQErrors that change
 * nothing (no tensors left behind, the exploration stream untouched); what
 * comes back is finite and matches the plain-TS forward pass
 * (src/nn/reference.ts).
 */
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DQN } from "../../src/agent/dqn.ts";
import { InvalidStateError } from "../../src/errors.ts";
import { referenceForward } from "../oracles/nn-reference.ts";
import type { NetSpec } from "../../src/nn/spec.ts";
import { attempt, attemptAsync, expectFinite, f32, junk, maybeBadVector, moderate, mostly, nastyNumber, runs, timeout } from "./arbitraries.ts";

/** Valid values kept small (a fuzz case must not allocate a million-row buffer), junk kept from being huge-but-valid. */
const cheapJunk = fc.oneof(junk, nastyNumber).filter((v) => !(typeof v === "number" && Number.isInteger(v) && v > 64));
const probability = fc.double({ min: 0, max: 1, noNaN: true });

/** Every option, valid. */
const validOptions = fc.record(
  {
    learningRate: fc.double({ min: 1e-6, max: 1, noNaN: true }),
    bufferSize: fc.integer({ min: 64, max: 300 }),
    learningStarts: fc.nat(100),
    batchSize: fc.integer({ min: 1, max: 64 }),
    gamma: probability,
    trainFreq: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.record({ n: fc.integer({ min: 1, max: 4 }), unit: fc.constantFrom("step", "episode") })),
    gradientSteps: fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 4 })),
    targetUpdateInterval: fc.integer({ min: 1, max: 1000 }),
    tau: fc.double({ min: 1e-3, max: 1, noNaN: true }),
    explorationFraction: probability,
    explorationInitialEps: probability,
    explorationFinalEps: probability,
    epsilonSchedule: fc.constant((t: number) => 1 / (1 + t)),
    netArch: fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 3 }),
    dueling: fc.boolean(),
    doubleQ: fc.boolean(),
    loss: fc.constantFrom("huber", "mse"),
    maxGradNorm: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(Infinity)),
    prioritizedReplay: fc.oneof(fc.boolean(), fc.record({ alpha: fc.double({ min: 0, max: 2, noNaN: true }), beta: probability, betaFinal: probability, epsilon: fc.double({ min: 1e-8, max: 1, noNaN: true }) }, { requiredKeys: [] })),
    nSteps: fc.integer({ min: 1, max: 5 }),
    seed: fc.nat(),
    backend: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("auto", "fused") }, fc.constantFrom("wasm", "cpu", "webgpu")),
  },
  { requiredKeys: [] },
);
const NAMES = ["learningRate", "bufferSize", "learningStarts", "batchSize", "gamma", "trainFreq", "gradientSteps", "targetUpdateInterval", "tau", "explorationFraction", "explorationInitialEps", "explorationFinalEps", "epsilonSchedule", "netArch", "dueling", "doubleQ", "loss", "maxGradNorm", "prioritizedReplay", "nSteps", "seed", "backend"];
/** Valid options with one field replaced by junk, or one unknown (snake_case) name added. */
const corrupted = fc.tuple(validOptions, fc.constantFrom(...NAMES, "learning_rate", "net_arch"), cheapJunk).map(([o, key, value]) => ({ ...o, [key]: value }));
const createArgs = fc.tuple(
  mostly(fc.record({ observationSize: fc.integer({ min: 1, max: 8 }), nActions: fc.integer({ min: 1, max: 5 }) }), fc.oneof(cheapJunk, fc.record({ observationSize: cheapJunk, nActions: fc.integer({ min: 1, max: 5 }) }))),
  fc.oneof({ weight: 3, arbitrary: validOptions }, { weight: 3, arbitrary: corrupted }, { weight: 1, arbitrary: cheapJunk }),
);

/** Argmax with ties to the lowest index, as every engine breaks them. */
function argmax(q: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < q.length; i++) if (q[i]! > q[best]!) best = i;
  return best;
}

beforeAll(async () => {
  // tfjs's wasm backend initialises once per process; do it outside the timed properties.
  (await DQN.create({ observationSize: 1, nActions: 1 }, { backend: "wasm", bufferSize: 1, batchSize: 1 })).dispose();
});

describe("fuzz: DQN.create options", () => {
  it("creates a working agent or throws a DeepQError leaving no tensors behind", { timeout: timeout(150, 60) }, async () => {
    await fc.assert(
      fc.asyncProperty(createArgs, fc.array(moderate, { minLength: 8, maxLength: 8 }), async ([spec, options], obs) => {
        const tensors = tf.memory().numTensors;
        const made = await attemptAsync(() => DQN.create(spec as { observationSize: number; nActions: number }, options as object));
        if (!made.ok) {
          expect(tf.memory().numTensors, "tensors after a rejected create").toBe(tensors);
          return;
        }
        const agent = made.value;
        const o = obs.slice(0, agent.observationSize);
        // A few game-loop steps and training rounds: nothing but DeepQError (DivergenceError included) may come out.
        for (let t = 0; t < 24; t++) {
          const next = o.map((x, i) => Math.fround(Math.sin(x + t + i)));
          const action = agent.act(o);
          expect(Number.isInteger(action) && action >= 0 && action < agent.nActions).toBe(true);
          agent.observe(o, action, Math.cos(t), next, t % 11 === 10, false);
          const trained = await attemptAsync(() => agent.trainStep());
          if (trained.ok && trained.value !== undefined) expectFinite("loss", trained.value);
        }
        const q = agent.qValues(o);
        expectFinite("Q-values after training", q);
        expect(agent.predict(o)).toBe(argmax(q));
        agent.dispose();
        agent.dispose();
        expect(() => agent.predict(o)).toThrow(InvalidStateError);
        expect(tf.memory().numTensors, "tensors after dispose").toBe(tensors);
      }),
      runs(150),
    );
  });
});

describe("fuzz: predict and qValues", () => {
  const spec = { observationSize: 5, nActions: 3 };
  const agents: Record<string, { agent: DQN; params: Float32Array; net: NetSpec }> = {};
  const rngOf = (agent: DQN) => (agent as unknown as { rng: { state: Uint32Array } }).rng.state;

  beforeAll(async () => {
    for (const backend of ["fused", "wasm"] as const) {
      const options = { backend, netArch: [16, 8], dueling: backend === "wasm", seed: 3, learningStarts: 0, explorationInitialEps: 0.5, explorationFinalEps: 0.5 };
      const agent = await DQN.create(spec, options);
      const params = await (agent as unknown as { engine: { getParams(role: string): Promise<Float32Array> } }).engine.getParams("online");
      agents[backend] = { agent, params, net: agent.spec };
    }
  });
  afterAll(() => Object.values(agents).forEach(({ agent }) => agent.dispose()));

  /** Observations: a game's (moderate), any float32, and (rarely) finite doubles beyond float32. */
  const element = fc.oneof({ weight: 6, arbitrary: moderate }, { weight: 2, arbitrary: f32 }, fc.constantFrom(1e39, -1e300));
  const calls = fc.array(fc.record({ obs: maybeBadVector(5, element), deterministic: fc.boolean() }), { minLength: 1, maxLength: 20 });

  for (const backend of ["fused", "wasm"]) {
    it(`${backend}: finite Q-values matching the TS forward pass, argmax actions; bad observations rejected leaving the exploration stream untouched`, { timeout: timeout(300, 20) }, async () => {
      const { agent, params, net } = agents[backend]!;
      await fc.assert(
        fc.property(calls, (list) => {
          for (const { obs, deterministic } of list) {
            const stream = rngOf(agent).slice();
            const q = attempt(() => agent.qValues(obs as number[]));
            const action = attempt(() => agent.predict(obs as number[], { deterministic }));
            // Q-values that overflow float32 are refused; the greedy action is still defined.
            if (!q.ok && /overflow float32/.test(q.error.message)) continue;
            expect(action.ok).toBe(q.ok);
            if (!action.ok) expect(Array.from(rngOf(agent)), "exploration stream after a rejected predict").toEqual(Array.from(stream));
            if (!q.ok || !action.ok) continue;
            expectFinite("Q-values", q.value);
            const ref = referenceForward(net, params, Float32Array.from(obs as number[]), 1);
            // float32 against float64: Q-values are sums of terms as large as the input's largest element, which can cancel.
            const scale = Math.max(1, ...Array.from(obs as number[], Math.abs));
            q.value.forEach((v, i) => expect(Math.abs(v - ref[i]!), `Q[${i}] ${v} vs reference ${ref[i]}`).toBeLessThanOrEqual(1e-4 * Math.max(scale, Math.abs(ref[i]!))));
            if (deterministic) expect(action.value).toBe(argmax(q.value));
          }
        }),
        runs(300),
      );
    });
  }
});
