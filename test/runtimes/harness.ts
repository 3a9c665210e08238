/**
 * Shared pieces of the runtime tests (test/runtimes/*.test.ts): where the
 * built files and the runtimes are, running a runtime with a time limit,
 * the CDN stand-in, doc snippets, and the assertions every runtime's smoke
 * report must pass.
 *
 * Missing runtimes: locally a test skips with a loud message saying how to
 * install the runtime; in CI (`process.env.CI`) it fails.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { basename, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { expect } from "vitest";
import { docSnippets as markdownSnippets } from "../support/snippets.ts";
import { make } from "../../src/envs/registry.ts";
import { FIRST_UPDATES, type AgentReport, type LazyReport, type LossesReport, type Report } from "./fixtures/smoke.ts";

/** The smoke report's MountainCar observations, as Node runs them from src/: every runtime must give the same values. */
const NODE_MOUNTAIN_CAR = await make("MountainCar-v0").then((env) => [...env.reset({ seed: 1 }).observation, ...env.step(2).observation]);

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = join(ROOT, "dist");
export const FIXTURES = join(ROOT, "build", "runtimes");
export const fileUrl = (p: string) => pathToFileURL(p).href;

// ---------------------------------------------------------------- runtimes

export type RuntimeName = "deno" | "bun" | "workerd" | "chromium" | "edge-runtime";

const INSTALL: Record<RuntimeName, string> = {
  deno: "npm ci (devDependency `deno`, whose postinstall must be allowed: see allowScripts in package.json)",
  bun: "npm ci (devDependency `bun`, whose postinstall must be allowed: see allowScripts in package.json)",
  workerd: "npm ci (devDependency `workerd`, whose postinstall must be allowed: see allowScripts in package.json)",
  chromium: "apt-get install -y chromium (Debian's package; .ci/run does it)",
  "edge-runtime": "npm ci (devDependency `edge-runtime`)",
};

function binary(name: RuntimeName): string | undefined {
  const bin = (file: string) => (existsSync(file) ? file : undefined);
  switch (name) {
    case "deno":
      return bin(join(ROOT, "node_modules", "deno", "deno")) ?? bin(join(ROOT, "node_modules", ".bin", "deno"));
    case "bun":
      return bin(join(ROOT, "node_modules", "bun", "bin", "bun.exe")) ?? bin(join(ROOT, "node_modules", ".bin", "bun"));
    case "workerd":
      return bin(join(ROOT, "node_modules", "workerd", "bin", "workerd")) ?? bin(join(ROOT, "node_modules", ".bin", "workerd"));
    case "chromium":
      return bin(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium");
    case "edge-runtime":
      return bin(join(ROOT, "node_modules", "edge-runtime", "package.json"));
  }
}

/**
 * The runtime's executable, or undefined (the caller skips) after a loud
 * message. In CI a missing runtime throws: CI must run every runtime.
 */
export function findRuntime(name: RuntimeName): string | undefined {
  const found = binary(name);
  if (found) return found;
  const msg = `runtime ${name} is not installed, so its runtime tests cannot run. Install it with: ${INSTALL[name]}`;
  if (process.env.CI) throw new Error(`${msg} (CI must run every runtime test)`);
  console.warn(`\n${"!".repeat(78)}\n!! SKIPPING: ${msg}\n${"!".repeat(78)}\n`);
  return undefined;
}

/** In CI a skipped check is a failure; locally it is a loud warning. */
export function skipOrFail(what: string, how: string): void {
  const msg = `${what}. ${how}`;
  if (process.env.CI) throw new Error(`${msg} (CI must run it)`);
  console.warn(`\n${"!".repeat(78)}\n!! SKIPPING: ${msg}\n${"!".repeat(78)}\n`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command, killing it (and failing) after `timeoutMs`. */
export function run(cmd: string, args: string[], { cwd = ROOT, env = {}, timeoutMs = 90_000 }: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} ran past ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running process; `stop()` kills it (by its own pid). */
export function start(cmd: string, args: string[], { cwd = ROOT, env = {} }: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  child.stderr.on("data", (d: Buffer) => (output += d));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("close", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

/** The JSON a host printed after the `DEEPQ_REPORT ` marker. */
export function parseReport<T = Report>(r: RunResult | string): T {
  const text = typeof r === "string" ? r : r.stdout;
  const line = text.split("\n").find((l) => l.startsWith("DEEPQ_REPORT "));
  if (!line) {
    const extra = typeof r === "string" ? "" : `\nexit code ${r.code}\nstderr:\n${r.stderr}`;
    throw new Error(`no DEEPQ_REPORT line in the output:\n${text}${extra}`);
  }
  return JSON.parse(line.slice("DEEPQ_REPORT ".length)) as T;
}

/** A free TCP port on 127.0.0.1 (for runtimes that take a port, not 0). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls `url` until it answers (any status) or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch (e) {
      if (Date.now() > end || !alive()) throw new Error(`${url} did not answer in ${timeoutMs} ms: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// ------------------------------------------------------ workerd and edge

/** A workerd config: one worker on 127.0.0.1 whose modules are files of the config's folder, by kind; the first is the main module. */
export function workerdConfig(modules: Array<[file: string, kind: "esModule" | "wasm" | "data"]>): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .w)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const w :Workerd.Worker = (
  modules = [
${modules.map(([f, kind]) => `    (name = "${f}", ${kind} = embed "${f}"),`).join("\n")}
  ],
  compatibilityDate = "2025-01-01",
);
`;
}

/** Serves `dir/config.capnp` with the workerd binary `workerd` on a free port, GETs /, stops workerd. */
export async function serveWorkerd(workerd: string, dir: string, config: string): Promise<{ status: number; text: string; log: string }> {
  const port = await freePort();
  writeFileSync(join(dir, "config.capnp"), config.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
  const proc = start(workerd, ["serve", "config.capnp", "--verbose"], { cwd: dir });
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitForHttp(url, 30_000, () => proc.child.exitCode === null);
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    return { status: res.status, text: await res.text(), log: proc.output() };
  } catch (e) {
    throw new Error(`${(e as Error).message}\nworkerd output:\n${proc.output()}`);
  } finally {
    await proc.stop();
  }
}

/** Bundles `code` (resolved from `resolveDir`) into a script for EdgeVM, with its wasm modules. */
export async function bundleForEdge(code: string, resolveDir: string, globalName: string): Promise<{ script: string; wasm: Record<string, string> }> {
  const wasm: Record<string, string> = {};
  const wasmModules: Plugin = {
    name: "wasm-module",
    setup(b) {
      b.onResolve({ filter: /\.wasm\?module$/ }, (a) => ({ path: resolve(a.resolveDir, a.path.replace(/\?module$/, "")), namespace: "wasm-module" }));
      b.onLoad({ filter: /.*/, namespace: "wasm-module" }, (a) => {
        const name = `wasm_${basename(a.path).replace(/\W/g, "_")}`;
        wasm[name] = a.path;
        return { contents: `export default globalThis[${JSON.stringify(name)}];`, loader: "js" };
      });
    },
  };
  const r = await build({
    stdin: { contents: code, resolveDir, sourcefile: "entry.js" },
    bundle: true,
    format: "iife",
    globalName,
    platform: "neutral",
    target: "es2022",
    conditions: ["edge-light", "worker", "browser"],
    mainFields: ["module", "main"],
    write: false,
    logLevel: "error",
    plugins: [wasmModules],
  });
  return { script: r.outputFiles[0]!.text, wasm };
}

/** An EdgeVM that cannot compile WASM from bytes, with the bundle's modules bound. */
export async function edgeVM(wasm: Record<string, string>) {
  const { EdgeRuntime } = await import("edge-runtime");
  const modules: Record<string, WebAssembly.Module> = {};
  for (const [name, path] of Object.entries(wasm)) modules[name] = await WebAssembly.compile(readFileSync(path));
  const vm = new EdgeRuntime({ codeGeneration: { strings: false, wasm: false }, extend: (ctx) => Object.assign(ctx, modules) });
  expect(() => vm.evaluate("new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))")).toThrow(/disallowed/);
  return vm;
}

// ------------------------------------------------------------ HTTP servers

const TYPES: Record<string, string> = {
  ".mjs": "text/javascript",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".html": "text/html",
};

export interface StaticServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function listen(server: Server, requests: string[]): Promise<StaticServer> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A CDN stand-in on its own origin, serving this package like jsDelivr:
 * `/npm/deepq@VERSION/<file>` is a file of the package, `/npm/deepq@VERSION`
 * is the `jsdelivr` entry served WITHOUT a redirect, and `/build/runtimes/…`
 * the test fixtures. CORS headers on everything, as CDNs send.
 */
export function cdnServer(): Promise<StaticServer> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; jsdelivr: string };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://cdn").pathname);
    requests.push(path);
    let file: string | undefined;
    const m = /^\/npm\/deepq(@[^/]+)?(\/.*)?$/.exec(path);
    if (m) file = !m[2] || m[2] === "/" ? pkg.jsdelivr : m[2];
    else if (path.startsWith("/build/runtimes/")) file = path;
    const abs = file && normalize(join(ROOT, file));
    if (!abs || !abs.startsWith(ROOT.endsWith(sep) ? ROOT : ROOT + sep) || !existsSync(abs)) {
      res.writeHead(404, { "access-control-allow-origin": "*" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(abs)] ?? "application/octet-stream", "access-control-allow-origin": "*", "cache-control": "no-store" });
    res.end(readFileSync(abs));
  });
  return listen(server, requests);
}

/**
 * The page's origin: serves `pages[path]` as HTML, and under each prefix of
 * `mounts` (e.g. `{ "/dist/": DIST }`) the files of its directory, so pages
 * can start same-origin module workers.
 */
export function pageServer(pages: Record<string, string>, mounts: Record<string, string> = {}): Promise<StaticServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://page").pathname;
    requests.push(path);
    const html = pages[path];
    // No favicon: a 404 for it would show up as a console error of the page under test.
    if (path === "/favicon.ico") return void res.writeHead(204).end();
    const mount = Object.keys(mounts).find((prefix) => path.startsWith(prefix));
    if (mount) {
      const dir = resolve(mounts[mount]!);
      const abs = normalize(join(dir, decodeURIComponent(path.slice(mount.length))));
      const ok = abs.startsWith(dir + sep) && existsSync(abs) && statSync(abs).isFile();
      res.writeHead(ok ? 200 : 404, { "content-type": (ok && TYPES[extname(abs)]) || "application/octet-stream" });
      return void res.end(ok ? readFileSync(abs) : "not found");
    }
    res.writeHead(html === undefined ? 404 : 200, { "content-type": "text/html" });
    res.end(html ?? "not found");
  });
  return listen(server, requests);
}

// ------------------------------------------------------------ doc snippets

/**
 * The code blocks of docs/runtimes.md fenced as ```LANG deepq-test=ID, by ID:
 * the tests run exactly what the doc shows.
 */
export function docSnippets(): Record<string, string> {
  return markdownSnippets(join(ROOT, "docs", "runtimes.md"));
}

/**
 * A temporary project whose node_modules/deepq links to this repository, so
 * `import "deepq"` goes through package.json `exports` as for a user.
 */
export function tempProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "deepq-rt-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "deepq"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true, type: "module", dependencies: { deepq: "*" } }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

// -------------------------------------------------------------- assertions

/** The first-update losses of `backend`, failing with its error when it has one. */
export function firstLosses(report: Report, backend: string): LossesReport {
  const t = report.firstLosses[backend];
  if (!t || "error" in t) throw new Error(`agent on ${backend} failed: ${t ? t.error : "not run"}`);
  return t;
}

/** Every number of `a` within `tol` of `b` (relative above magnitude 1). */
export function expectClose(a: number[], b: number[], tol: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what}: worst difference ${worst} at ${at} (${a[at]} vs ${b[at]})`).toBeLessThanOrEqual(tol);
}

/**
 * The agent on `backend` ran on that engine and its first losses equal wasm's
 * within `tol`: same seed, so same initial weights, transitions and batches;
 * only float rounding differs between engines. Measured on Node, Deno, Bun,
 * Chromium, workerd and EdgeVM: fused, cpu and WebGPU (lavapipe) differ from
 * wasm by at most 1.7e-8, while an agent whose update does nothing differs by
 * 1.6e-3; 1e-6 fails a runtime-specific gradient bug long before that.
 */
export function expectSameLosses(report: Report, backend: string, tol = 1e-6): LossesReport {
  const run = firstLosses(report, backend);
  expect(run.backend).toBe(backend);
  expect(run.losses).toHaveLength(FIRST_UPDATES);
  expect(run.losses.every((l) => Number.isFinite(l) && l > 0), `${backend} losses ${run.losses}`).toBe(true);
  expectClose(run.losses, firstLosses(report, "wasm").losses, tol, `${backend} vs wasm: first ${FIRST_UPDATES} losses`);
  return run;
}

/**
 * What every runtime's report must show: the public bundle loaded and
 * initialised, an arena of deepq's AS module, the public agent trained and
 * acting on fused and on tfjs wasm (not the cpu fallback), every engine of
 * the parity run agreeing with wasm, and only deepq's tfjs kernels registered.
 */
export function expectSmoke(report: Report, { runtime, canCompileWasm = true }: { runtime: string; canCompileWasm?: boolean }): void {
  expect(report.build).toEqual({ bundled: true, wasmDelivery: canCompileWasm ? "inline" : "module" });
  expect(report.publicExports).toEqual(expect.arrayContaining(["init", "useWasmModule", "DeepQError", "capabilities", "probeWebGPU", "DQN", "make"]));
  expect(["simd", "relaxed-simd"]).toContain(report.publicInit);
  expect(report.capabilities).toMatchObject({ runtime, canCompileWasm, wasmSimd: true });
  expect(report.arena.memoryBytes).toBeGreaterThan(report.arena.region);
  expect(report.arena.heapBase).toBeLessThanOrEqual(report.arena.staticBytes);
  // The public agent trains 300 CartPole steps and acts on the engine it was asked for (never a cpu fallback).
  for (const b of ["fused", "wasm"]) {
    const a = report.agent[b] as AgentReport & { error?: string };
    expect(a.error, `agent on ${b}`).toBeUndefined();
    expect(a.backend).toBe(b);
    expect(a.timesteps).toBe(300);
    expect(Number.isFinite(a.loss)).toBe(true);
    expect([0, 1]).toContain(a.action);
  }
  for (const b of Object.keys(report.firstLosses)) if (b !== "webgpu") expectSameLosses(report, b);
  // The lazily loaded parts: the envs module steps MountainCar as in Node; save and load round-trip.
  const lazy = report.lazy as LazyReport & { error?: string };
  expect(lazy.error, "envs module, save and load").toBeUndefined();
  expect(lazy.mountainCar).toEqual(NODE_MOUNTAIN_CAR);
  expect(lazy.saveBytes).toBeGreaterThan(0);
  expect(lazy.loadedAgrees).toBe(true);
  expect(report.tfjsKernels.wasm, "the slim kernel set, not all of tfjs").toBeGreaterThan(40);
  expect(report.tfjsKernels.wasm, "the slim kernel set, not all of tfjs").toBeLessThan(80);
}

/**
 * A software WebGPU adapter (lavapipe, SwiftShader): the agent asked for
 * "webgpu" runs on it and matches wasm within 1e-6; "auto" skips it, says
 * so, and takes the fused engine.
 */
export function expectSoftwareWebGPU(report: Report): void {
  expect(report.capabilities).toMatchObject({ webgpuApi: true });
  expectSameLosses(report, "webgpu");
  const auto = report.auto as { backend: string; report: { backend: string; chosen: boolean; reason: string }[]; error?: string };
  expect(auto.error, "auto").toBeUndefined();
  expect(auto.backend).toBe("fused");
  expect(auto.report[0]).toMatchObject({ backend: "webgpu", chosen: false, reason: expect.stringMatching(/software fallback/) });
}
