/** Test kernels (the test module only, see scripts/build-wasm.mjs). Fills `n` u32 draws of the generator at `state` into `out`. */
import { rngNextU32, rngNextDouble } from "../lib/rng";

export function rngFillU32(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u32>(out + (<usize>i << 2), rngNextU32(state));
}

/** Test kernel: fills `n` doubles of the generator at `state` into `out`. */
export function rngFillDouble(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), rngNextDouble(state));
}
