/**
 * Fuzzing ReplayBuffer and PrioritizedReplayBuffer with random options and
 * random sequences of add, addBatch, sample, updatePriorities and beta,
 * good and bad, against the plain-TS reference (test/oracles/replay-reference.ts):
 * same size and samples bit for bit, both rejecting exactly what the
 * independent table of expected errors (./expected-errors.ts) says, as
 * DeepQErrors changing nothing in the arena (header, rows, trees, last
 * batch), finite samples, importance weights in (0, 1].
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PrioritizedReplayBuffer, ReplayBuffer, type ReplayBatch } from "../../src/replay/buffer.ts";
import { ReferenceReplayBuffer } from "../oracles/replay-reference.ts";
import { planned, snapshot, type Planned } from "../replay/harness.ts";
const F32_MAX = 3.4028234663852886e38;
import { expectVerdict, replayAddBatchVerdict, replayAddVerdict, replayBetaVerdict, replayOptionsVerdict, replayPrioritiesVerdict, replaySampleVerdict } from "./expected-errors.ts";
import { attempt, attemptAsync, expectBits, expectFinite, expectSameOutcome, f32, junk, maybeBadVector, moderate, mostly, runs, timeout, type Outcome } from "./arbitraries.ts";

interface Shape {
  observationSize: number;
  numEnvs: number;
  nSteps: number;
  maxBatchSize: number;
}

const shape = fc.record({
  observationSize: fc.integer({ min: 1, max: 9 }),
  numEnvs: fc.integer({ min: 1, max: 3 }),
  nSteps: fc.integer({ min: 1, max: 4 }),
  maxBatchSize: fc.integer({ min: 1, max: 16 }),
});

/** Options for `s`, every field sometimes junk, sometimes an unknown extra field. */
function options(s: Shape, prioritized: boolean) {
  const base = {
    capacity: mostly(fc.integer({ min: s.numEnvs * (s.nSteps + 1), max: 48 })),
    observationSize: mostly(fc.constant(s.observationSize)),
    seed: mostly(fc.nat()),
    nSteps: mostly(fc.constant(s.nSteps)),
    gamma: mostly(fc.double({ min: 0, max: 1, noNaN: true })),
    numEnvs: mostly(fc.constant(s.numEnvs)),
    maxBatchSize: mostly(fc.constant(s.maxBatchSize)),
    autoreset: mostly(fc.constantFrom("same-step", "next-step")),
  };
  const per = { alpha: mostly(fc.double({ min: 0, max: 3, noNaN: true })), beta: mostly(fc.double({ min: 0, max: 1, noNaN: true })), epsilon: mostly(fc.double({ min: 1e-8, max: 1, noNaN: true }), junk) };
  const o = fc
    .record(prioritized ? { ...base, ...per } : base, { requiredKeys: ["capacity", "observationSize", ...(prioritized ? ["alpha", "beta"] : [])] as never[] })
    // A seed-less buffer seeds from Math.random: no reference could follow it.
    .map((x) => (x.seed === undefined ? { ...x, seed: 7 } : x));
  return mostly(o, fc.oneof(junk, o.map((x) => ({ ...x, unknownOption: 1 }))), 1);
}

/** Rewards: moderate, any float32, and the float32 extremes (n-step sums must not overflow). */
const reward = fc.oneof({ weight: 3, arbitrary: moderate }, f32, fc.constantFrom(F32_MAX, -F32_MAX));
/** Most steps continue the episode (obs = the previous nextObs), so n-step windows fill. */
const continuing = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false));
const flag = fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, fc.constant(true));

/** A command; `chain` makes obs the previous nextObs of each env (a continuing episode) when the draw is well-formed. */
function commands(s: Shape, prioritized: boolean) {
  const d = s.observationSize;
  const n = s.numEnvs;
  const add = fc.record({ chain: continuing, obs: maybeBadVector(d, moderate), action: mostly(fc.nat(5)), reward: mostly(reward), nextObs: maybeBadVector(d, moderate), terminated: mostly(flag), truncated: mostly(flag) }).map((c) => ({ add: c }));
  const addBatch = fc
    .record({
      chain: continuing,
      obs: maybeBadVector(n * d, moderate),
      actions: maybeBadVector(n, fc.nat(5)),
      rewards: maybeBadVector(n, reward),
      nextObs: maybeBadVector(n * d, moderate),
      terminated: mostly(fc.array(flag.map(Number), { minLength: n, maxLength: n })),
      truncated: mostly(fc.array(flag, { minLength: n, maxLength: n }), fc.constant(undefined)),
    })
    .map((c) => ({ addBatch: c }));
  const sample = mostly(fc.integer({ min: 1, max: s.maxBatchSize }), fc.oneof(junk, fc.integer())).map((b) => ({ sample: b }));
  const priorities = fc.record({
    fromSample: fc.boolean(),
    indices: mostly(fc.array(fc.nat(60), { maxLength: s.maxBatchSize })),
    priorities: mostly(fc.array(fc.oneof({ weight: 4, arbitrary: fc.double({ min: 0, max: 100, noNaN: true }) }, fc.double({ min: 0, noNaN: true }), fc.double()), { maxLength: s.maxBatchSize })),
  }).map((u) => ({ update: u }));
  const beta = mostly(fc.double({ min: 0, max: 1, noNaN: true })).map((b) => ({ beta: b }));
  const all = [{ weight: 4, arbitrary: n === 1 ? add : addBatch }, { weight: 2, arbitrary: addBatch }, { weight: 3, arbitrary: sample }];
  if (prioritized) all.push({ weight: 2, arbitrary: priorities as never }, { weight: 1, arbitrary: beta as never });
  return fc.array(fc.oneof(...all), { maxLength: 50 });
}

type Buffer = ReplayBuffer | PrioritizedReplayBuffer;
/** An add's arguments without the trailing next mask (the fuzzed buffers keep no masks). */
type Unmasked<P extends unknown[]> = Required<P> extends [...infer Q, unknown] ? Q : never;

function expectSameBatch(a: ReplayBatch, b: ReplayBatch, prioritized: boolean): void {
  for (const key of ["observations", "actions", "rewards", "nextObservations", "dones", "discounts", "indices"] as const) {
    expectBits(key, a[key], b[key]);
    expectFinite(key, a[key]);
  }
  // Weights come from pow, which AssemblyScript and V8 may round 1 ulp apart.
  a.weights.forEach((w, i) => expect(Math.abs(w - b.weights[i]!), `weights[${i}]: ${w} vs ${b.weights[i]}`).toBeLessThanOrEqual(2 ** -23 * Math.abs(b.weights[i]!)));
  if (prioritized) for (const w of a.weights) if (!(w > 0 && w <= 1)) expect.fail(`importance weight ${w} outside (0, 1]`);
}

/** Replaces `obs` by the previous nextObs of each env when asked to chain and the draw had the right length. */
function chained(c: { chain: boolean; obs: unknown }, last: Float32Array | undefined): unknown {
  const vector = Array.isArray(c.obs) || c.obs instanceof Float32Array;
  return c.chain && last && vector && (c.obs as ArrayLike<number>).length === last.length ? last : c.obs;
}

async function run(prioritized: boolean, s: Shape, opts: unknown, cmds: Array<Record<string, unknown>>): Promise<void> {
  const kind = prioritized ? PrioritizedReplayBuffer : ReplayBuffer;
  const made: Outcome<Planned<Buffer>> = await attemptAsync(() => planned(kind as typeof ReplayBuffer, opts as never));
  const ref = attempt(() => (prioritized ? ReferenceReplayBuffer.prioritized(opts as never) : ReferenceReplayBuffer.uniform(opts as never)));
  const { verdict, shape } = replayOptionsVerdict(opts, prioritized);
  for (const o of [made, ref]) expectVerdict(o, verdict, "create");
  expectSameOutcome(made, ref, () => {});
  if (!made.ok || !ref.ok || !shape) return;
  const p = made.value;
  const rb = p.rb;
  const twin = ref.value;
  let last: Float32Array | undefined;
  let lastIndices: Int32Array | undefined;
  for (const cmd of cmds) {
    const before = snapshot(p);
    let a: Outcome<unknown>;
    let b: Outcome<unknown>;
    let expected: string | undefined;
    if ("add" in cmd) {
      const c = cmd.add as Record<string, unknown> & { chain: boolean };
      const args = [chained(c as never, last), c.action, c.reward, c.nextObs, c.terminated, c.truncated] as Unmasked<Parameters<ReplayBuffer["add"]>>;
      expected = replayAddVerdict(shape, ...args);
      a = attempt(() => rb.add(...args));
      b = attempt(() => twin.add(...args));
      if (a.ok) last = Float32Array.from(c.nextObs as ArrayLike<number>);
    } else if ("addBatch" in cmd) {
      const c = cmd.addBatch as Record<string, unknown> & { chain: boolean };
      const args = [chained(c as never, last), c.actions, c.rewards, c.nextObs, c.terminated, c.truncated] as Unmasked<Parameters<ReplayBuffer["addBatch"]>>;
      expected = replayAddBatchVerdict(shape, ...args);
      a = attempt(() => rb.addBatch(...args));
      b = attempt(() => twin.addBatch(...args));
      if (a.ok) last = Float32Array.from(c.nextObs as ArrayLike<number>);
    } else if ("sample" in cmd) {
      expected = replaySampleVerdict(shape, cmd.sample, twin.size);
      a = attempt(() => rb.sample(cmd.sample as number));
      b = attempt(() => twin.sample(cmd.sample as number));
      expectSameOutcome(a as Outcome<ReplayBatch>, b as Outcome<ReplayBatch>, (x, y) => expectSameBatch(x, y, prioritized));
      if (a.ok) lastIndices = (a.value as ReplayBatch).indices.slice();
    } else if ("update" in cmd) {
      const u = cmd.update as { fromSample: boolean; indices: unknown; priorities: unknown };
      const indices = u.fromSample && lastIndices ? lastIndices : u.indices;
      const pri = u.fromSample && lastIndices && Array.isArray(u.priorities) ? Array.from(lastIndices, (_, i) => (u.priorities as number[])[i] ?? 1) : u.priorities;
      expected = replayPrioritiesVerdict(shape, indices, pri);
      a = attempt(() => (rb as PrioritizedReplayBuffer).updatePriorities(indices as number[], pri as number[]));
      b = attempt(() => twin.updatePriorities(indices as number[], pri as number[]));
    } else {
      expected = replayBetaVerdict(cmd.beta);
      a = attempt(() => void ((rb as PrioritizedReplayBuffer).beta = cmd.beta as number));
      b = attempt(() => void (twin.beta = cmd.beta as number));
    }
    for (const o of [a, b]) expectVerdict(o, expected, Object.keys(cmd)[0]!);
    expectSameOutcome(a, b, () => {});
    if (!a.ok) {
      const after = snapshot(p);
      after.forEach((region, i) => expect(Buffer.compare(region, before[i]!), `arena region ${i} after a rejected call`).toBe(0));
    }
    expect(rb.size).toBe(twin.size);
  }
  // Whatever went in, what comes out is finite and matches the reference.
  if (rb.size > 0) expectSameBatch(rb.sample(s.maxBatchSize), twin.sample(s.maxBatchSize), prioritized);
}

describe("fuzz: replay buffers against the TS reference", () => {
  for (const prioritized of [false, true]) {
    const name = prioritized ? "PrioritizedReplayBuffer" : "ReplayBuffer";
    const scenario = shape.chain((s) => fc.tuple(fc.constant(s), options(s, prioritized), commands(s, prioritized)));
    it(`${name}: same samples as the reference, both reject what the table of expected errors says, rejections change nothing, only finite numbers out`, { timeout: timeout(300, 30) }, async () => {
      await fc.assert(
        fc.asyncProperty(scenario, ([s, opts, cmds]) => run(prioritized, s, opts, cmds as Array<Record<string, unknown>>)),
        runs(300),
      );
    });
  }
});
