/**
 * The messages between `startTraining` (src/worker.ts, the caller's thread)
 * and the training worker (./training-worker.ts). Requests that expect an
 * answer carry an `id`; the worker answers each with a `reply` of that id.
 */
import type { LearnEvent } from "../agent/learn-options.ts";
import type { BackendReportEntry } from "../agent/build.ts";

/** Where the worker gets its env: a registered id, or a module URL whose export makes one. */
export type EnvSource = string | { module: string; export?: string };

export interface StartMessage {
  type: "start";
  env: EnvSource;
  options: Record<string, unknown> | undefined;
  totalTimesteps: number | undefined;
  preset: boolean;
  from: Uint8Array | undefined;
  tensorboard: boolean;
}

/** A TensorBoard event file kept in memory by the worker (`startTraining({ tensorboard: true })`). */
export interface TensorBoardLog {
  /** `events.out.tfevents.<seconds>.<host>`: put it in a folder and run `tensorboard --logdir <folder>`. */
  fileName: string;
  bytes: Uint8Array;
}

/** A learn event as it crosses to the caller's thread (`logger` stays in the worker). */
export type TrainingEvent = Omit<LearnEvent, "logger">;

export type ToWorker = StartMessage | { type: "pause" | "resume" | "snapshot" | "tensorboard"; id: number } | { type: "abort" };

/** What `Training.ready` resolves to, once the agent exists. */
export interface TrainingInfo {
  /** The engine the agent trains on ("fused", "wasm", "webgpu", "cpu"). */
  backend: string;
  /** Why each rung of the backend ladder was taken or skipped. */
  backendReport: BackendReportEntry[];
  /** Env steps the agent had at the start (non-zero when continuing a save file). */
  timesteps: number;
  /** Episodes the agent had at the start. */
  episodes: number;
  /** The env steps this training runs for. */
  totalTimesteps: number;
}

export type FromWorker =
  | { type: "ready"; info: TrainingInfo }
  | { type: "progress"; event: TrainingEvent }
  | { type: "reply"; id: number; bytes?: Uint8Array; log?: TensorBoardLog }
  | { type: "done"; bytes: Uint8Array; log?: TensorBoardLog }
  | { type: "error"; name: string; message: string; argument?: string; allowed?: string };
