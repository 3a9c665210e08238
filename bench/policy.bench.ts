/**
 * deepq/policy, as users import it (dist/policy.mjs: the policy module, the
 * fused engine's forward pass alone): greedy actions per second for one
 * observation (`act`), single-observation `qValues` calls per second, and
 * batched actions (`actBatch` of 64 observations), for 4-64-64-2,
 * 4-128-128-2 and 4-256-256-2, against the agent's `predict` with the same
 * weights on tfjs "wasm" and on the fused engine, in the same run; the policy
 * module's relaxed-SIMD build (what Node 22+, Chrome, Deno and Bun run) and its
 * plain-SIMD build (Safari, Node 20) are both measured.
 * Target: >= 1e6 actions/s for 4-128-128-2, one observation.
 * Needs `npm run build` (`npm run bench` runs it).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import "../test/support/relaxed-simd.ts";
import { DQN } from "../src/index.ts";
import type { loadPolicy as LoadPolicy, useWasmModule as UseWasmModule } from "../src/policy.ts";
import { Rng } from "../src/runtime/rng.ts";
import { init, supportsRelaxedSimd } from "../src/runtime/wasm.ts";
import { atLeast, bestRates, type BenchRow } from "./harness.ts";

const bundle = fileURLToPath(new URL("../dist/policy.mjs", import.meta.url));
const plainModule = fileURLToPath(new URL("../dist/deepq-policy.wasm", import.meta.url));
/** The build dist/policy.mjs picks here (the bench turns relaxed SIMD on where Node needs a flag for it). */
const policyFlavor = supportsRelaxedSimd() ? "relaxed-simd" : "simd";
const BATCH = 64;

/** `count` observations of CartPole's scale, as env.step returns them (Float32Array). */
function observations(count: number): Float32Array[] {
  const rng = new Rng(2);
  return Array.from({ length: count }, () => Float32Array.from({ length: 4 }, () => rng.uniform(-2, 2)));
}

/** `fn` over every observation in turn, counting observations (for bestRates). */
function perObservation(obs: Float32Array[], fn: (o: Float32Array) => unknown): () => number {
  return () => {
    for (let k = 0; k < obs.length; k++) fn(obs[k]!);
    return obs.length;
  };
}

export default async function run(): Promise<BenchRow[]> {
  if (!existsSync(bundle)) throw new Error("dist/policy.mjs is missing: run `npm run build`");
  const { loadPolicy, useWasmModule } = (await import(pathToFileURL(bundle).href)) as { loadPolicy: typeof LoadPolicy; useWasmModule: typeof UseWasmModule };
  const obs = observations(256);
  const batch = new Float32Array(BATCH * 4);
  obs.slice(0, BATCH).forEach((o, i) => batch.set(o, 4 * i));
  const flavor = (await init()).flavor;
  const nets = [];
  for (const h of [64, 128, 256]) {
    const fused = await DQN.create({ observationSize: 4, nActions: 2 }, { netArch: [h, h], backend: "fused", seed: 1 });
    const bytes = await fused.save();
    nets.push({ h, fused, bytes, tfjs: await DQN.load(bytes, { backend: "wasm" }), policy: await loadPolicy(bytes) });
  }
  // The plain-SIMD build, as runtimes without relaxed SIMD get it: handed in as the edge builds do.
  useWasmModule(new WebAssembly.Module(readFileSync(plainModule)));
  const rows: BenchRow[] = [];
  for (const { h, fused, bytes, tfjs, policy } of nets) {
    const arch = `4-${h}-${h}-2`;
    const plain = await loadPolicy(bytes);
    const out = new Int32Array(BATCH);
    // In turns, so that every row, baselines included, is measured over the same stretch of time.
    const r = bestRates({
      tfjs: perObservation(obs, (o) => tfjs.predict(o)),
      fused: perObservation(obs, (o) => fused.predict(o)),
      act: perObservation(obs, (o) => policy.act(o)),
      actPlain: perObservation(obs, (o) => plain.act(o)),
      q: perObservation(obs, (o) => policy.qValues(o)),
      actBatch: () => {
        policy.actBatch(batch, out);
        return BATCH;
      },
    });
    const row = (name: string, value: number, unit: string): BenchRow => ({ suite: "policy", name: `${arch} ${name}`, value, unit, ratio: value / r.tfjs, ratioOf: "agent.predict tfjs wasm" });
    rows.push({ suite: "policy", name: `${arch} agent.predict (tfjs wasm)`, value: r.tfjs, unit: "actions/s" });
    rows.push(row(`agent.predict (fused ${flavor})`, r.fused, "actions/s"));
    const actRow = row(`policy.act, one observation (${policyFlavor})`, r.act, "actions/s");
    rows.push(h === 128 ? atLeast(actRow, 1e6, ">= 1e6") : actRow);
    rows.push(row("policy.act, one observation (simd)", r.actPlain, "actions/s"));
    rows.push(row("policy.qValues, one observation", r.q, "calls/s"));
    rows.push(row(`policy.actBatch, ${BATCH} observations`, r.actBatch, "actions/s"));
    for (const x of [policy, plain, tfjs, fused]) x.dispose();
  }
  return rows;
}
