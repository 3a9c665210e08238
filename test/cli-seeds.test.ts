/**
 * `deepq train --seeds` (bin/deepq.mjs -> dist/cli.mjs): seeds on a pool of
 * worker threads. Runs are a few thousand steps: enough for episodes and
 * evaluations, not for a solved CartPole.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, run } from "./runtimes/harness.ts";
import { parseSeeds, seedPath } from "../src/cli/seeds.ts";

const BIN = join(ROOT, "bin", "deepq.mjs");
const dir = mkdtempSync(join(tmpdir(), "deepq-seeds-"));
const deepq = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, timeoutMs: 120_000 });

describe("deepq train --seeds", () => {
  it("gives the same models, CSV and chart with 1 worker and with 3", async () => {
    const common = ["train", "CartPole-v1", "--preset", "--timesteps", "1500", "--eval-freq", "500", "--eval-episodes", "3", "--seeds", "0-2", "-q"];
    const one = await deepq(...common, "--workers", "1", "--save", "one-{seed}.deepq", "--csv", "one.csv", "--plot", "one.svg", "--tensorboard", "runs");
    expect(one.code, one.stderr).toBe(0);
    const three = await deepq(...common, "--workers", "3", "--save", "three-{seed}.deepq", "--csv", "three.csv", "--plot", "three.svg");
    expect(three.code, three.stderr).toBe(0);
    for (const seed of [0, 1, 2]) {
      expect(one.stdout).toMatch(new RegExp(`^seed ${seed}: 1,500 steps in [\\d.]+ s; greedy evaluation: [\\d.]+ ± [\\d.]+; model written to one-${seed}\\.deepq$`, "m"));
      expect(readFileSync(join(dir, `three-${seed}.deepq`)), `seed ${seed}'s model`).toEqual(readFileSync(join(dir, `one-${seed}.deepq`)));
    }
    // One TensorBoard run folder per seed, so TensorBoard overlays them.
    expect(readdirSync(join(dir, "runs")).sort()).toEqual(["DQN_seed0_1", "DQN_seed1_1", "DQN_seed2_1"]);
    for (const seed of [0, 1, 2]) expect(readdirSync(join(dir, "runs", `DQN_seed${seed}_1`))).toEqual([expect.stringMatching(/^events\.out\.tfevents\.\d+\./)]);
    // Different seeds train different agents.
    expect(readFileSync(join(dir, "one-1.deepq"))).not.toEqual(readFileSync(join(dir, "one-0.deepq")));

    const csv = readFileSync(join(dir, "one.csv"), "utf8");
    expect(readFileSync(join(dir, "three.csv"), "utf8")).toBe(csv);
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("seed,episode,timesteps,return,mean100,epsilon,loss");
    const rows = lines.slice(1).map((l) => l.split(",").map(Number));
    expect([...new Set(rows.map((r) => r[0]))]).toEqual([0, 1, 2]);
    for (const seed of [0, 1, 2]) {
      const own = rows.filter((r) => r[0] === seed);
      expect(own.map((r) => r[1])).toEqual(own.map((_, i) => i + 1));
    }

    const svg = readFileSync(join(dir, "one.svg"), "utf8");
    expect(readFileSync(join(dir, "three.svg"), "utf8")).toBe(svg);
    expect(svg).toMatch(/<path class="band" d="M[^"]+Z"/);
    // Evaluations at 500, 1000 and 1500 steps: three points on the mean line.
    expect((/<path class="mean" d="([^"]*)"/.exec(svg)?.[1] ?? "").split(/[ML]/).filter(Boolean)).toHaveLength(3);
    expect(svg).toContain("mean greedy evaluation over 3 seeds");
  }, 240_000);

  it("bad --seeds or --workers: exit 2 naming the flag", async () => {
    for (const [args, re] of [
      [["--seeds", "3-1"], /--seeds/],
      [["--seeds", "a"], /--seeds/],
      [["--seeds", "0-1", "--seed", "3"], /--seed or --seeds/],
      [["--seeds", "0-1", "--workers", "0"], /--workers/],
      [["--workers", "2"], /--workers needs --seeds/],
    ] as const) {
      const r = await deepq("train", "--timesteps", "100", ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});

describe("seed lists and per-seed file names", () => {
  it("parses ranges and lists, rejects the rest", () => {
    expect(parseSeeds("0-3")).toEqual([0, 1, 2, 3]);
    expect(parseSeeds("5,0-1, 9")).toEqual([5, 0, 1, 9]);
    for (const bad of ["", "1-", "-1", "2-1", "1,1", "0.5", "x"]) expect(parseSeeds(bad), bad).toBeUndefined();
  });
  it("puts the seed in the model file's name", () => {
    expect(seedPath("m.deepq", 3)).toBe("m-seed3.deepq");
    expect(seedPath("out/run-{seed}/m.deepq", 3)).toBe("out/run-3/m.deepq");
    expect(seedPath("dir.v1/model", 2)).toBe("dir.v1/model-seed2");
  });
});
