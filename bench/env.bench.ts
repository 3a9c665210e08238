/**
 * Env throughput. CartPole: the WASM vector env against the plain-TypeScript
 * reference stepping the same number of envs in the same run (both exact,
 * glibc-identical sin/cos), against a naive JavaScript loop with V8's
 * Math.sin/Math.cos (not exact: the speed exactness has to beat), and the
 * single env's `step()` including its JavaScript wrapper. Acrobot and
 * MountainCar: the vector envs at 1,024 envs. First row: which fma path
 * libm takes here (relaxed_madd where it fuses, else emulated).
 */
import { atLeast, rate, ratioAtLeast, type BenchRow } from "./harness.ts";
import { make, makeVec } from "../src/envs/registry.ts";
import { CartPoleReferenceEnv, CartPoleVecReferenceEnv } from "../test/oracles/cartpole-reference.ts";
import type { Env, VecEnv } from "../src/envs/env.ts";
import { Rng } from "../src/runtime/rng.ts";
import { ArenaPlan } from "../src/runtime/wasm.ts";
import { testArena, testModule, type TestExports } from "../test/support/test-wasm.ts";
import {
  FORCE_MAG, GRAVITY, LENGTH, MASSPOLE, POLEMASS_LENGTH, TAU, THETA_THRESHOLD_RADIANS, TOTAL_MASS, X_THRESHOLD,
} from "../assembly/lib/cartpole-constants.ts";

/**
 * Each figure is the best of ROUNDS short timings, taken alternately for the
 * WASM env and its reference: on a shared machine the best round is the one
 * least disturbed by other processes, and alternating keeps the ratio fair.
 */
const ROUNDS = 7;
const SECONDS = 0.25;

function bestOf(a: () => number, b: () => number): [number, number] {
  let ra = 0;
  let rb = 0;
  for (let i = 0; i < ROUNDS; i++) {
    ra = Math.max(ra, a());
    rb = Math.max(rb, b());
  }
  return [ra, rb];
}

/** Random actions (fixed seed), cycled: episodes end and autoreset as in training. */
function actionBatches(n: number, nActions = 2): Int32Array[] {
  const rng = new Rng(1);
  return Array.from({ length: 16 }, () => Int32Array.from({ length: n }, () => rng.int(nActions)));
}

function vecRate(env: VecEnv): () => number {
  const batches = actionBatches(env.numEnvs, env.singleActionSpace.n);
  env.reset({ seed: 0 });
  let j = 0;
  return () =>
    rate(() => {
      env.step(batches[j++ & 15]!);
      return env.numEnvs;
    }, SECONDS);
}

/** step() calls per second under a balancing policy (a reset every 500 steps, at truncation). */
function singleRate(env: Env): () => number {
  let obs = env.reset({ seed: 0 }).observation;
  return () =>
    rate(() => {
      for (let i = 0; i < 100; i++) {
        const r = env.step(obs[2]! + 0.5 * obs[3]! > 0 ? 1 : 0);
        obs = r.terminated || r.truncated ? env.reset().observation : r.observation;
      }
      return 100;
    }, SECONDS);
}

/**
 * Context for the vector figures: sin and cos of CartPole angles, the
 * glibc-identical f64x2 kernel every vector step runs against V8's Math.
 */
async function sinCosRows(): Promise<BenchRow[]> {
  const n = 1024;
  const plan = new ArenaPlan();
  const [x, s, c] = [plan.region(8 * n), plan.region(8 * n), plan.region(8 * n)];
  const arena = await testArena(plan, "relaxed-simd");
  const angles = arena.f64(x, n);
  const rng = new Rng(2);
  for (let i = 0; i < n; i++) angles[i] = rng.uniform(-0.21, 0.21);
  const out = new Float64Array(n);
  const [exact, v8] = bestOf(
    () => rate(() => (arena.kernels.sincos2Batch(x, s, c, n), n), SECONDS),
    () =>
      rate(() => {
        for (let i = 0; i < n; i++) out[i] = Math.sin(angles[i]!) + Math.cos(angles[i]!);
        return n;
      }, SECONDS),
  );
  return [
    { suite: "env", name: "context: sin+cos, Math.sin/Math.cos (V8)", value: v8, unit: "angles/s" },
    { suite: "env", name: "context: sin+cos, glibc-exact sincos2 (wasm)", value: exact, unit: "angles/s", ratio: exact / v8, ratioOf: "Math" },
  ];
}

/**
 * CartPole as a JavaScript user would write it: cartpole.py's step over
 * Float64Arrays with Math.sin/Math.cos, no float32 observations, a
 * fixed restart instead of seeded draws. Returns env steps per call.
 */
function naiveCartPole(n: number): () => number {
  const s = new Float64Array(4 * n);
  const actions = actionBatches(n);
  let j = 0;
  return () => {
    const a = actions[j++ & 15]!;
    for (let i = 0; i < n; i++) {
      const o = 4 * i;
      let x = s[o]!;
      let xDot = s[o + 1]!;
      let theta = s[o + 2]!;
      let thetaDot = s[o + 3]!;
      const force = a[i] === 1 ? FORCE_MAG : -FORCE_MAG;
      const cos = Math.cos(theta);
      const sin = Math.sin(theta);
      const temp = (force + POLEMASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
      const thetaAcc = (GRAVITY * sin - cos * temp) / (LENGTH * (4 / 3 - (MASSPOLE * cos * cos) / TOTAL_MASS));
      const xAcc = temp - (POLEMASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
      x += TAU * xDot;
      xDot += TAU * xAcc;
      theta += TAU * thetaDot;
      thetaDot += TAU * thetaAcc;
      if (x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD_RADIANS || theta > THETA_THRESHOLD_RADIANS) x = xDot = theta = thetaDot = 0.01;
      s[o] = x;
      s[o + 1] = xDot;
      s[o + 2] = theta;
      s[o + 3] = thetaDot;
    }
    return n;
  };
}

/** Exact vector CartPole against the naive Math.sin loop, and Acrobot and MountainCar, at 1,024 envs. */
async function exactnessRows(): Promise<BenchRow[]> {
  const n = 1024;
  const probe = await new ArenaPlan().instantiate();
  const fused = probe.hardwareFma;
  const naive = naiveCartPole(n);
  const [js, exact] = bestOf(() => rate(naive, SECONDS), vecRate(await makeVec("CartPole-v1", { numEnvs: n })));
  const [acrobot, mountaincar] = bestOf(vecRate(await makeVec("Acrobot-v1", { numEnvs: n })), vecRate(await makeVec("MountainCar-v0", { numEnvs: n })));
  const row = (name: string, value: number, unit: string): BenchRow => ({ suite: "env", name, value, unit });
  return [
    row(`libm fma path (${probe.flavor}): ${fused ? "relaxed_madd, fused here" : "emulated"}`, fused ? 1 : 0, "fused"),
    row("vec step, 1024 envs (naive JS, Math.sin/cos)", js, "env-steps/s"),
    // The target: exactness at twice the speed of the inexact naive loop.
    ratioAtLeast({ ...row("vec step, 1024 envs (wasm, exact) vs naive JS", exact, "env-steps/s"), ratio: exact / js, ratioOf: "naive JS" }, 2),
    atLeast(row("Acrobot-v1 vec step, 1024 envs (wasm, exact)", acrobot, "env-steps/s"), 5e6, ">= 5e6"),
    row("MountainCar-v0 vec step, 1024 envs (wasm, exact)", mountaincar, "env-steps/s"),
  ];
}

export default async function (): Promise<BenchRow[]> {
  const rows: BenchRow[] = [...(await exactnessRows()), ...(await sinCosRows())];
  for (const n of [1, 64, 1024]) {
    const [ts, wasm] = bestOf(vecRate(new CartPoleVecReferenceEnv({ numEnvs: n })), vecRate(await makeVec("CartPole-v1", { numEnvs: n })));
    const tsRow: BenchRow = { suite: "env", name: `vec step, ${n} envs (ts reference)`, value: ts, unit: "env-steps/s" };
    const wasmRow: BenchRow = { suite: "env", name: `vec step, ${n} envs (wasm simd)`, value: wasm, unit: "env-steps/s", ratio: wasm / ts, ratioOf: "ts reference" };
    if (n === 1024) {
      // The targets: 150 M env-steps/s, and twice the reference.
      const ratio = { ...wasmRow, name: "vec step, 1024 envs: wasm / ts reference", value: wasm / ts, unit: "x" };
      rows.push(tsRow, atLeast(wasmRow, 150e6, ">= 150e6"), ratioAtLeast(ratio, 2));
    } else rows.push(tsRow, wasmRow);
  }
  const [tsSingle, wasmSingle] = bestOf(singleRate(new CartPoleReferenceEnv()), singleRate(await make("CartPole-v1")));
  rows.push(
    { suite: "env", name: "env.step(), single env (ts reference)", value: tsSingle, unit: "calls/s" },
    atLeast({ suite: "env", name: "env.step(), single env (wasm)", value: wasmSingle, unit: "calls/s", ratio: wasmSingle / tsSingle, ratioOf: "ts reference" }, 5e6, ">= 5e6"),
  );
  return rows;
}
