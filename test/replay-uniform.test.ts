import { describe, expect, it } from "vitest";
import { ReplayBuffer } from "../src/replay/buffer.ts";
import { ReferenceReplayBuffer, rowBelow } from "./oracles/replay-reference.ts";
import { ArenaPlan, type WasmFlavor } from "../src/runtime/wasm.ts";
import { Rng } from "../src/runtime/rng.ts";
import { InvalidArgumentError, InvalidStateError } from "../src/errors.ts";
import { flat, liveIds, makeStream, nStepTransitions, type Step, type VecStep } from "./replay/streams.ts";
import { addStream, collect, copyBatch, expectRows, planned, rngState, sampleWith } from "./replay/harness.ts";
import { scalarTwin } from "./support/test-wasm.ts";

const FLAVORS: WasmFlavor[] = ["simd", "relaxed-simd"];

/** Wilson–Hilferty approximation of the chi-square quantile with `df` degrees of freedom at standard-normal quantile z. */
function chiSquareQuantile(df: number, z: number): number {
  const c = 2 / (9 * df);
  return df * (1 - c + z * Math.sqrt(c)) ** 3;
}

describe("ReplayBuffer: contents", () => {
  const cases = [
    { numEnvs: 1, nSteps: 1 },
    { numEnvs: 1, nSteps: 3 },
    { numEnvs: 3, nSteps: 1 },
    { numEnvs: 3, nSteps: 4 },
  ];
  for (const { numEnvs, nSteps } of cases) {
    it(`holds exactly the brute-force n-step transitions of its newest rows, through wrap-around (numEnvs ${numEnvs}, nSteps ${nSteps})`, async () => {
      const d = 3;
      const gamma = 0.9;
      const rb = await ReplayBuffer.create({ capacity: 61, observationSize: d, numEnvs, nSteps, gamma, seed: 5 });
      const laneRows = Math.ceil(61 / numEnvs);
      expect(rb.capacity).toBe(laneRows * numEnvs);
      const stream = makeStream({ numEnvs, observationSize: d, steps: Math.ceil(400 / numEnvs), seed: 11, pTerminated: 0.08, pTruncated: 0.05 });
      for (let t = 0; t < stream.length; t++) {
        const v = stream[t]!;
        if (numEnvs === 1) {
          const s = v.steps[0]!;
          rb.add(s.obs, s.id, s.reward, s.nextObs, s.terminated, s.truncated);
        } else {
          rb.addBatch(v.obs, v.actions, v.rewards, v.nextObs, v.terminated, v.truncated);
        }
        if (t % 23 === 22 || t === stream.length - 1) {
          const steps = flat(stream.slice(0, t + 1));
          const expected = nStepTransitions(steps, nSteps, gamma);
          const live = liveIds(steps, laneRows, expected);
          expect(rb.size).toBe(live.size);
          expect(collect(rb, expected)).toEqual(live);
        }
      }
    });
  }

  it("n-step returns match brute force on long random episodes (no wrap), single env and a vector env", async () => {
    for (const numEnvs of [1, 8]) {
      for (const nSteps of [2, 5]) {
        const d = 4;
        const gamma = 0.97;
        const rb = await ReplayBuffer.create({ capacity: 8000, observationSize: d, numEnvs, nSteps, gamma, seed: 1 });
        const stream = makeStream({ numEnvs, observationSize: d, steps: 3000 / numEnvs, seed: 2, pTerminated: 0.02, pTruncated: 0.02 });
        addStream(rb, stream);
        const expected = nStepTransitions(flat(stream), nSteps, gamma);
        const ks = [...expected.values()].map((e) => e.k);
        expect(ks.filter((k) => k < nSteps).length, "episode ends cut some windows").toBeGreaterThan(10);
        expect(rb.size).toBe(expected.size);
        expect(collect(rb, expected).size).toBe(expected.size);
      }
    }
  });

  it("an add whose obs is not the previous nextObs breaks the stream: windows are cut as by a truncation", async () => {
    const d = 2;
    const rb = await ReplayBuffer.create({ capacity: 21, observationSize: d, nSteps: 3, gamma: 0.5, seed: 3 });
    const rng = new Rng(4);
    const vec = () => Float32Array.from({ length: d }, () => rng.uniform(-1, 1));
    const steps: Step[] = [];
    for (let id = 0; id < 40; id++) {
      const s: Step = { id, env: 0, obs: vec(), reward: Math.fround(rng.uniform(0, 1)), nextObs: vec(), terminated: false, truncated: false };
      rb.add(s.obs, s.id, s.reward, s.nextObs, false);
      steps.push({ ...s, truncated: id < 39 }); // the next add's break ends each window but the newest
    }
    const expected = nStepTransitions(steps, 3, 0.5);
    // Unrelated transitions spend two rows each: 10 fit in 21 rows, the newest still waiting.
    expect(rb.size).toBe(9);
    const seen = collect(rb, expected);
    expect([...seen].sort((a, b) => a - b)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38]);
  });

  it('autoreset "next-step" drops each env\'s entry right after its episode ended', async () => {
    const d = 2;
    const numEnvs = 3;
    // Per-env episodes, then laid out as a Gymnasium 1.x vector env emits them:
    // after an end, the env's next entry is its reset step (final obs -> reset obs, reward 0).
    const perEnv = flat(makeStream({ numEnvs, observationSize: d, steps: 200, seed: 9, pTerminated: 0.1, pTruncated: 0.05 }));
    const queues = [0, 1, 2].map((e) => perEnv.filter((s) => s.env === e));
    const real: Step[] = [];
    const stream: VecStep[] = [];
    const last: (Step | undefined)[] = [undefined, undefined, undefined];
    let resetId = 1 << 30;
    while (queues.every((q) => q.length > 0)) {
      const steps = [0, 1, 2].map((e) => {
        const prev = last[e];
        if (prev && (prev.terminated || prev.truncated)) {
          const next = queues[e]![0]!;
          return { id: resetId++, env: e, obs: prev.nextObs, reward: 0, nextObs: next.obs, terminated: false, truncated: false };
        }
        const s = queues[e]!.shift()!;
        real.push(s);
        return s;
      });
      steps.forEach((s, e) => (last[e] = s));
      stream.push({
        steps,
        obs: Float32Array.from(steps.flatMap((s) => [...s.obs])),
        actions: Int32Array.from(steps.map((s) => s.id)),
        rewards: Float32Array.from(steps.map((s) => s.reward)),
        nextObs: Float32Array.from(steps.flatMap((s) => [...s.nextObs])),
        terminated: Uint8Array.from(steps.map((s) => +s.terminated)),
        truncated: Uint8Array.from(steps.map((s) => +s.truncated)),
      });
    }
    const rb = await ReplayBuffer.create({ capacity: 3000, observationSize: d, numEnvs, nSteps: 2, gamma: 0.9, seed: 1, autoreset: "next-step" });
    addStream(rb, stream);
    const expected = nStepTransitions(real, 2, 0.9);
    expect(rb.size).toBe(expected.size);
    expect(collect(rb, expected).size).toBe(expected.size);
  });
});

describe("ReplayBuffer: sampling", () => {
  it("is uniform over the sampleable rows: chi-square over 10^6 draws within the two-sided 0.001 critical values", async () => {
    const rb = await ReplayBuffer.create({ capacity: 1000, observationSize: 4, seed: 123, maxBatchSize: 1000 });
    addStream(rb, makeStream({ numEnvs: 1, observationSize: 4, steps: 1500, seed: 7, pTerminated: 0.03, pTruncated: 0.01 }));
    const n = rb.size;
    const counts = new Map<number, number>();
    const draws = 1000;
    for (let i = 0; i < draws; i++) for (const row of rb.sample(1000).indices) counts.set(row, (counts.get(row) ?? 0) + 1);
    expect(counts.size).toBe(n); // every sampleable row drawn, nothing else
    const expectedCount = (draws * 1000) / n;
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - expectedCount) ** 2 / expectedCount;
    const df = n - 1;
    const upper = chiSquareQuantile(df, 3.090232); // P(X > upper) = 0.001
    const lower = chiSquareQuantile(df, -3.090232); // P(X < lower) = 0.001
    console.info(`uniformity: ${draws * 1000} draws over ${n} rows, chi2 = ${chi2.toFixed(1)}, df = ${df}, 0.001 critical values [${lower.toFixed(1)}, ${upper.toFixed(1)}]`);
    expect(chi2).toBeLessThan(upper);
    expect(chi2).toBeGreaterThan(lower);
  });

  it("the same seed gives the same samples; another seed, others", async () => {
    const stream = makeStream({ numEnvs: 2, observationSize: 4, steps: 300, seed: 1 });
    const make = async (seed: number) => {
      const rb = await ReplayBuffer.create({ capacity: 500, observationSize: 4, numEnvs: 2, nSteps: 2, seed });
      addStream(rb, stream);
      return [rb.sample(32), rb.sample(7), rb.sample(256)].map((b) => copyBatch(b));
    };
    const [a, b, c] = [await make(42), await make(42), await make(43)];
    expect(a).toEqual(b);
    expect(a[2]!.indices).not.toEqual(c[2]!.indices);
  });

  it("returns the same views while the batch size stays, each call overwriting them", async () => {
    const rb = await ReplayBuffer.create({ capacity: 100, observationSize: 4, seed: 1 });
    addStream(rb, makeStream({ numEnvs: 1, observationSize: 4, steps: 80, seed: 1 }));
    const a = rb.sample(64);
    const first = a.indices.slice();
    const b = rb.sample(64);
    expect(b).toBe(a);
    expect(b.indices).not.toEqual(first);
    expect(rb.sample(8).indices.length).toBe(8);
    expect(b.weights.every((w) => w === 1)).toBe(true);
  });

  for (const flavor of FLAVORS) {
    it(`the SIMD gather and its scalar twin write the same batch (${flavor}; observation sizes 1 to 17)`, async () => {
      for (const d of [1, 3, 4, 5, 8, 17]) {
        const p = await planned(ReplayBuffer, { capacity: 300, observationSize: d, numEnvs: 2, nSteps: 2, seed: d }, flavor);
        addStream(p.rb, makeStream({ numEnvs: 2, observationSize: d, steps: 200, seed: d }));
        for (const batch of [1, 63, 1024]) {
          const rng = rngState(p);
          const simd = sampleWith(p, p.arena, batch, rng);
          const scalar = sampleWith(p, await scalarTwin(p.arena), batch, rng);
          expect(simd).toEqual(scalar);
          expect(new Set(simd.indices).size).toBeGreaterThan(Math.min(batch, 10) / 2);
        }
      }
    });
  }

  it("returns the same samples as the plain-TS reference from the same seed", async () => {
    for (const [numEnvs, nSteps, autoreset] of [[1, 1, "same-step"], [1, 3, "same-step"], [4, 3, "next-step"], [5, 1, "same-step"]] as const) {
      const options = { capacity: 157, observationSize: 5, numEnvs, nSteps, gamma: 0.95, seed: 77, maxBatchSize: 300, autoreset };
      const rb = await ReplayBuffer.create(options);
      const ref = ReferenceReplayBuffer.uniform(options);
      const stream = makeStream({ numEnvs, observationSize: 5, steps: 600 / numEnvs, seed: numEnvs, pTerminated: 0.1, pTruncated: 0.05 });
      stream.forEach((v, t) => {
        addStream(rb, [v]);
        addStream(ref, [v]);
        expect(rb.size).toBe(ref.size);
        if (t % 10 === 9) {
          const batch = 1 + ((t * 37) % 300);
          expect(copyBatch(rb.sample(batch))).toEqual(copyBatch(ref.sample(batch)));
        }
      });
      expectRows(rb.sample(300), nStepTransitions(flat(stream), nSteps, 0.95), 5, 0.95);
    }
  });
});

describe("uniform row draws (Lemire's multiply-shift, one 32-bit draw a row)", () => {
  it("the TS twin's high word of x * n is exact up to n = 2^30 (against BigInt)", () => {
    const rng = new Rng(12);
    const ns = [1, 2, 3, 1000, 1_000_003, 2 ** 20, 2 ** 30 - 1, 2 ** 30];
    const xs = [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32 - 2 ** 20, ...Array.from({ length: 5000 }, () => rng.nextU32())];
    for (const n of ns) {
      for (const x of xs) {
        const draws = [x, ...Array.from({ length: 4 }, () => rng.nextU32())];
        let used = 0;
        const got = rowBelow({ nextU32: () => draws[used++]! }, n);
        // Lemire: redraw while (x * n) mod 2^32 < 2^32 mod n; the row is the high word.
        const threshold = (2n ** 32n) % BigInt(n);
        let j = 0;
        while ((BigInt(draws[j]!) * BigInt(n)) % 2n ** 32n < threshold) j++;
        expect(got).toBe(Number((BigInt(draws[j]!) * BigInt(n)) >> 32n));
        expect(used).toBe(j + 1);
      }
    }
  });

  it("WASM and the TS reference draw the same rows from a span of over 2^20 rows", async () => {
    const options = { capacity: 1_200_000, observationSize: 1, seed: 4, maxBatchSize: 4096 };
    const rb = await ReplayBuffer.create(options);
    const ref = ReferenceReplayBuffer.uniform(options);
    const o = new Float32Array(1);
    const n = new Float32Array(1);
    for (let t = 0; t < options.capacity; t++) {
      n[0] = t + 1;
      rb.add(o, t, 0, n, false);
      ref.add(o, t, 0, n, false);
      o[0] = n[0];
    }
    expect(rb.size).toBe(options.capacity - 1);
    for (let i = 0; i < 20; i++) expect(rb.sample(4096).indices).toEqual(ref.sample(4096).indices);
  });
});

describe("ReplayBuffer: sharing an arena", () => {
  it("plans into a caller's ArenaPlan, exposes its batch addresses, binds once", async () => {
    const plan = new ArenaPlan();
    const before = plan.region(1000);
    const replay = ReplayBuffer.plan(plan, { capacity: 64, observationSize: 4, seed: 3, maxBatchSize: 32 });
    const after = plan.region(1000);
    const { header, batch } = replay.addresses;
    expect(header).toBeGreaterThanOrEqual(before + 1000);
    for (const [name, a] of Object.entries(batch)) {
      expect(a).toBeGreaterThan(header);
      expect(a + 32 * 4 * (name.endsWith("bservations") ? 4 : 1)).toBeLessThanOrEqual(after);
      expect(a % 16).toBe(0);
    }
    const small = await new ArenaPlan().instantiate();
    expect(() => replay.bind(small)).toThrow(InvalidArgumentError);
    const arena = await plan.instantiate();
    const rb = replay.bind(arena);
    expect(() => replay.bind(arena)).toThrow(InvalidStateError);
    addStream(rb, makeStream({ numEnvs: 1, observationSize: 4, steps: 50, seed: 3 }));
    const b = rb.sample(32);
    expect(b.observations.byteOffset).toBe(batch.observations);
    expect(arena.f32(batch.nextObservations, 32 * 4)).toEqual(b.nextObservations);
    expect(arena.i32(batch.indices, 32)).toEqual(b.indices);
    expect(b.observations.buffer).toBe(arena.buffer);
  });
});
