/**
 * An event-file reader that shares no code with deepq: TensorFlow's schema
 * (test/tensorboard/*.proto) compiled by Debian's protoc into Python, read by
 * python3-protobuf, every CRC checked (test/tensorboard/read_events.py).
 * Missing tools skip loudly locally and fail in CI.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { skipOrFail } from "../runtimes/harness.ts";

export interface ReadEvent {
  wall_time: number;
  step: number;
  file_version: string | null;
  values: { tag: string; simple_value: number }[];
}

const DIR = join(import.meta.dirname, "..", "tensorboard");
const PYTHON = "/usr/bin/python3"; // Debian's, where apt's python3-protobuf lives

function compile(): string | undefined {
  const protoc = spawnSync("protoc", ["--version"]);
  const protobuf = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import google.protobuf"]).status === 0;
  if (protoc.status !== 0 || !protobuf) {
    skipOrFail("protoc or python3-protobuf is missing, so deepq's event files are not checked by an independent reader", "Install them with: apt-get install protobuf-compiler python3-protobuf");
    return undefined;
  }
  const out = mkdtempSync(join(tmpdir(), "deepq-event-pb-"));
  execFileSync("protoc", ["-I", DIR, `--python_out=${out}`, "event.proto", "summary.proto"]);
  return out;
}

let compiled: string | undefined | null = null;

/** The reader, or undefined (after a loud message) where protoc or python3-protobuf is missing. */
export function eventReader(): ((file: string) => { events: ReadEvent[]; trailing: number }) | undefined {
  if (compiled === null) compiled = compile();
  const pb = compiled;
  if (!pb) return undefined;
  return (file) => JSON.parse(execFileSync(PYTHON, [join(DIR, "read_events.py"), pb, file], { encoding: "utf8", maxBuffer: 64 << 20 }));
}
