import { describe, expect, it } from "vitest";
import { fusedProvider } from "../src/nn/fused-engine.ts";
import { ReplayBuffer } from "../src/replay/buffer.ts";
import type { ArenaPlan, Arena } from "../src/runtime/wasm.ts";
import { Rng } from "../src/runtime/rng.ts";

const spec = { observationSize: 4, nActions: 2, hidden: [16, 16], dueling: false };
const config = { spec, learningRate: 1e-3, gamma: 0.99, doubleQ: true, loss: "huber" as const, seed: 3, maxGradNorm: 10 };

describe("fused engine behind QEngine", () => {
  it("updates in place from a replay sample in its own arena, exactly as from a copied batch", async () => {
    let replay: ReplayBuffer | undefined;
    const alongside = (plan: ArenaPlan) => {
      const planned = ReplayBuffer.plan(plan, { capacity: 256, observationSize: 4, seed: 9, maxBatchSize: 32 });
      return (arena: Arena) => void (replay = planned.bind(arena));
    };
    const shared = await fusedProvider(32, alongside).create(config);
    const copying = await fusedProvider(32).create(config);
    const rng = new Rng(1);
    const obs = () => Float32Array.from({ length: 4 }, () => rng.uniform(-1, 1));
    for (let i = 0; i < 200; i++) replay!.add(obs(), rng.int(2), 1, obs(), rng.nextDouble() < 0.1, false);
    for (let step = 0; step < 50; step++) {
      const batch = replay!.sample(32);
      expect(batch.observations.buffer).toBe((shared as unknown as { net: { arena: Arena } }).net.arena.buffer);
      const copy = {
        observations: batch.observations.slice(), actions: batch.actions.slice(), rewards: batch.rewards.slice(),
        nextObservations: batch.nextObservations.slice(), dones: batch.dones.slice(), discounts: batch.discounts.slice(), weights: batch.weights.slice(),
      };
      const a = shared.update(batch);
      const b = copying.update(copy);
      expect(a.loss()).toBe(b.loss());
      expect(Array.from(a.tdErrors())).toEqual(Array.from(b.tdErrors()));
    }
    expect(Array.from(await shared.getParams())).toEqual(Array.from(await copying.getParams()));
    shared.dispose();
    copying.dispose();
  });
});
