/**
 * Replay kernels exported to TypeScript (src/replay/buffer.ts). Each takes a
 * buffer's header address; the work is in assembly/lib/replay.ts.
 */
import { addStaged, sampleBatch, updateStaged } from "./lib/replay";

/** Inserts the staged vector-env step. Called once per add / addBatch. */
export function replayAdd(header: usize): void {
  addStaged(header);
}

/**
 * Samples `batch` rows into the batch regions, gathering observations with
 * v128; in the test module (SCALAR_TWINS = 1) its scalar twin, with the same
 * draws and output, one float at a time. Called once per sample.
 */
export function replaySample(header: usize, batch: i32): void {
  if (SCALAR_TWINS) sampleBatch<f32>(header, batch);
  else sampleBatch<v128>(header, batch);
}

/** Applies `count` staged priority updates. Called once per updatePriorities. */
export function replayUpdatePriorities(header: usize, count: i32): void {
  updateStaged(header, count);
}
