import { describe, expect, it } from "vitest";
import { PrioritizedReplayBuffer, ReplayBuffer } from "../src/replay/buffer.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { Rng } from "../src/runtime/rng.ts";

const options = { capacity: 40, observationSize: 3, nSteps: 3, gamma: 0.9, numEnvs: 2, maxBatchSize: 16, alpha: 0.6, beta: 0.4, seed: 11 };

/** Random two-env stream with episode ends, wrapping the 40-row buffer; priorities updated after each sample. */
function feed(rb: PrioritizedReplayBuffer, steps: number, rng: Rng): void {
  const obs = Float32Array.from({ length: 6 }, () => rng.nextDouble());
  for (let t = 0; t < steps; t++) {
    const next = Float32Array.from({ length: 6 }, () => rng.nextDouble());
    const ends = [rng.nextDouble() < 0.1 ? 1 : 0, rng.nextDouble() < 0.1 ? 1 : 0];
    rb.addBatch(obs, [rng.int(3), rng.int(3)], [rng.nextDouble(), -rng.nextDouble()], next, ends, [0, 0]);
    obs.set(next);
    if (rb.size > 0) {
      const b = rb.sample(8);
      rb.updatePriorities(b.indices, Array.from(b.rewards, (r) => Math.abs(r) * 3));
    }
  }
}

const copy = (rb: ReplayBuffer) => {
  const b = rb.sample(16);
  return { obs: b.observations.slice(), next: b.nextObservations.slice(), rewards: b.rewards.slice(), weights: b.weights.slice(), indices: b.indices.slice() };
};

describe("replay exportState / importState", () => {
  it("a buffer imported from another's state samples and evolves exactly as the original", async () => {
    const a = await PrioritizedReplayBuffer.create(options);
    feed(a, 57, new Rng(1)); // wraps the ring, leaves n-step windows open
    const b = await PrioritizedReplayBuffer.create({ ...options, seed: 99 });
    feed(b, 5, new Rng(2)); // stale contents the import must clear
    b.importState(a.exportState());
    expect(b.size).toBe(a.size);
    expect(b.exportState()).toEqual(a.exportState());
    // Same further adds, updates and samples on both.
    feed(a, 30, new Rng(3));
    feed(b, 30, new Rng(3));
    expect(copy(b)).toEqual(copy(a));
    expect(b.exportState()).toEqual(a.exportState());
  });

  it("keeps only the rows in use", async () => {
    const rb = await ReplayBuffer.create({ capacity: 1000, observationSize: 3 });
    rb.add([1, 2, 3], 0, 1, [2, 3, 4], false);
    rb.add([2, 3, 4], 1, 1, [3, 4, 5], true);
    const s = rb.exportState();
    expect(s.meta.span).toBe(3);
    expect(s.arrays.obs.length).toBe(9);
    expect(s.arrays.leaves).toBeUndefined();
  });

  it("rejects a state that does not fit and changes nothing", async () => {
    const a = await PrioritizedReplayBuffer.create(options);
    feed(a, 20, new Rng(1));
    const good = a.exportState();
    const target = await PrioritizedReplayBuffer.create(options);
    feed(target, 7, new Rng(5));
    const before = target.exportState();
    const tweak = (f: (s: ReturnType<typeof a.exportState>) => void) => {
      const s = structuredClone(good);
      f(s);
      return s;
    };
    const bad = [
      tweak((s) => (s.meta.layout.gamma = 0.99)),
      tweak((s) => (s.meta.layout.alpha = null)),
      tweak((s) => (s.meta.size += 1)),
      tweak((s) => (s.meta.span = 39)),
      tweak((s) => (s.arrays.flags[0] = 0x04)),
      tweak((s) => (s.arrays.lanes[0] = 20)),
      tweak((s) => (s.arrays.lanes[2] = 3)),
      tweak((s) => (s.arrays.leaves![s.arrays.flags.findIndex((f) => f !== 0)] = 0)),
      tweak((s) => (s.arrays.leaves = undefined)),
      tweak((s) => (s.meta.rng = [0, 0, 0, 0])),
      tweak((s) => (s.meta.maxLeaf = Infinity)),
      tweak((s) => (s.arrays.obs = new Float32Array(3))),
    ];
    for (const s of bad) expect(() => target.importState(s), JSON.stringify(s.meta).slice(0, 80)).toThrow(InvalidArgumentError);
    expect(() => target.importState(null as never)).toThrow(InvalidArgumentError);
    expect(target.exportState()).toEqual(before);
    target.importState(good);
    expect(target.exportState()).toEqual(good);
    const { alpha: _a, beta: _b, ...uniformOptions } = options;
    const uniform = await ReplayBuffer.create(uniformOptions);
    expect(() => uniform.importState(good)).toThrow(/alpha/);
  });
});
