/**
 * `deepq tune` run as a user runs it (bin/deepq.mjs -> dist/cli.mjs), with
 * budgets of a few hundred steps: enough for rungs and a ranking, not for
 * good agents.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, run } from "./runtimes/harness.ts";
import type { TrialRecord } from "../src/cli/tune.ts";

const BIN = join(ROOT, "bin", "deepq.mjs");
const dir = mkdtempSync(join(tmpdir(), "deepq-tune-"));
const deepq = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, timeoutMs: 240_000 });
const small = ["--budget", "900", "--rungs", "2", "--seeds", "0-1", "--eval-episodes", "2", "--workers", "2"];
const trialsOf = (out: string) => readFileSync(join(dir, out, "trials.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as TrialRecord);

describe("deepq tune", () => {
  it("ranks the trials, prunes at the rungs, and writes best.json that train --config takes; a trial that throws is reported and the study goes on", async () => {
    // learningRate -1 makes DQN.create throw inside the trial's worker.
    writeFileSync(join(dir, "space.json"), JSON.stringify({ learningRate: { choice: [1e-3, -1] }, batchSize: { choice: [32, 64] } }));
    const r = await deepq("tune", "--trials", "6", "--space", "space.json", "--sampler", "random", "--out", "study", "--tensorboard", "tb", ...small);
    expect(r.code, r.stderr).toBe(0);
    const trials = trialsOf("study");
    expect(trials.map((t) => t.trial).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const failed = trials.filter((t) => t.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) {
      expect(t.options.learningRate).toBe(-1);
      expect(t.error).toMatch(/learningRate/);
      expect(r.stderr).toMatch(new RegExp(`^trial ${t.trial}: failed \\(.*learningRate`, "m"));
    }
    const ok = trials.filter((t) => t.status !== "failed");
    expect(ok.length).toBeGreaterThan(0);
    for (const t of ok) expect(t.options.learningRate).toBe(1e-3);
    // --tensorboard: a run folder for each seed of each completed trial, none for a trial that failed to start.
    const runs = readdirSync(join(dir, "tb"));
    for (const t of ok.filter((t) => t.status === "completed")) expect(runs).toEqual(expect.arrayContaining([`trial${t.trial}_seed0_1`, `trial${t.trial}_seed1_1`]));
    for (const t of failed) expect(runs.filter((r) => r.startsWith(`trial${t.trial}_`))).toEqual([]);
    // The table: header, then one line per trial, completed first.
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^rank\s+trial\s+status\s+score\s+@300\s+@900\s+learningRate\s+batchSize$/);
    const statuses = lines.slice(1, 7).map((l) => l.split(/\s+/)[2]);
    expect(statuses.indexOf("completed")).toBe(0);
    expect(statuses.lastIndexOf("completed")).toBeLessThan(Math.min(...["pruned", "failed"].map((s) => (statuses.includes(s) ? statuses.indexOf(s) : 99))));
    const best = JSON.parse(readFileSync(join(dir, "study", "best.json"), "utf8"));
    expect(best.learningRate).toBe(1e-3);
    expect(r.stdout).toContain(`options written to ${join("study", "best.json")}`);
    const t = await deepq("train", "--config", join("study", "best.json"), "--timesteps", "300", "-q");
    expect(t.code, t.stderr).toBe(0);
  }, 240_000);

  it("emit, run with two processes, collect: the same scores as running the study itself", async () => {
    const args = ["--trials", "4", "--sampler", "sobol", ...small];
    const printed = await deepq("tune", ...args, "--out", "remote", "--print-commands");
    expect(printed.code, printed.stderr).toBe(0);
    const commands = printed.stdout.trim().split("\n");
    expect(commands).toHaveLength(4);
    // Deterministic: the same command lines again.
    const again = await deepq("tune", ...args, "--out", "remote-again", "--print-commands");
    expect(again.stdout.replaceAll("remote-again", "remote")).toBe(printed.stdout);
    for (const c of commands) expect(c).toMatch(/^deepq train CartPole-v1 --config remote\/trial-\d\.json --timesteps 900 --seeds 0,1 /);
    // Run them two at a time, as a scheduler would on two machines.
    const runOne = (c: string) => run(process.execPath, [BIN, ...c.split(" ").slice(1)], { cwd: dir, timeoutMs: 240_000 });
    for (let i = 0; i < commands.length; i += 2) {
      const results = await Promise.all(commands.slice(i, i + 2).map(runOne));
      for (const res of results) expect(res.code, res.stderr).toBe(0);
    }
    const collected = await deepq("tune", "--collect", "remote");
    expect(collected.code, collected.stderr).toBe(0);
    const ranked = JSON.parse(readFileSync(join(dir, "remote", "results.json"), "utf8")) as TrialRecord[];
    expect(ranked.map((t) => t.status)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(existsSync(join(dir, "remote", "best.json"))).toBe(true);

    // The study run here evaluates the same trials at the same steps: every score it recorded matches.
    const local = await deepq("tune", ...args, "--out", "local");
    expect(local.code, local.stderr).toBe(0);
    for (const t of trialsOf("local")) {
      const remote = ranked.find((x) => x.trial === t.trial)!;
      expect(t.rungScores, `trial ${t.trial}`).toEqual(remote.rungScores.slice(0, t.rungScores.length));
    }
  }, 480_000);

  it("Ctrl-C leaves the finished trials on disk and exits 130", async () => {
    const child = spawn(process.execPath, [BIN, "tune", "--trials", "40", "--out", "interrupted", "--sampler", "random", ...small], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const jsonl = join(dir, "interrupted", "trials.jsonl");
    const deadline = Date.now() + 200_000;
    while (!(existsSync(jsonl) && readFileSync(jsonl, "utf8").split("\n").length > 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("interrupted");
    const trials = trialsOf("interrupted");
    expect(trials.length).toBeGreaterThanOrEqual(2);
    expect(trials.length).toBeLessThan(40);
    for (const t of trials) expect(["completed", "pruned", "failed"]).toContain(t.status);
    const results = JSON.parse(readFileSync(join(dir, "interrupted", "results.json"), "utf8")) as TrialRecord[];
    expect(results.map((t) => t.trial).sort()).toEqual(trials.map((t) => t.trial).sort());
  }, 240_000);
});
