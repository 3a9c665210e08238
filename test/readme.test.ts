/**
 * Runs every code block of README.md (each is fenced ```LANG deepq-test=ID)
 * the way a reader would: JavaScript in a fresh project whose
 * node_modules/deepq links to this repository (so `import "deepq"` goes
 * through package.json exports to dist/), Deno, Chromium loading the bundle
 * from a CDN stand-in, and the shell lines through bash.
 *
 * Shortened where the README's figures take long: training lengths (the
 * preset's 30,000 steps, `--timesteps 30000`) run as 1,500-2,000 steps, by
 * rewriting exactly that text (the rewrite fails if the text is not there).
 * Everything else runs as written.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, cdnServer, findRuntime, pageServer, run, tempProject } from "./runtimes/harness.ts";
import { launchChromium } from "./support/browser.ts";
import { docSnippets, fencedBlocks } from "./support/snippets.ts";

const README = join(ROOT, "README.md");
const snippets = docSnippets(README);
const deno = findRuntime("deno");
const chromium = findRuntime("chromium");

/** `code` with `from` replaced by `to`; throws if `from` is not in it (the README changed). */
function shorten(code: string, from: string | RegExp, to: string): string {
  const out = code.replace(from, to);
  if (out === code) throw new Error(`README snippet no longer contains ${from}: update test/readme.test.ts`);
  return out;
}

/** The command lines of a shell block, comments and blank lines removed. */
const commandLines = (code: string) =>
  code
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").replace(/^#.*$/, "").trim())
    .filter(Boolean);

/** A temp project where `npx deepq` runs this repository's bin, as after `npm install deepq`. */
function cliProject(): string {
  const dir = tempProject();
  mkdirSync(join(dir, "node_modules", ".bin"));
  symlinkSync(join(ROOT, "bin", "deepq.mjs"), join(dir, "node_modules", ".bin", "deepq"));
  return dir;
}

const bash = (line: string, cwd: string) => run("bash", ["-c", line], { cwd, timeoutMs: 60_000 });

describe("README.md", () => {
  it("every code block is fenced with a deepq-test id, and this file runs each", () => {
    const code = fencedBlocks(README).filter((b) => b.lang !== "text");
    expect(code.length).toBeGreaterThanOrEqual(9);
    expect(code.filter((b) => !b.id).map((b) => b.code.slice(0, 60))).toEqual([]);
    expect(Object.keys(snippets).sort()).toEqual(["browser", "cli", "commands", "demo", "deno", "envs", "example", "gameloop", "masks", "node", "onnx", "snake", "worker"]);
  });

  it("the two commands: npm install && npm start / npm test are the package's scripts; start's training writes its files", async () => {
    const lines = commandLines(snippets.commands!);
    expect(lines).toEqual(["npm install && npm start", "npm test"]);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toBe("vitest run");
    expect(pkg.scripts.pretest).toMatch(/^npm run build\b/);
    // `npm start` = `npm run build && <train>`: the build is what `npm test` (pretest) just did;
    // run the training command itself, shortened.
    const [build, train] = pkg.scripts.start!.split(" && ");
    expect(build).toBe("npm run build");
    const dir = tempProject();
    const r = await bash(`${train!.replace("bin/deepq.mjs", join(ROOT, "bin", "deepq.mjs"))} --timesteps 1500`, dir);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ["cartpole.deepq", "cartpole.svg", "cartpole.csv"]) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it("Node quick start: trains, evaluates, saves, loads, runs the policy runtime", async () => {
    const code = shorten(snippets.node!, /^ {2}totalTimesteps,$/m, "  totalTimesteps: 2000,");
    const dir = tempProject({ "main.mjs": code });
    const r = await run(process.execPath, ["main.mjs"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^engine: fused$/m);
    expect(r.stdout).toMatch(/^episode 20: mean return [\d.]+$/m);
    expect(r.stdout).toMatch(/^greedy evaluation: [\d.]+ ± [\d.]+$/m);
    expect(r.stdout).toMatch(/^same action: true$/m);
  });

  it.skipIf(!deno)("Deno quick start runs with no permission flags", async () => {
    const dir = tempProject({ "main.js": snippets.deno! });
    const r = await run(deno!, ["run", "--no-lock", "--no-prompt", "main.js"], { cwd: dir, env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
    expect(r.stdout, r.stderr).toMatch(/^\d+ episodes on deepq's fused engine\n$/);
  });

  describe.skipIf(!chromium)("browser quick start", () => {
    const closers: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const close of closers) await close();
    });

    it("the page imports the bundle from the CDN URL and trains", async () => {
      const cdn = await cdnServer();
      const pages = await pageServer({ "/index.html": snippets.browser!.replaceAll("https://cdn.jsdelivr.net", cdn.url) });
      const browser = await launchChromium(chromium!);
      closers.push(() => browser.close(), () => cdn.close(), () => pages.close());
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${pages.url.replace("127.0.0.1", "localhost")}/index.html`);
      await page.waitForFunction(() => /done on the/.test(document.getElementById("log")!.textContent!), null, { timeout: 30_000 }).catch(() => {
        throw new Error(`page errors: ${errors.join("\n")}`);
      });
      expect(await page.locator("#log").innerText()).toMatch(/^episode \d+: return \d+\ndone on the fused engine$/);
      expect(cdn.requests).toContain("/npm/deepq@0.1.0/dist/deepq.min.mjs");
    });
  });

  it("Environments and game-loop snippets run", async () => {
    const dir = tempProject({ "envs.mjs": snippets.envs!, "gameloop.mjs": snippets.gameloop! });
    const envs = await run(process.execPath, ["envs.mjs"], { cwd: dir });
    expect(envs.stderr).toBe("");
    expect(envs.stdout).toMatch(/^Float32Array\(4\) \[[^\]]+\] Float32Array\(4\) \[[^\]]+\] 1 false false 1024\n$/);
    const loop = await run(process.execPath, ["gameloop.mjs"], { cwd: dir });
    expect(loop.stderr).toBe("");
    expect(loop.stdout).toMatch(/^3000 frames, \d+ episodes; greedy action: [01]\n$/);
  });

  it("Action masks snippet trains on a masked game and acts only legally", async () => {
    const dir = tempProject({ "masks.mjs": snippets.masks! });
    const out = await run(process.execPath, ["masks.mjs"], { cwd: dir });
    expect(out.stderr).toBe("");
    expect(out.stdout).toMatch(/^[13] [13]\n[13]\n$/);
  });

  it("ONNX snippet: onnxruntime-node runs agent.exportOnnx() and picks deepq's action", async () => {
    const dir = tempProject({ "onnx.mjs": snippets.onnx! });
    symlinkSync(join(ROOT, "node_modules", "onnxruntime-node"), join(dir, "node_modules", "onnxruntime-node"), "dir");
    const r = await run(process.execPath, ["onnx.mjs"], { cwd: dir });
    expect(r.stderr).toBe("");
    const m = /^onnx action ([01]), deepq action ([01])\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![1]).toBe(m![2]);
  });

  it("deepq/worker snippet trains in a worker thread (shortened to 2,000 steps) and acts from snapshots", async () => {
    const code = shorten(snippets.worker!, 'preset: true }', "totalTimesteps: 2000 }");
    const dir = tempProject({ "worker.mjs": code });
    const r = await run(process.execPath, ["worker.mjs"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^trained; action for an upright pole: [01]\n$/);
  });

  it("Command-line lines run through npx (training shortened to 1,500 steps)", async () => {
    const dir = cliProject();
    const lines = commandLines(snippets.cli!);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const short = line.includes("--timesteps") ? shorten(line, /--timesteps \d+/, "--timesteps 1500") : line;
      const r = await bash(short, dir);
      expect(r.code, `${short}\n${r.stderr}`).toBe(0);
    }
    for (const f of ["curve.svg", "model.deepq", "compare.svg"]) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it("npm run demo serves the page and prints its URL", async () => {
    expect(commandLines(snippets.demo!)).toEqual(["npm run demo"]);
    // Own process group, so stopping it stops npm's child (the server) too.
    const child = spawn("bash", ["-c", "npm run demo"], { cwd: ROOT, env: { ...process.env, PORT: "0" }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    try {
      const end = Date.now() + 20_000;
      while (!/http:\/\/127\.0\.0\.1:\d+\/demo\//.test(out) && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      const url = /(http:\/\/127\.0\.0\.1:\d+\/demo\/)/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<canvas id=\"cartpole\"");
    } finally {
      process.kill(-child.pid!, "SIGKILL");
    }
  });

  it("the Catch example's command trains and plays", async () => {
    expect(commandLines(snippets.example!)).toEqual(["npx tsx examples/catch/train.ts"]);
    const r = await bash(snippets.example!, ROOT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^trained on 1500 games \(7500 frames\) in [\d.]+ s on the fused engine$/m);
    expect(r.stdout).toMatch(/^catch rate over 200 games: agent (9\d|100)%, random \d+%$/m);
    expect(r.stdout).toMatch(/^(caught!|missed)$/m);
  });

  it("the Snake example's command trains, compares with random play and writes its curve", async () => {
    expect(commandLines(snippets.snake!)).toEqual(["npx tsx examples/snake/train.ts"]);
    const svg = join(tempProject(), "snake.svg");
    // 30,000 frames take about a minute: 3,000 show the command works.
    const r = await bash(shorten(snippets.snake!, /train\.ts(?= )/, `train.ts 3000 ${svg}`), ROOT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^trained on \d+ games \(3000 frames\) in [\d.]+ s on the fused engine$/m);
    expect(r.stdout).toMatch(/^food eaten per game over 200 games: agent [\d.]+, random [\d.]+$/m);
    expect(readFileSync(svg, "utf8")).toMatch(/^<svg[\s\S]*random player[\s\S]*<\/svg>\n$/);
  });
});
