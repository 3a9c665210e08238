/**
 * The PyTorch baselines: Debian's python3-torch (apt-get install -y
 * python3-torch libopenblas0-pthread) running the scripts beside this file on
 * the CPU, measured in the same benchmark run as deepq. Without it a baseline
 * row says so instead of carrying a number. Debian's torch calls whichever
 * libblas.so.3 the system's alternatives pick: without OpenBLAS that is the
 * reference BLAS, which made the baselines ~5x slower here; the version
 * string names the library loaded.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";
export const TORCH_MISSING = "PyTorch not measured: apt-get install -y python3-torch libopenblas0-pthread";

/** What a baseline script printed (its last line, JSON), or why there is none. */
export type TorchResult<T> = { ok: true; value: T } | { ok: false; why: string };

let version: string | null | undefined;

/** Prints torch's version and the BLAS library a matmul loaded (from /proc/self/maps). */
const VERSION_SCRIPT = `import os, torch
torch.ones(8, 8) @ torch.ones(8, 8)
libs = {os.path.basename(os.path.realpath(l.split()[-1])) for l in open("/proc/self/maps") if "blas" in l.rsplit("/", 1)[-1]}
blas = sorted(b for b in libs if "openblas" in b) or sorted(libs)
print(torch.__version__ + (" with " + ", ".join(blas) if blas else ""))`;

/** The installed PyTorch's version and BLAS, or null when python3 cannot import torch. */
export function torchVersion(): string | null {
  if (version === undefined) {
    const r = existsSync(PYTHON) ? spawnSync(PYTHON, ["-c", VERSION_SCRIPT], { encoding: "utf8", timeout: 60_000 }) : undefined;
    version = r?.status === 0 ? r.stdout.trim() : null;
  }
  return version;
}

/**
 * Runs bench/`script` with `args` on one thread (PyTorch's fastest setting
 * for these small networks; OMP_WAIT_POLICY=PASSIVE keeps idle OpenMP
 * threads from spinning on a shared machine).
 */
export function runTorch<T>(script: string, args: string[], timeoutMs = 600_000): TorchResult<T> {
  if (torchVersion() === null) return { ok: false, why: TORCH_MISSING };
  const path = fileURLToPath(new URL(script, import.meta.url));
  const r = spawnSync(PYTHON, [path, ...args, "--threads", "1"], { env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE" }, encoding: "utf8", timeout: timeoutMs });
  if (r.status !== 0) return { ok: false, why: `PyTorch not measured: ${script} ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.trim().split("\n").pop()}` };
  return { ok: true, value: JSON.parse(r.stdout.trim().split("\n").pop()!) as T };
}
