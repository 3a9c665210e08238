import { describe, expect, it } from "vitest";
import { PrioritizedReplayBuffer } from "../src/replay/buffer.ts";
import { ReferenceReplayBuffer } from "./oracles/replay-reference.ts";
import { Rng } from "../src/runtime/rng.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { flat, makeStream, nStepTransitions } from "./replay/streams.ts";
import { addStream, copyBatch, expectRows, planned, rngState, sampleWith } from "./replay/harness.ts";
import { scalarTwin } from "./support/test-wasm.ts";

/** One episode of `n` chained transitions, the last truncated: rows 0..n-1, actions 0..n-1. */
function addEpisode(rb: { add: PrioritizedReplayBuffer["add"] }, n: number, first = 0): void {
  for (let t = first; t < first + n; t++) rb.add([t, -t], t, 1, [t + 1, -t - 1], false, t === first + n - 1);
}

/** Sampling frequencies of each action over `calls` batches of `batch`. */
function frequencies(rb: PrioritizedReplayBuffer, calls: number, batch: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let c = 0; c < calls; c++) for (const a of rb.sample(batch).actions) counts.set(a, (counts.get(a) ?? 0) + 1);
  return new Map([...counts].map(([a, n]) => [a, n / (calls * batch)]));
}

/** The rows a buffer can sample, found by sampling (every leaf is positive, so all appear). */
function sampleableRows(rb: PrioritizedReplayBuffer): number[] {
  const rows = new Set<number>();
  for (let i = 0; i < 100 && rows.size < rb.size; i++) for (const r of rb.sample(rb.maxBatchSize).indices) rows.add(r);
  expect(rows.size).toBe(rb.size);
  return [...rows];
}

/** Importance weights straight from the definition: w_i = (N P(i))^-beta / max_j (N P(j))^-beta. */
function directWeights(priorities: Map<number, number>, alpha: number, beta: number, epsilon: number): Map<number, number> {
  const p = new Map([...priorities].map(([row, q]) => [row, (q + epsilon) ** alpha]));
  const total = [...p.values()].reduce((a, b) => a + b, 0);
  const n = p.size;
  const w = new Map([...p].map(([row, x]) => [row, (n * (x / total)) ** -beta]));
  const max = Math.max(...w.values());
  return new Map([...w].map(([row, x]) => [row, x / max]));
}

describe("PrioritizedReplayBuffer", () => {
  it("samples in proportion to priority^alpha (1:2:3:4, alpha 1 -> 0.1/0.2/0.3/0.4 within 5 sigma of 10^6 draws)", async () => {
    for (const alpha of [1, 0.5]) {
      const rb = await PrioritizedReplayBuffer.create({ capacity: 16, observationSize: 2, alpha, beta: 0.4, seed: 1, maxBatchSize: 1000 });
      addEpisode(rb, 4);
      expect(rb.size).toBe(4);
      rb.updatePriorities([0, 1, 2, 3], [1, 2, 3, 4]);
      const draws = 1000 * 1000;
      const freq = frequencies(rb, 1000, 1000);
      // Priorities as stored: (p + epsilon)^alpha, epsilon 1e-6 by default.
      const leaf = (a: number) => (a + 1 + 1e-6) ** alpha;
      const z = [0, 1, 2, 3].reduce((s, a) => s + leaf(a), 0);
      console.info(`PER alpha ${alpha}: frequencies ${[0, 1, 2, 3].map((a) => freq.get(a)!.toFixed(4)).join(" / ")} over 10^6 draws`);
      for (const a of [0, 1, 2, 3]) {
        // A binomial frequency's standard deviation: sqrt(p (1 - p) / draws), 3e-4 to 4.9e-4 here.
        const p = leaf(a) / z;
        const sigma = Math.sqrt((p * (1 - p)) / draws);
        expect(Math.abs(freq.get(a)! - p), `action ${a}: p ${p}, sigma ${sigma}`).toBeLessThan(5 * sigma);
      }
    }
  });

  it("weights are (N P(i))^-beta max-normalised, as computed directly; beta can be annealed", async () => {
    const alpha = 0.6;
    const epsilon = 1e-3;
    const rb = await PrioritizedReplayBuffer.create({ capacity: 200, observationSize: 3, numEnvs: 2, nSteps: 3, alpha, beta: 0.4, epsilon, seed: 5, maxBatchSize: 512 });
    addStream(rb, makeStream({ numEnvs: 2, observationSize: 3, steps: 150, seed: 5 }));
    const rows = sampleableRows(rb);
    const rng = new Rng(9);
    const priorities = new Map(rows.map((r) => [r, rng.uniform(0, 5)]));
    rb.updatePriorities(Int32Array.from(priorities.keys()), Float64Array.from(priorities.values()));
    for (const beta of [0.4, 1, 0]) {
      rb.beta = beta;
      const direct = directWeights(priorities, alpha, beta, epsilon);
      const b = rb.sample(512);
      for (let i = 0; i < 512; i++) {
        const w = b.weights[i]!;
        expect(w).toBeGreaterThan(0);
        expect(w).toBeLessThanOrEqual(1);
        expect(Math.abs(w - direct.get(b.indices[i]!)!)).toBeLessThan(1e-6);
      }
    }
    expect(() => (rb.beta = 1.5)).toThrow(InvalidArgumentError);
    expect(rb.beta).toBe(0);
  });

  it("new transitions get the largest priority given so far", async () => {
    const rb = await PrioritizedReplayBuffer.create({ capacity: 16, observationSize: 2, alpha: 1, beta: 1, seed: 2, epsilon: 1e-6, maxBatchSize: 1000 });
    addEpisode(rb, 3);
    rb.updatePriorities([0, 1, 2], [1, 7, 2]);
    addEpisode(rb, 1, 10); // row 4 (row 3 holds the first episode's final observation)
    const freq = frequencies(rb, 100, 1000);
    expect(Math.abs(freq.get(10)! - 7 / 17)).toBeLessThan(0.01);
    const b = rb.sample(1000);
    const i = b.actions.indexOf(10);
    expect(b.weights[i]).toBeCloseTo(1 / 7, 6);
  });

  it("updates of rows that are no longer sampleable are ignored", async () => {
    const rb = await PrioritizedReplayBuffer.create({ capacity: 16, observationSize: 2, alpha: 1, beta: 0.5, seed: 3, maxBatchSize: 1000 });
    addEpisode(rb, 4); // rows 0-3; row 4 holds the final observation
    rb.updatePriorities([4, 9], [1000, 1000]);
    expect(rb.size).toBe(4);
    const freq = frequencies(rb, 20, 1000);
    expect([...freq.keys()].sort()).toEqual([0, 1, 2, 3]);
  });

  for (const flavor of ["simd", "relaxed-simd"] as const) {
    it(`the SIMD gather and its scalar twin write the same batch (${flavor})`, async () => {
      for (const d of [2, 4, 7]) {
        const p = await planned(PrioritizedReplayBuffer, { capacity: 300, observationSize: d, numEnvs: 3, nSteps: 2, alpha: 0.7, beta: 0.5, seed: d }, flavor);
        addStream(p.rb, makeStream({ numEnvs: 3, observationSize: d, steps: 150, seed: d }));
        const first = p.rb.sample(200);
        p.rb.updatePriorities(first.indices, Float32Array.from(first.rewards, Math.abs));
        const rng = rngState(p);
        expect(sampleWith(p, p.arena, 777, rng)).toEqual(sampleWith(p, await scalarTwin(p.arena), 777, rng));
      }
    });
  }

  it("returns the same samples as the plain-TS reference from the same seed (weights within 1 float32 ulp)", async () => {
    for (const [numEnvs, nSteps] of [[1, 1], [1, 3], [4, 2]]) {
      const options = { capacity: 211, observationSize: 4, numEnvs, nSteps, gamma: 0.9, alpha: 0.6, beta: 0.4, seed: 8, maxBatchSize: 256 };
      const rb = await PrioritizedReplayBuffer.create(options);
      const ref = ReferenceReplayBuffer.prioritized(options);
      const stream = makeStream({ numEnvs, observationSize: 4, steps: 800 / numEnvs, seed: 3 + numEnvs, pTerminated: 0.06, pTruncated: 0.04 });
      const expected = nStepTransitions(flat(stream), nSteps, 0.9);
      stream.forEach((v, t) => {
        addStream(rb, [v]);
        addStream(ref, [v]);
        expect(rb.size).toBe(ref.size);
        if (t % 7 !== 6) return;
        const batch = 1 + ((t * 53) % 256);
        const a = copyBatch(rb.sample(batch));
        const b = copyBatch(ref.sample(batch));
        for (let i = 0; i < batch; i++) expect(Math.abs(a.weights[i]! - b.weights[i]!)).toBeLessThanOrEqual(2 ** -23 * b.weights[i]!);
        expect({ ...a, weights: null }).toEqual({ ...b, weights: null });
        expectRows(a, expected, 4, 0.9);
        const td = Float64Array.from(a.rewards, (r, i) => Math.abs(r) * (1 + (i % 5)));
        rb.updatePriorities(a.indices, td);
        ref.updatePriorities(a.indices, td);
        rb.beta = ref.beta = Math.min(1, 0.4 + t / 1000);
      });
    }
  });
});
