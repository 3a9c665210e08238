/**
 * Where and when a bench run happened, as every results file records it:
 * the date, the commit (and whether tracked files differed from it), the
 * machine and the runtimes.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { supportsRelaxedSimd } from "../src/runtime/wasm.ts";

const here = dirname(fileURLToPath(import.meta.url));

export interface Machine {
  cpu: { model: string; id?: string; flags?: string[] };
  cores: number;
  memoryGiB: number;
  os: string;
}

export interface RunMeta {
  date: string;
  commit: string;
  /** Tracked files differed from the commit when the run started. */
  dirty: boolean;
  machine: Machine;
}

/** The CPU as Linux describes it: model name, and family/model/stepping, since "AMD EPYC" alone names no generation. */
function cpuDetails(): Machine["cpu"] {
  const model = cpus()[0]?.model ?? "unknown";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8").split("\n\n")[0]!;
    const field = (k: string) => new RegExp(`^${k}\\s*: (.*)$`, "m").exec(info)?.[1];
    // The instruction-set extensions that change what deepq's WebAssembly compiles to.
    const wanted = ["sse4_1", "avx", "avx2", "fma", "avx512f"];
    const flags = (field("flags") ?? "").split(" ").filter((f) => wanted.includes(f));
    return { model, id: `family ${field("cpu family")} model ${field("model")} stepping ${field("stepping")}`, flags };
  } catch {
    return { model };
  }
}

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: here, encoding: "utf8" }).trim();
}

/** The date, the commit and the machine, as they are now. */
export function runMeta(): RunMeta {
  return {
    date: new Date().toISOString(),
    commit: git("rev-parse", "HEAD"),
    dirty: git("status", "--porcelain", "--untracked-files=no").length > 0,
    machine: { cpu: cpuDetails(), cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${type()} ${release()} ${process.arch}` },
  };
}

/** Node's and V8's versions and whether this runtime validated deepq's relaxed-SIMD build. */
export function jsRuntime(): { node: string; v8: string; relaxedSimd: boolean } {
  return { node: process.version, v8: process.versions.v8, relaxedSimd: supportsRelaxedSimd() };
}
