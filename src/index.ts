/**
 * deepq: Deep Q-Networks for every JavaScript runtime.
 * @packageDocumentation
 */
export { DeepQError, InvalidArgumentError, InvalidStateError, MissingFunctionError, FormatError, BackendError, DivergenceError } from "./errors.ts";
export { ArenaPlan, init, useWasmModule } from "./runtime/wasm.ts";
export type { Arena, Loaded, WasmFlavor } from "./runtime/wasm.ts";
export type { DeepqExports, EnvsExports } from "./runtime/bindings.ts";
export { capabilities, probeWebGPU } from "./runtime/capabilities.ts";
export type { Capabilities, RuntimeName, WebGPUProbe } from "./runtime/capabilities.ts";
export { make, makeVec, registeredEnvs } from "./envs/registry.ts";
export { checkEnv } from "./envs/check-env.ts";
export { Box, Discrete } from "./envs/spaces.ts";
export type { Env, VecEnv, EnvSpec, Space, Info, ResetArgs, ResetResult, StepResult, VecStepResult } from "./envs/env.ts";
export type { CartPoleEnv, CartPoleVecEnv } from "./envs/cartpole.ts";
export type { ClassicEnv, ClassicVecEnv, ClassicOptions, ClassicVecOptions } from "./envs/classic.ts";
export type { CartPoleId, CartPoleOptions, CartPoleVecOptions } from "./envs/cartpole-common.ts";
export type { BreakoutEnv, BreakoutOptions } from "./envs/minatar-breakout.ts";
export type { Seed } from "./envs/seeding.ts";
export { ReplayBuffer, PrioritizedReplayBuffer, ReplayPlan } from "./replay/buffer.ts";
export type { TransitionBatch, BatchAddresses } from "./batch.ts";
export type { ReplayBatch, ReplayAddresses, ReplayBufferOptions, PrioritizedReplayBufferOptions, ReplayState, ReplayStateMeta, ReplayLayout } from "./replay/buffer.ts";
export { DQN } from "./agent/dqn.ts";
export type { LearnEvent, LearnOptions } from "./agent/learn-options.ts";
export type { EnvLike, VecEnvLike, MaskInfo } from "./agent/driver.ts";
export type { BackendReportEntry } from "./nn/ladder.ts";
export type { TrainLog } from "./agent/train-logger.ts";
export { TensorBoardWriter } from "./io/tensorboard-writer.ts";
export type { TensorBoardWriterOptions } from "./io/tensorboard-writer.ts";
export { evaluate } from "./agent/evaluate.ts";
export type { EvaluateOptions, EvaluateResult } from "./agent/evaluate.ts";
export { presets } from "./agent/presets.ts";
export type { Preset } from "./agent/presets.ts";
export { exponentialSchedule, linearSchedule } from "./agent/schedules.ts";
export type { EpsilonSchedule } from "./agent/schedules.ts";
export type { DQNOptions, ResolvedOptions, BackendName, LearningRateSchedule, PrioritizedReplayOptions } from "./agent/options.ts";
export type { EngineName, BackendOption } from "./nn/engine.ts";
export type { LoadOverrides } from "./agent/save-file.ts";
export { learningCurveSvg, seedBandSvg } from "./plot/svg.ts";
export type { BandPoint, CurveSeries, PlotOptions } from "./plot/svg.ts";
export { loadPolicy } from "./policy/main-entry.ts";
export type { Policy, PolicyOptions } from "./policy/policy.ts";
export { modelToOnnx } from "./policy/onnx-export.ts";
export type { OnnxExport } from "./policy/onnx-export.ts";
export type { ConvNetArch, ConvLayerOptions, ConvOptions } from "./nn/conv.ts";
