/**
 * The package as a user gets it from npm: `npm pack`, the tarball installed
 * into a fresh project in the temp directory (nothing of the source tree
 * reachable), then the README's main calls type-checked with `tsc --strict`
 * under NodeNext and run, the `deepq` command run through npx, and an
 * uncaught DeepQError's printout measured. Needs `npm run build` (pretest).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, run, type RunResult } from "./harness.ts";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const nodeTypes = join(ROOT, "node_modules", "@types");

/** The README's main calls, shortened (2,000 steps), with the types a user would write. */
const MAIN_TS = `import { DQN, DeepQError, InvalidArgumentError, evaluate, make, presets, exponentialSchedule, type LearnEvent } from "deepq";
import { loadPolicy, type Policy } from "deepq/policy";
import { writeFileSync } from "node:fs";

const env = await make("CartPole-v1");
const { options } = presets["CartPole-v1"];
const agent = await DQN.create(env, { ...options, seed: 0 });
let events = 0;
await agent.learn({ totalTimesteps: 2_000, callback: (e: LearnEvent) => void (events += e.timesteps > 0 ? 1 : 0) });
const { mean } = await evaluate(agent, await make("CartPole-v1"), { nEpisodes: 2 });
const bytes: Uint8Array = await agent.save();
writeFileSync("agent.deepq", bytes);
const policy: Policy = await loadPolicy(bytes);
const { observation } = env.reset({ seed: 1 });
const same = agent.predict(observation) === policy.act(observation);
let typed = false;
try {
  // @ts-expect-error the wrong signature (the schedule takes positional numbers)
  exponentialSchedule({ start: 1, end: 0.01, decay: 500 });
} catch (e) {
  typed = e instanceof DeepQError && e instanceof InvalidArgumentError;
}
console.log(JSON.stringify({ backend: agent.getBackend(), steps: agent.timesteps, events, mean, same, typed }));
`;

const UNCAUGHT_MJS = `import { exponentialSchedule } from "deepq";
exponentialSchedule({ start: 1, end: 0.01, decay: 500 });
`;

let dir = "";
let packDir = "";
const ok = (r: RunResult, what: string) => expect(r.code, `${what}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

describe("the package as installed from its tarball", () => {
  beforeAll(async () => {
    packDir = mkdtempSync(join(tmpdir(), "deepq-pack-"));
    dir = mkdtempSync(join(tmpdir(), "deepq-user-"));
    const pack = await run(npm, ["pack", "--json", "--pack-destination", packDir], { timeoutMs: 60_000 });
    ok(pack, "npm pack");
    const [{ filename }] = JSON.parse(pack.stdout) as Array<{ filename: string }>;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user", private: true, type: "module" }));
    // deepq has no runtime dependencies (tfjs is bundled), so this needs no registry.
    ok(await run(npm, ["install", "--offline", "--no-audit", "--no-fund", join(packDir, filename!)], { cwd: dir, timeoutMs: 60_000 }), "npm install <tarball>");
    writeFileSync(join(dir, "main.ts"), MAIN_TS);
    writeFileSync(join(dir, "uncaught.mjs"), UNCAUGHT_MJS);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", skipLibCheck: false, typeRoots: [nodeTypes], types: ["node"] }, files: ["main.ts"] }),
    );
  }, 120_000);

  afterAll(() => {
    for (const d of [dir, packDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it("has no runtime dependencies and ships no sources, tests or build scripts", () => {
    const pkg = JSON.parse(readFileSync(join(dir, "node_modules", "deepq", "package.json"), "utf8"));
    expect(pkg.dependencies ?? {}).toEqual({});
    const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
    expect(Object.keys(lock.packages).filter((p) => p !== "")).toEqual(["node_modules/deepq"]);
    const installed = join(dir, "node_modules", "deepq");
    expect(readdirSync(installed).sort()).toEqual(["LICENSE", "README.md", "bin", "dist", "package.json"]);
    // Only files, no folders (sources, tests, per-module declarations) in dist/.
    expect(readdirSync(join(installed, "dist"), { withFileTypes: true }).filter((e) => !e.isFile()).map((e) => e.name)).toEqual([]);
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} deepq contributors\n/);
  });

  it("the README's calls type-check with tsc --strict (NodeNext) and run", async () => {
    ok(await run(process.execPath, [tsc, "-p", dir], { cwd: dir, timeoutMs: 120_000 }), "tsc --strict");
    const r = await run(process.execPath, ["main.js"], { cwd: dir, timeoutMs: 120_000 });
    ok(r, "node main.js");
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out).toMatchObject({ backend: "fused", steps: 2_000, same: true, typed: true });
    expect(out.events).toBeGreaterThan(0);
    expect(Number.isFinite(out.mean)).toBe(true);
  }, 240_000);

  it("npx deepq train and eval", async () => {
    const train = await run(npx, ["--no", "--", "deepq", "train", "--timesteps", "2000", "--save", "cli.deepq", "--quiet"], { cwd: dir, timeoutMs: 120_000 });
    ok(train, "npx deepq train");
    const evalRun = await run(npx, ["--no", "--", "deepq", "eval", "cli.deepq", "--episodes", "2"], { cwd: dir, timeoutMs: 60_000 });
    ok(evalRun, "npx deepq eval");
    expect(evalRun.stdout).toMatch(/\d/);
    const help = await run(npx, ["--no", "--", "deepq", "--help"], { cwd: dir });
    expect(help.stdout).toMatch(/bench .*source checkout/);
  }, 240_000);

  it("an uncaught DeepQError prints under 4 KB, naming the error and a source line of deepq", async () => {
    const r = await run(process.execPath, ["uncaught.mjs"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/InvalidArgumentError/);
    expect(r.stderr).toMatch(/deepq\.mjs:\d+/);
    expect(Buffer.byteLength(r.stderr), r.stderr).toBeLessThan(4096);
  });
});
