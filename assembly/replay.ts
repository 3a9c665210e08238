/**
 * Replay kernels exported to TypeScript (src/replay/buffer.ts). Each takes a
 * buffer's header address; the work is in assembly/lib/replay.ts.
 */
import { addStaged, sampleBatch, updateStaged } from "./lib/replay";

/** Inserts the staged vector-env step. Called once per add / addBatch. */
export function replayAdd(header: usize): void {
  addStaged(header);
}

/** Samples `batch` rows into the batch regions, gathering observations with v128. Called once per sample. */
export function replaySample(header: usize, batch: i32): void {
  sampleBatch<v128>(header, batch);
}

/** The scalar twin of {@link replaySample}: same draws, same output, one float at a time. Called by tests and benchmarks. */
export function replaySampleScalar(header: usize, batch: i32): void {
  sampleBatch<f32>(header, batch);
}

/** Applies `count` staged priority updates. Called once per updatePriorities. */
export function replayUpdatePriorities(header: usize, count: i32): void {
  updateStaged(header, count);
}
