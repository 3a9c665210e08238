/**
 * The PyTorch baselines: Debian's python3-torch (apt-get install -y
 * python3-torch) running the scripts beside this file on the CPU, measured in
 * the same benchmark run as deepq. Without it a baseline row says so instead
 * of carrying a number.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";
export const TORCH_MISSING = "PyTorch not measured: apt-get install -y python3-torch";

/** What a baseline script printed (its last line, JSON), or why there is none. */
export type TorchResult<T> = { ok: true; value: T } | { ok: false; why: string };

let version: string | null | undefined;

/** The installed PyTorch's version, or null when python3 cannot import torch. */
export function torchVersion(): string | null {
  if (version === undefined) {
    const r = existsSync(PYTHON) ? spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", timeout: 60_000 }) : undefined;
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
