/**
 * Bundle sizes and cold start.
 * - Sizes, raw and gzip -9, of what a CDN user downloads (the minified build,
 *   `unpkg`/`jsdelivr`): first download for a fused agent, dist/deepq.min.mjs
 *   and the one WebAssembly flavour it runs (deepq-simd.mjs or
 *   deepq-relaxed-simd.mjs, lazy chunks; target <= 60 KB gzip, the larger
 *   pair counted); then what the envs beyond CartPole add on their first
 *   make (deepq-envs.mjs and their module's larger flavour), what saving,
 *   loading and exports add (deepq-files.mjs), what tfjs's engines add
 *   (deepq-tfjs.mjs and deepq-tfjs-lib.mjs: tfjs with its binary) and WebGPU
 *   (deepq-webgpu.mjs);
 *   the readable dist/deepq.mjs npm users import; dist/policy.min.mjs
 *   (<= 15 KB gzip); for information, the classic script and what a workerd
 *   upload carries (deepq and deepq/policy).
 * - Node cold start: process start -> first action. `node -e` imports
 *   dist/deepq.mjs, makes CartPole-v1, `DQN.create`s an agent (fused, then
 *   tfjs wasm, whose init compiles tfjs's 425 KB binary) and prints its first
 *   `predict`. Target <= 60 ms on fused, median of 7 runs after one warm-up
 *   (file cache), with the child's own split (import / create / predict) and
 *   a bare `node -e` measured in the same run: on a loaded machine both
 *   inflate, and the difference is deepq's part.
 * - `DEEPQ_BENCH_BEFORE=<another build's dist/>` adds the same sizes and
 *   cold starts of that build (e.g. a checkout of an earlier commit), measured
 *   in the same run, interleaved run by run with this build's.
 * Needs `npm run build` (`npm run bench` does it).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import type { BenchRow } from "./harness.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = (f: string) => join(root, "dist", f);
const before = process.env.DEEPQ_BENCH_BEFORE;
const KB = 1024;

const gzipKB = (f: string) => gzipSync(readFileSync(f), { level: 9 }).length / KB;

function sizes(name: string, files: string[], gzipTargetKB?: number): BenchRow[] {
  const raw = files.reduce((n, f) => n + readFileSync(f).length, 0);
  const gz = files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  const gzRow: BenchRow = { suite: "bundle", name: `${name} gzip -9`, value: gz / KB, unit: "KB" };
  if (gzipTargetKB !== undefined) Object.assign(gzRow, { target: `<= ${gzipTargetKB} KB`, pass: gz / KB <= gzipTargetKB });
  return [{ suite: "bundle", name: `${name} raw`, value: raw / KB, unit: "KB" }, gzRow];
}

// NODE_EXTRA_CA_CERTS (set on these machines) makes every Node start parse
// the system CA bundle: ~100 ms here, nothing to do with deepq.
const childEnv = { ...process.env };
delete childEnv.NODE_EXTRA_CA_CERTS;

interface Start {
  /** ms from spawning node to the child printing READY. */
  total: number;
  /** The child's own clock (performance.now(), from its process start): import done, agent created, first action. */
  phases: { imported: number; created: number; acted: number };
}

function coldStart(script: string): Promise<Start> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"], env: childEnv });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      const m = /READY(.*)\n/.exec(out);
      if (m) resolve({ total: performance.now() - t0, phases: JSON.parse(m[1]! || "null") });
    });
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("close", (code) => {
      if (!out.includes("READY")) reject(new Error(`cold-start child exited ${code}: ${err}`));
    });
  });
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

/** Medians of `runs` cold starts of each script, run in turn (one warm-up each first). */
async function medianStarts(scripts: string[], runs = 7): Promise<Start[]> {
  for (const script of scripts) await coldStart(script);
  const all: Start[][] = scripts.map(() => []);
  for (let i = 0; i < runs; i++) for (const [j, script] of scripts.entries()) all[j]!.push(await coldStart(script));
  return all.map((starts) => {
    const phase = (k: keyof Start["phases"]) => median(starts.map((s) => s.phases?.[k] ?? NaN));
    return { total: median(starts.map((s) => s.total)), phases: { imported: phase("imported"), created: phase("created"), acted: phase("acted") } };
  });
}

/** The child: import, env, agent, first action, each stamped on the child's clock. */
const firstAction = (backend: string, entry = dist("deepq.mjs")) => `const t = () => performance.now();
  const deepq = await import(${JSON.stringify(pathToFileURL(entry).href)});
  const imported = t();
  const env = await deepq.make("CartPole-v1");
  const agent = await deepq.DQN.create(env, { backend: ${JSON.stringify(backend)}, seed: 1 });
  const created = t();
  const action = agent.predict(env.reset({ seed: 1 }).observation);
  const acted = t();
  if (action !== 0 && action !== 1) throw new Error("no action");
  console.log("READY" + JSON.stringify({ imported, created, acted }));`;

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const larger = (flavours: string[]) => flavours.map(dist).reduce((a, b) => (gzipKB(a) >= gzipKB(b) ? a : b));
  const wasm = larger(["deepq-simd.mjs", "deepq-relaxed-simd.mjs"]);
  const fused = [dist("deepq.min.mjs"), wasm];
  const tfjs = [dist("deepq-tfjs.mjs"), dist("deepq-tfjs-lib.mjs")];
  rows.push(...sizes("CDN first download, fused: deepq.min.mjs + its WebAssembly chunk", fused, 60));
  rows.push(...sizes("  + Acrobot, MountainCar, MinAtar on first make: deepq-envs.mjs + its WebAssembly chunk", [...fused, dist("deepq-envs.mjs"), larger(["deepq-envs-simd.mjs", "deepq-envs-relaxed-simd.mjs"])]));
  rows.push(...sizes("  + save, load, loadPolicy and exports: deepq-files.mjs", [...fused, dist("deepq-files.mjs")]));
  rows.push(...sizes("  + tfjs for backend wasm/cpu: deepq-tfjs.mjs + deepq-tfjs-lib.mjs", [...fused, ...tfjs]));
  rows.push(...sizes("  + deepq-webgpu.mjs for backend webgpu", [...fused, ...tfjs, dist("deepq-webgpu.mjs")]));
  rows.push(...sizes("npm: dist/deepq.mjs (readable) + its WebAssembly chunk", [dist("deepq.mjs"), wasm]));
  if (before) rows.push(...sizes("before: dist/deepq.mjs (everything inlined)", [join(before, "deepq.mjs")]));
  if (existsSync(dist("policy.mjs"))) {
    rows.push(...sizes("CDN download for deepq/policy: dist/policy.min.mjs", [dist("policy.min.mjs")], 15));
    rows.push(...sizes("npm: dist/policy.mjs (readable)", [dist("policy.mjs")]));
    rows.push(...sizes("workerd upload for deepq/policy (policy.workerd.mjs + .wasm)", ["policy.workerd.mjs", "deepq-policy.wasm"].map(dist)));
  }
  rows.push(...sizes("dist/deepq.umd.js (classic script, everything inlined)", [dist("deepq.umd.js")]));
  rows.push(...sizes("workerd upload (workerd.mjs + .wasm modules)", ["workerd.mjs", "deepq-simd.wasm", "deepq-envs-simd.wasm", "tfjs-backend-wasm-simd.wasm"].map(dist)));

  const builds: Array<[label: string, entry: string]> = [["", dist("deepq.mjs")], ...(before ? [["before: ", join(before, "deepq.mjs")] as [string, string]] : [])];
  const scripts = [`console.log("READY")`, ...["fused", "wasm"].flatMap((backend) => builds.map(([, entry]) => firstAction(backend, entry)))];
  const [baseline, ...starts] = await medianStarts(scripts);
  rows.push({ suite: "bundle", name: "node baseline: spawn -> `node -e` prints", value: baseline!.total, unit: "ms" });
  for (const [i, backend] of ["fused", "wasm"].entries()) {
    for (const [j, [label]] of builds.entries()) {
      const { total, phases } = starts[i * builds.length + j]!;
      const row: BenchRow = { suite: "bundle", name: `${label}node cold start: spawn -> first action (${backend})`, value: total, unit: "ms" };
      if (!label && backend === "fused") Object.assign(row, { target: "<= 60 ms", pass: total <= 60 });
      rows.push(row);
      rows.push({ suite: "bundle", name: "  of which deepq (cold start - baseline)", value: total - baseline!.total, unit: "ms" });
      rows.push({ suite: "bundle", name: "  child: process start -> deepq imported", value: phases.imported, unit: "ms" });
      rows.push({ suite: "bundle", name: "  child: make + DQN.create", value: phases.created - phases.imported, unit: "ms" });
      rows.push({ suite: "bundle", name: "  child: first predict", value: phases.acted - phases.created, unit: "ms" });
    }
  }
  return rows;
}
