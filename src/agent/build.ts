/**
 * Builds an agent's Q-network engine (through the backend ladder) and its
 * replay buffer from resolved options.
 */
import { runLadder, type BackendReportEntry } from "../nn/ladder.ts";
import { fusedProvider } from "../nn/fused-engine.ts";
import type { QEngine } from "../nn/engine.ts";
import type { NetSpec } from "../nn/spec.ts";
import { PrioritizedReplayBuffer, ReplayBuffer } from "../replay/buffer.ts";
import { scheduledLearningRate, type ResolvedOptions } from "./options.ts";
import { ArenaPlan, type Arena } from "../runtime/wasm.ts";

export type { BackendReportEntry };

export async function buildAgentParts(spec: NetSpec, r: ResolvedOptions, numEnvs: number): Promise<{ engine: QEngine; replay: ReplayBuffer | PrioritizedReplayBuffer; report: BackendReportEntry[] }> {
  const replayOptions = {
    // A row per transition plus one per episode end (src/replay/config.ts): leave room for both.
    capacity: Math.max(r.bufferSize + numEnvs * (r.nSteps + 1), 2),
    observationSize: spec.observationSize,
    seed: r.seed,
    nSteps: r.nSteps,
    gamma: r.gamma,
    numEnvs,
    maxBatchSize: r.batchSize,
    autoreset: numEnvs > 1 ? ("next-step" as const) : ("same-step" as const),
    // Room for the next observations' action masks (ceil(nActions / 8) B a row), kept once an env or observe gives them.
    nActions: spec.nActions,
  };
  const per = r.prioritizedReplay;
  const planReplay = (plan: ArenaPlan) =>
    per ? PrioritizedReplayBuffer.plan(plan, { ...replayOptions, alpha: per.alpha, beta: per.beta, epsilon: per.epsilon }) : ReplayBuffer.plan(plan, replayOptions);
  // The fused engine shares its arena with the replay buffer; other engines get a buffer of its own.
  let shared: ReplayBuffer | undefined;
  const alongside = (plan: ArenaPlan) => {
    const planned = planReplay(plan);
    return (arena: Arena) => void (shared = planned.bind(arena));
  };
  let replay: ReplayBuffer | undefined;
  try {
    const { engine, report } = await runLadder(
      {
        spec,
        learningRate: scheduledLearningRate(r.learningRate, 1),
        gamma: r.gamma,
        doubleQ: r.doubleQ,
        loss: r.loss,
        seed: r.seed,
        ...(Number.isFinite(r.maxGradNorm) ? { maxGradNorm: r.maxGradNorm } : {}),
      },
      r.backend,
      { fused: fusedProvider(r.batchSize, alongside) },
    );
    if (engine.name === "fused" && shared) replay = shared;
    else {
      shared?.dispose();
      const plan = new ArenaPlan();
      const planned = planReplay(plan);
      replay = planned.bind(await plan.instantiate());
    }
    return { engine, replay, report };
  } catch (e) {
    replay?.dispose();
    throw e;
  }
}
