/**
 * Bundle sizes and cold start.
 * - Sizes, raw and gzip -9, of everything a browser downloads for
 *   dist/deepq.mjs (target <= 300 KB gzip): the file itself, which runs the
 *   fused engine and tfjs wasm/cpu with every WebAssembly binary inlined,
 *   and with the WebGPU chunk it fetches for `backend: "webgpu"`; dist/policy.mjs
 *   (<= 15 KB gzip); for information, the classic script and what a workerd
 *   upload carries (deepq and deepq/policy).
 * - Node cold start: process start -> first action. `node -e` imports
 *   dist/deepq.mjs, makes CartPole-v1, `DQN.create`s an agent (fused, then
 *   tfjs wasm, whose init compiles tfjs's 425 KB binary) and prints its first
 *   `predict`. Target <= 150 ms, median of 7 runs after one warm-up (file
 *   cache), with the child's own split (import / create / predict) and a bare
 *   `node -e` measured in the same run: on a loaded machine both inflate, and
 *   the difference is deepq's part.
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
const KB = 1024;

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

async function medianStart(script: string, runs = 7): Promise<Start> {
  await coldStart(script);
  const all: Start[] = [];
  for (let i = 0; i < runs; i++) all.push(await coldStart(script));
  const phase = (k: keyof Start["phases"]) => median(all.map((s) => s.phases?.[k] ?? NaN));
  return { total: median(all.map((s) => s.total)), phases: { imported: phase("imported"), created: phase("created"), acted: phase("acted") } };
}

/** The child: import, env, agent, first action, each stamped on the child's clock. */
const firstAction = (backend: string) => `const t = () => performance.now();
  const deepq = await import(${JSON.stringify(pathToFileURL(dist("deepq.mjs")).href)});
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
  rows.push(...sizes("browser download: dist/deepq.mjs (fused, tfjs wasm/cpu)", [dist("deepq.mjs")], 300));
  rows.push(...sizes("  + deepq-webgpu.mjs for backend webgpu", [dist("deepq.mjs"), dist("deepq-webgpu.mjs")], 300));
  if (existsSync(dist("policy.mjs"))) {
    rows.push(...sizes("browser download for dist/policy.mjs", [dist("policy.mjs")], 15));
    rows.push(...sizes("workerd upload for deepq/policy (policy.workerd.mjs + .wasm)", ["policy.workerd.mjs", "deepq-policy.wasm"].map(dist)));
  }
  rows.push(...sizes("dist/deepq.umd.js (classic script, WebGPU inlined)", [dist("deepq.umd.js")]));
  rows.push(...sizes("workerd upload (workerd.mjs + .wasm modules)", ["workerd.mjs", "deepq-simd.wasm", "tfjs-backend-wasm-simd.wasm"].map(dist)));

  const baseline = await medianStart(`console.log("READY")`);
  rows.push({ suite: "bundle", name: "node baseline: spawn -> `node -e` prints", value: baseline.total, unit: "ms" });
  for (const backend of ["fused", "wasm"]) {
    const { total, phases } = await medianStart(firstAction(backend));
    rows.push({ suite: "bundle", name: `node cold start: spawn -> first action (${backend})`, value: total, unit: "ms", target: "<= 150 ms", pass: total <= 150 });
    rows.push({ suite: "bundle", name: "  of which deepq (cold start - baseline)", value: total - baseline.total, unit: "ms" });
    rows.push({ suite: "bundle", name: "  child: process start -> deepq imported", value: phases.imported, unit: "ms" });
    rows.push({ suite: "bundle", name: "  child: make + DQN.create", value: phases.created - phases.imported, unit: "ms" });
    rows.push({ suite: "bundle", name: "  child: first predict", value: phases.acted - phases.created, unit: "ms" });
  }
  return rows;
}
