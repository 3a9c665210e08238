/** Test access to a buffer's arena: state snapshots, the scalar twin kernel (in the test module), reading sampled rows. */
import { expect } from "vitest";
import { ArenaPlan, type Arena, type WasmFlavor } from "../../src/runtime/wasm.ts";
import type { ReplayBatch, ReplayBuffer, ReplayPlan } from "../../src/replay/buffer.ts";
import { RH_IN_OBS, RH_RNG, SLOT } from "../../assembly/layout.ts";
import type { Expected, VecStep } from "./streams.ts";

export interface Planned<B> {
  rb: B;
  arena: Arena;
}

/** A buffer of `kind` (ReplayBuffer or PrioritizedReplayBuffer) planned into an arena the test holds. */
export async function planned<B extends ReplayBuffer, O>(
  kind: { plan(plan: ArenaPlan, options: O): ReplayPlan<B> },
  options: O,
  flavor?: WasmFlavor,
): Promise<Planned<B>> {
  const plan = new ArenaPlan();
  const p = kind.plan(plan, options);
  const arena = await plan.instantiate(flavor);
  return { rb: p.bind(arena), arena };
}

function headerSlot({ rb, arena }: Planned<ReplayBuffer>, slot: number): number {
  return arena.i32(rb.addresses.header + slot * SLOT, 1)[0]!;
}

/**
 * A copy of everything a buffer keeps between calls: the header through the
 * trees (the regions before the staging ones) and the sampled batch.
 */
export function snapshot(p: Planned<ReplayBuffer>): Uint8Array[] {
  const h = p.rb.addresses.header;
  const b = p.rb.addresses.batch;
  return [p.arena.u8(h, headerSlot(p, RH_IN_OBS) - h).slice(), p.arena.u8(b.observations, b.indices + 4 * p.rb.maxBatchSize - b.observations).slice()];
}

export function copyBatch(b: ReplayBatch): ReplayBatch {
  return Object.fromEntries(Object.entries(b).map(([k, v]: [string, Float32Array | Int32Array | Uint8Array]) => [k, v.slice()])) as unknown as ReplayBatch;
}

/** Runs replaySample in `arena` (the buffer's own, or its {@link scalarTwin}) from the RNG state `rng`, returning a copy of the batch. */
export function sampleWith(p: Planned<ReplayBuffer>, arena: Arena, batchSize: number, rng: Uint32Array): ReplayBatch {
  arena.u32(headerSlot(p, RH_RNG), 4).set(rng);
  arena.kernels.replaySample(p.rb.addresses.header, batchSize);
  const b = p.rb.addresses.batch;
  const d = p.rb.observationSize;
  return copyBatch({
    observations: arena.f32(b.observations, batchSize * d),
    actions: arena.i32(b.actions, batchSize),
    rewards: arena.f32(b.rewards, batchSize),
    nextObservations: arena.f32(b.nextObservations, batchSize * d),
    dones: arena.f32(b.dones, batchSize),
    discounts: arena.f32(b.discounts, batchSize),
    weights: arena.f32(b.weights, batchSize),
    indices: arena.i32(b.indices, batchSize),
  });
}

export function rngState(p: Planned<ReplayBuffer>): Uint32Array {
  return p.arena.u32(headerSlot(p, RH_RNG), 4).slice();
}

export function addStream(rb: { addBatch: ReplayBuffer["addBatch"] }, stream: VecStep[]): void {
  for (const v of stream) rb.addBatch(v.obs, v.actions, v.rewards, v.nextObs, v.terminated, v.truncated);
}

/** Where a sampled row differs from the brute-force transition its action names, or "" if nowhere. */
function rowMismatch(b: ReplayBatch, i: number, e: Expected | undefined, d: number, gamma: number): string {
  if (!e) return "not a finalized transition";
  const close = (x: number, y: number, tol: number) => Math.abs(x - y) <= tol * Math.max(1, Math.abs(y));
  for (let j = 0; j < d; j++) {
    if (!Object.is(b.observations[i * d + j], e.obs[j])) return `observations[${j}]`;
    if (!Object.is(b.nextObservations[i * d + j], e.nextObs[j])) return `nextObservations[${j}]`;
  }
  if (!close(b.rewards[i]!, e.reward, 1e-6)) return `reward ${b.rewards[i]} != ${e.reward}`;
  if (b.dones[i] !== e.done) return `done ${b.dones[i]} != ${e.done}`;
  if (!close(b.discounts[i]!, gamma ** e.k, 1e-7)) return `discount ${b.discounts[i]} != gamma^${e.k}`;
  return "";
}

/** Checks each sampled row against the brute-force transition its action names; returns the ids seen. */
export function expectRows(b: ReplayBatch, expected: Map<number, Expected>, d: number, gamma: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < b.indices.length; i++) {
    const e = expected.get(b.actions[i]!);
    const wrong = rowMismatch(b, i, e, d, gamma);
    if (wrong) expect.fail(`row ${b.indices[i]} (action ${b.actions[i]}): ${wrong}`);
    ids.push(e!.id);
  }
  return ids;
}

/** Samples until every sampleable transition was seen (uniform buffers), checking each; returns the ids. */
export function collect(rb: ReplayBuffer, expected: Map<number, Expected>): Set<number> {
  const seen = new Set<number>();
  for (let tries = 0; tries < 200 && seen.size < rb.size; tries++) {
    for (const id of expectRows(rb.sample(rb.maxBatchSize), expected, rb.observationSize, rb.gamma)) seen.add(id);
  }
  expect(seen.size).toBe(rb.size);
  return seen;
}
