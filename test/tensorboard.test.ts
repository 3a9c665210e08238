/**
 * TensorBoard event files: CRC-32C vectors, TFRecord framing against bytes of
 * a real TensorFlow event file, an independent Python reader over deepq's
 * files, SB3's tags and steps in a 5,000-step CLI run (checked against its
 * CSV), run folders, bad folders, a crash mid-run.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DQN, InvalidArgumentError, make, TensorBoardWriter, type LearnEvent } from "../src/index.ts";
import { crc32, crc32c, maskedCrc32c } from "../src/io/crc32.ts";
import { ProtoWriter } from "../src/io/protobuf.ts";
import { frameRecord, frameRecords, writeVersionEvent } from "../src/io/tfevents.ts";
import { main } from "../src/cli/main.ts";
import { eventReader, type ReadEvent } from "./support/event-reader.ts";

const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...new TextEncoder().encode(p)] : p)));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const dir = mkdtempSync(join(tmpdir(), "deepq-tb-"));
const read = eventReader();
const runs = (root: string) => readdirSync(root).sort();
const eventFile = (runDir: string) => join(runDir, readdirSync(runDir).find((f) => f.startsWith("events.out.tfevents."))!);
const scalars = (events: ReadEvent[], tag: string) => events.flatMap((e) => e.values.filter((v) => v.tag === tag).map((v) => ({ step: e.step, value: v.simple_value })));

describe("CRC-32C", () => {
  // RFC 3720 (iSCSI) B.4 and the check value of the CRC catalogue; TensorFlow's crc32c_test.cc uses the same.
  it("matches the standard vectors", () => {
    expect(crc32c(bytes("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(maskedCrc32c(bytes("123456789"))).toBe(0xc78ab0e5);
  });

  // Python's zlib.crc32 and a bit-at-a-time CRC-32C over the same bytes: lengths and
  // offsets that are not multiples of the eight bytes folded per step.
  it("matches a bitwise CRC over long buffers and ranges of them", () => {
    const data = new Uint8Array(1000).map((_, i) => (i * 7 + 3) & 0xff);
    expect(crc32(data)).toBe(0x17bc2a46);
    expect(crc32c(data)).toBe(0xdd2edff7);
    expect(crc32c(data, 5, 998)).toBe(0x81fb1b58);
    expect(crc32c(data.subarray(5, 998))).toBe(0x81fb1b58);
  });
});

describe("TFRecord framing", () => {
  // TensorBoard's tensorboard/data/server/tf_record.rs, test_success: an event
  // file written by `tf.summary.scalar("accuracy", 0.99, step=77)`, dumped
  // with xxd. Record 1 is the file-version event, record 2 a TF2 tensor summary.
  const record1Data = bytes([0x09, 0x00, 0x00, 0x80, 0x38, 0x99, 0xd6, 0xd7, 0x41, 0x1a, 0x0d], "brain.Event:2");
  const record1 = bytes([0x18, 0, 0, 0, 0, 0, 0, 0], [0xa3, 0x7f, 0x4b, 0x22], [...record1Data], [0x12, 0x4b, 0x36, 0xab]);
  const record2Data = bytes(
    [0x09, 0xc4, 0x05, 0xb7, 0x3d, 0x99, 0xd6, 0xd7, 0x41, 0x10, 0x4d, 0x2a, 0x25, 0x0a, 0x23, 0x0a, 0x08],
    "accuracy",
    [0x42, 0x0a, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04, 0xa4, 0x70, 0x7d, 0x3f, 0x4a, 0x0b, 0x0a, 0x09, 0x0a, 0x07],
    "scalars",
  );
  const record2 = bytes([0x32, 0, 0, 0, 0, 0, 0, 0], [0x24, 0x19, 0x56, 0xec], [...record2Data], [0xa5, 0x5b, 0x64, 0x33]);

  it("frames TensorFlow's records byte for byte", () => {
    expect(hex(frameRecord(record1Data))).toBe(hex(record1));
    expect(hex(frameRecord(record2Data))).toBe(hex(record2));
  });

  it("frames bodies lying back to back as the records of each, in order", () => {
    const both = new Uint8Array([...record1Data, ...record2Data]);
    expect(hex(frameRecords(both, [record1Data.length, both.length]))).toBe(hex(record1) + hex(record2));
    expect(frameRecords(both, [])).toHaveLength(0);
  });

  it("encodes TensorFlow's file-version event byte for byte", () => {
    const wallTime = new DataView(record1Data.buffer, 1, 8).getFloat64(0, true); // 1599759586
    const event = new ProtoWriter();
    writeVersionEvent(event, wallTime);
    expect(hex(frameRecord(event.finish()))).toBe(hex(record1));
  });
});

describe("TensorBoardWriter", () => {
  it("builds a file the independent reader parses, CRCs checked", ({ skip }) => {
    const w = new TensorBoardWriter();
    expect(w.fileName).toMatch(/^events\.out\.tfevents\.\d{10}\.localhost$/);
    w.addScalar("loss", 0.25, 10);
    w.addScalars(20, [["a/b", 1.5], ["c", -3]]);
    const file = join(dir, w.fileName);
    writeFileSync(file, w.bytes());
    if (!read) return skip();
    const { events, trailing } = read(file);
    expect(trailing).toBe(0);
    expect(events.map((e) => [e.step, e.file_version, e.values])).toEqual([
      [0, "brain.Event:2", []],
      [10, null, [{ tag: "loss", simple_value: 0.25 }]],
      [20, null, [{ tag: "a/b", simple_value: 1.5 }, { tag: "c", simple_value: -3 }]],
    ]);
    expect(Math.abs(events[1]!.wall_time - Date.now() / 1000)).toBeLessThan(60);
  });

  it("hands whole records to write() at each flush and forgets them", () => {
    const chunks: Uint8Array[] = [];
    const w = new TensorBoardWriter({ write: (c) => chunks.push(c) });
    w.addScalar("x", 1, 1);
    expect(chunks).toHaveLength(0);
    w.flush();
    w.addScalar("x", 2, 2);
    w.close();
    expect(chunks).toHaveLength(2);
    expect(w.bytes()).toHaveLength(0);
    const lengths = chunks.map((c) => c.length);
    // file version (24 + 16) and one scalar; then one scalar
    expect(lengths[0]! - lengths[1]!).toBeGreaterThan(16);
    expect(() => w.addScalar("x", 3, 3)).toThrow(InvalidArgumentError);
  });

  it("stamps an event with the wallTime given (PyTorch's walltime), now without one", ({ skip }) => {
    const w = new TensorBoardWriter();
    w.addScalar("x", 1, 1, 1_600_000_000.5);
    w.addScalars(2, [["y", 2]]);
    expect(() => w.addScalar("x", 1, 3, -1)).toThrow(/wallTime must be a finite number >= 0/);
    const file = join(dir, "walltime.tfevents");
    writeFileSync(file, w.bytes());
    if (!read) return skip();
    const { events } = read(file);
    expect(events.map((e) => e.step)).toEqual([0, 1, 2]);
    expect(events[1]!.wall_time).toBe(1_600_000_000.5);
    expect(Math.abs(events[2]!.wall_time - Date.now() / 1000)).toBeLessThan(60);
  });

  it("rejects bad tags, values, steps and options", () => {
    const w = new TensorBoardWriter();
    expect(() => w.addScalar("", 1, 0)).toThrow(/tag must be a non-empty string/);
    expect(() => w.addScalar("x", "1" as unknown as number, 0)).toThrow(/value of x must be a number/);
    expect(() => w.addScalar("x", 1, -1)).toThrow(/step must be an integer >= 0/);
    expect(() => new TensorBoardWriter({ host: "a/b" })).toThrow(/options.host/);
    expect(() => new TensorBoardWriter({ flushSecs: 1 } as never)).toThrow(InvalidArgumentError);
    expect(w.bytes().length).toBe(40); // only the file-version record: nothing half-written
  });
});

describe("DQN with tensorboardLog", () => {
  it("a 5,000-step CLI run logs SB3's tags at SB3's steps; rollout/ep_rew_mean equals the CSV's mean100", async ({ skip }) => {
    const root = join(dir, "cli-runs");
    const csv = join(dir, "run.csv");
    const code = await main(["train", "CartPole-v1", "--preset", "--timesteps", "5000", "--eval-freq", "1000", "--eval-episodes", "2", "--csv", csv, "--tensorboard", root, "-q"]);
    expect(code).toBe(0);
    expect(runs(root)).toEqual(["DQN_1"]);
    if (!read) return skip();
    const { events, trailing } = read(eventFile(join(root, "DQN_1")));
    expect(trailing).toBe(0);
    expect(events[0]!.file_version).toBe("brain.Event:2");
    const rows = readFileSync(csv, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    // SB3 dumps every log_interval (4) episodes at the env timestep of that episode's end.
    const dumps = rows.filter((r) => Number(r[0]) % 4 === 0);
    expect(dumps.length).toBeGreaterThan(20);
    const f32 = (s: string) => Math.fround(Number(s));
    expect(scalars(events, "rollout/ep_rew_mean")).toEqual(dumps.map((r) => ({ step: Number(r[1]), value: f32(r[3]!) })));
    expect(scalars(events, "rollout/exploration_rate")).toEqual(dumps.map((r) => ({ step: Number(r[1]), value: f32(r[4]!) })));
    // CartPole pays 1 a step: a return is a length, and both windows hold the same episodes.
    expect(scalars(events, "rollout/ep_len_mean")).toEqual(scalars(events, "rollout/ep_rew_mean"));
    expect(scalars(events, "time/fps").map((s) => s.step)).toEqual(dumps.map((r) => Number(r[1])));
    expect(scalars(events, "time/fps").every((s) => Number.isInteger(s.value) && s.value > 0)).toBe(true);
    // train/ scalars once updates have begun (after learningStarts, 1000): the CSV's loss column.
    const trained = dumps.filter((r) => r[5] !== "");
    expect(trained.length).toBeGreaterThan(10);
    expect(Number(trained[0]![1])).toBeGreaterThan(1000);
    expect(scalars(events, "train/loss")).toEqual(trained.map((r) => ({ step: Number(r[1]), value: f32(r[5]!) })));
    expect(scalars(events, "train/learning_rate")).toEqual(trained.map((r) => ({ step: Number(r[1]), value: Math.fround(1e-3) })));
    // EvalCallback's scalars every 1,000 steps.
    expect(scalars(events, "eval/mean_reward").map((s) => s.step)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(scalars(events, "eval/mean_ep_length")).toEqual(scalars(events, "eval/mean_reward"));
    const tags = new Set(events.flatMap((e) => e.values.map((v) => v.tag)));
    expect([...tags].sort()).toEqual(["eval/mean_ep_length", "eval/mean_reward", "rollout/ep_len_mean", "rollout/ep_rew_mean", "rollout/exploration_rate", "time/fps", "train/learning_rate", "train/loss"]);
    expect(events.slice(1).every((e, i) => e.step >= events[i]!.step)).toBe(true);
    // Each dump stamped when it was made (queued, written later), in seconds.
    expect(events.slice(1).every((e, i) => e.wall_time >= events[i]!.wall_time)).toBe(true);
    expect(events.at(-1)!.wall_time - events[0]!.wall_time).toBeGreaterThan(0);
    expect(Math.abs(events.at(-1)!.wall_time - Date.now() / 1000)).toBeLessThan(60);
  }, 120_000);

  it("numbers run folders as SB3 (tbLogName, largest + 1, resetNumTimesteps: false continues); callbacks add scalars", async ({ skip }) => {
    const root = join(dir, "runs");
    mkdirSync(join(root, "DQN_7"), { recursive: true });
    mkdirSync(join(root, "DQN_x"));
    writeFileSync(join(root, "DQN_12"), ""); // SB3 counts any entry named <name>_<n>
    const env = await make("CartPole-v1");
    const agent = await DQN.create(env, { tensorboardLog: root, learningStarts: 50, seed: 3 });
    const callback = (e: LearnEvent) => {
      e.logger.record("custom/episodes", e.episodes);
      e.logger.record("rollout/exploration_rate", 99);
    };
    await agent.learn({ totalTimesteps: 300, logInterval: 2, callback });
    expect(runs(root)).toEqual(["DQN_12", "DQN_13", "DQN_7", "DQN_x"]);
    await agent.learn({ totalTimesteps: 100, resetNumTimesteps: false });
    expect(runs(root)).toEqual(["DQN_12", "DQN_13", "DQN_7", "DQN_x"]);
    expect(readdirSync(join(root, "DQN_13")).length).toBeGreaterThanOrEqual(1);
    await agent.learn({ totalTimesteps: 100, tbLogName: "double_q" });
    expect(runs(root)).toContain("double_q_1");
    agent.dispose();
    if (!read) return skip();
    const first = read(join(root, "DQN_13", readdirSync(join(root, "DQN_13")).sort()[0]!)).events;
    const custom = scalars(first, "custom/episodes");
    expect(custom.length).toBeGreaterThan(2);
    expect(custom.every((c) => c.value % 2 === 0)).toBe(true); // recorded at every episode, written with the dumps every 2nd
    // A callback's value of an SB3 tag gives way to SB3's at a dump, as SB3's logger.record overwrites it.
    const rates = scalars(first, "rollout/exploration_rate");
    expect(rates.length).toBeGreaterThanOrEqual(custom.length);
    expect(rates.every((r) => r.value >= 0 && r.value <= 1)).toBe(true);
  }, 60_000);

  it("a TensorBoardWriter collects a run in memory (runtimes without a file system)", async () => {
    const writer = new TensorBoardWriter();
    const agent = await DQN.create(await make("CartPole-v1"), { tensorboardLog: writer, learningStarts: 50, seed: 1 });
    await agent.learn({ totalTimesteps: 400 });
    const before = writer.bytes().length;
    expect(before).toBeGreaterThan(200);
    await agent.learn({ totalTimesteps: 200, resetNumTimesteps: false });
    expect(writer.bytes().length).toBeGreaterThan(before); // the same writer goes on: one run
    agent.dispose();
  });

  it("a folder that cannot be created fails before training, with the agent untouched", async () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a folder");
    const agent = await DQN.create(await make("CartPole-v1"), { tensorboardLog: join(blocker, "runs"), seed: 1 });
    const err = await agent.learn({ totalTimesteps: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).argument).toBe("options.tensorboardLog");
    expect((err as Error).message).toMatch(/a folder deepq can create and write event files in \(.*ENOTDIR/);
    expect([agent.timesteps, agent.episodes, agent.bufferSize]).toEqual([0, 0, 0]);
    expect(await main(["train", "--timesteps", "100", "--tensorboard", join(blocker, "runs"), "-q"])).toBe(2);
    agent.dispose();
  });

  it("rejects bad tensorboardLog, tbLogName, logInterval and recorded values", async () => {
    const env = await make("CartPole-v1");
    await expect(DQN.create(env, { tensorboardLog: 3 as never })).rejects.toThrow(/options.tensorboardLog must be a folder name \(Node, Deno, Bun\) or a TensorBoardWriter/);
    await expect(DQN.create(env, { tensorboardLog: "" })).rejects.toThrow(InvalidArgumentError);
    const agent = await DQN.create(env, { tensorboardLog: new TensorBoardWriter() });
    await expect(agent.learn({ totalTimesteps: 10, tbLogName: "../up" })).rejects.toThrow(/tbLogName must be a folder name/);
    await expect(agent.learn({ totalTimesteps: 10, logInterval: 0 })).rejects.toThrow(/logInterval must be an integer >= 1/);
    await expect(agent.learn({ totalTimesteps: 200, callback: (e) => e.logger.record("x", "y" as never) })).rejects.toThrow(/value of x must be a number/);
    agent.dispose();
  });

  it("in a runtime without a file system, a folder name is refused at create", async () => {
    const proc = process as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      await expect(DQN.create(await make("CartPole-v1"), { tensorboardLog: "runs" })).rejects.toThrow(/options.tensorboardLog must be a TensorBoardWriter here: this runtime has no file system/);
    } finally {
      proc.getBuiltinModule = saved;
    }
  });

  it("a crash mid-run leaves a file whose complete records all read back", async ({ skip }) => {
    const root = join(dir, "crash");
    const script = join(dir, "crash.mts");
    writeFileSync(
      script,
      `import { DQN, make } from ${JSON.stringify(join(import.meta.dirname, "../src/index.ts"))};
const agent = await DQN.create(await make("CartPole-v1"), { tensorboardLog: ${JSON.stringify(root)}, learningStarts: 100, seed: 2 });
await agent.learn({ totalTimesteps: 10_000_000, logInterval: 1 });`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: "ignore" });
    const size = () => {
      try {
        return statSync(eventFile(join(root, "DQN_1"))).size;
      } catch {
        return 0;
      }
    };
    // The first flush writes the file-version record (40 bytes); later ones come every 2 s.
    const deadline = Date.now() + 60_000;
    while (size() <= 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(size()).toBeGreaterThan(40);
    // A write cut short by the crash: cut the last record in half too.
    const file = eventFile(join(root, "DQN_1"));
    const whole = readFileSync(file);
    writeFileSync(`${file}.cut`, whole.subarray(0, whole.length - 30));
    if (!read) return skip();
    const full = read(file);
    expect(full.trailing).toBe(0);
    expect(full.events.length).toBeGreaterThan(2);
    const cut = read(`${file}.cut`);
    expect(cut.events).toEqual(full.events.slice(0, -1));
    expect(cut.trailing).toBeGreaterThan(0);
  }, 90_000);
});
