/**
 * The `deepq` command (bin/deepq.mjs -> dist/cli.mjs) run as a user runs it,
 * in a temporary directory. Training runs are a few thousand steps (the
 * preset's 30k would take ~10 s each): enough for episodes, an evaluation,
 * a model file and a curve, not for a solved CartPole.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, run } from "./runtimes/harness.ts";

const BIN = join(ROOT, "bin", "deepq.mjs");
const dir = mkdtempSync(join(tmpdir(), "deepq-cli-"));
const deepq = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, timeoutMs: 60_000 });

/** The SVG's series groups, each with its rolling-mean path's point count. */
function seriesOf(svg: string): { label: string; points: number }[] {
  const groups = [...svg.matchAll(/<g class="series-\d+">([\s\S]*?)<\/g>/g)].map((m) => m[1]!);
  const labels = [...svg.matchAll(/<text[^>]*class="legend-label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
  return groups.map((g, i) => ({ label: labels[i] ?? "", points: (/class="rolling-mean" d="([^"]*)"/.exec(g)?.[1] ?? "").split(/[ML]/).filter(Boolean).length }));
}

describe("deepq CLI", () => {
  it("train --preset writes a model, a curve and a CSV; eval reads the model", async () => {
    const t = await deepq("train", "CartPole-v1", "--preset", "--timesteps", "2000", "--plot", "c.svg", "--save", "m.deepq", "--csv", "c.csv");
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^CartPole-v1: 2,000 steps in [\d.]+ s; greedy evaluation: [\d.]+ ± [\d.]+ over 20 episodes$/m);
    expect(t.stdout).toContain("model written to m.deepq");
    // Not a TTY: plain progress lines, no carriage-return bar.
    expect(t.stderr).toMatch(/^training on CartPole-v1 for 2,000 steps \(engine: fused\)$/m);
    expect(t.stderr).not.toContain("\r");

    const csv = readFileSync(join(dir, "c.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("episode,timesteps,return,mean100,epsilon,loss");
    const rows = csv.slice(1).map((l) => l.split(",").map(Number));
    expect(rows.length).toBeGreaterThan(20); // random play ends episodes every ~20 steps
    expect(rows.map((r) => r[0])).toEqual(rows.map((_, i) => i + 1));
    expect(rows.reduce((s, r) => s + r[2]!, 0)).toBeLessThanOrEqual(2000); // CartPole: +1 per step

    const svg = readFileSync(join(dir, "c.svg"), "utf8");
    const series = seriesOf(svg);
    expect(series).toEqual([{ label: "CartPole-v1", points: rows.length }]);
    expect(svg.match(/class="eval"/g)?.length).toBeGreaterThanOrEqual(1);

    const e = await deepq("eval", "m.deepq", "--episodes", "3", "--seed", "1");
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^m\.deepq: mean return [\d.]+ ± [\d.]+ over 3 greedy episodes \(min \d+, max \d+\)$/m);
  });

  it("compare writes one SVG with one curve and legend entry per variant", async () => {
    const r = await deepq("compare", "--net-arch", "8", "--net-arch", "16,16", "--net-arch", "32", "--timesteps", "1500", "--plot", "cmp.svg", "-q");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("comparison chart written to cmp.svg");
    const series = seriesOf(readFileSync(join(dir, "cmp.svg"), "utf8"));
    expect(series.map((s) => s.label)).toEqual(["netArch [8]", "netArch [16, 16]", "netArch [32]"]);
    for (const s of series) expect(s.points, s.label).toBeGreaterThan(20);
  });

  it("--help for every command", async () => {
    const expected: Record<string, RegExp> = {
      "": /^Usage: deepq <command>/m,
      train: /^Usage: deepq train \[env\] \[options\]/,
      eval: /^Usage: deepq eval <model\.deepq>/,
      compare: /^Usage: deepq compare \[env\]/,
      export: /^Usage: deepq export <model\.deepq> --onnx <policy\.onnx>/,
      bench: /^Usage: deepq bench \[filter\.\.\.\]/,
    };
    for (const [command, usage] of Object.entries(expected)) {
      const r = await deepq(...(command ? [command] : []), "--help");
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toMatch(usage);
      expect(r.stderr, command).toBe("");
    }
  });

  it("bad usage exits 2 with one line naming the flag, before any training", async () => {
    const cases: [string[], RegExp][] = [
      [["train", "--bogus", "1"], /^deepq: unknown flag --bogus \(see 'deepq train --help'\)$/],
      [["eval", "m.deepq", "--episodez", "3"], /^deepq: unknown flag --episodez \(see 'deepq eval --help'\)$/],
      [["compare", "--nett-arch", "8"], /^deepq: unknown flag --nett-arch \(see 'deepq compare --help'\)$/],
      [["train", "--timesteps", "ten"], /^deepq: --timesteps must be an integer; got "ten"$/],
      [["train", "--gamma", "2"], /^deepq: --gamma must be a finite number in \[0, 1\]; got 2$/],
      [["train", "--learning-rate", "-1"], /^deepq: --learning-rate needs a value; write one starting with "-" as --learning-rate=-1/],
      [["train", "--backend", "gpu"], /^deepq: --backend must be one of "auto", "fused", "wasm", "webgpu", "cpu"; got "gpu"$/],
      [["train", "Pendulum-v1"], /^deepq: unknown env "Pendulum-v1"; known: CartPole-v1, CartPole-v0, Acrobot-v1, MountainCar-v0, MinAtar\/Breakout-v1/],
      [["export", "m.deepq"], /^deepq: --onnx <file> is required/],
      [["fly"], /^deepq: unknown command "fly"/],
    ];
    for (const [args, message] of cases) {
      const r = await deepq(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trimEnd().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr.trimEnd(), args.join(" ")).toMatch(message);
      expect(r.stdout, args.join(" ")).toBe("");
    }
  });

  it("a corrupted model file exits 1 with the FormatError's message", async () => {
    const cases: [string, RegExp][] = [
      ["not a model", /^deepq: not a deepq save file: 11 bytes is shorter than the 20-byte minimum \(truncated\?\)$/],
      ["this text is not a deepq model file", /^deepq: not a deepq save file: wrong magic bytes$/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(join(dir, "bad.deepq"), content);
      const r = await deepq("eval", "bad.deepq");
      expect(r.code, content).toBe(1);
      expect(r.stderr.trimEnd(), content).toMatch(message);
    }
  });
});
