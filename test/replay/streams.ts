/**
 * Random vector-env streams for the replay tests, and brute-force n-step
 * transitions computed from them directly from the definition (no code shared
 * with the buffers).
 */
import { Rng } from "../../src/runtime/rng.ts";

/** One env step of one env: what an agent would add. */
export interface Step {
  /** Unique per step of the whole stream: the action stored, so a sampled row names its step. */
  id: number;
  env: number;
  obs: Float32Array;
  reward: number;
  nextObs: Float32Array;
  terminated: boolean;
  truncated: boolean;
}

/** A vector-env step: numEnvs Steps, in the arrays addBatch takes. */
export interface VecStep {
  steps: Step[];
  obs: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

export interface StreamOptions {
  numEnvs: number;
  observationSize: number;
  steps: number;
  seed: number;
  pTerminated?: number;
  pTruncated?: number;
}

/** Episodes end at random (terminated or truncated, sometimes both); a reset draws a fresh observation. */
export function makeStream(o: StreamOptions): VecStep[] {
  const rng = new Rng(o.seed);
  const d = o.observationSize;
  const fresh = () => Float32Array.from({ length: d }, () => rng.uniform(-2, 2));
  const current = Array.from({ length: o.numEnvs }, fresh);
  const out: VecStep[] = [];
  let id = 0;
  for (let t = 0; t < o.steps; t++) {
    const v: VecStep = {
      steps: [],
      obs: new Float32Array(o.numEnvs * d),
      actions: new Int32Array(o.numEnvs),
      rewards: new Float32Array(o.numEnvs),
      nextObs: new Float32Array(o.numEnvs * d),
      terminated: new Uint8Array(o.numEnvs),
      truncated: new Uint8Array(o.numEnvs),
    };
    for (let e = 0; e < o.numEnvs; e++) {
      const obs = current[e]!;
      const nextObs = fresh();
      const terminated = rng.nextDouble() < (o.pTerminated ?? 0.05);
      const truncated = rng.nextDouble() < (o.pTruncated ?? 0.05);
      const s: Step = { id: id++, env: e, obs, reward: Math.fround(rng.uniform(-1, 1)), nextObs, terminated, truncated };
      v.steps.push(s);
      v.obs.set(obs, e * d);
      v.nextObs.set(nextObs, e * d);
      v.actions[e] = s.id;
      v.rewards[e] = s.reward;
      v.terminated[e] = +terminated;
      v.truncated[e] = +truncated;
      current[e] = terminated || truncated ? fresh() : nextObs;
    }
    out.push(v);
  }
  return out;
}

/** A transition as the buffer should return it. */
export interface Expected {
  id: number;
  env: number;
  obs: Float32Array;
  reward: number;
  nextObs: Float32Array;
  done: number;
  k: number;
}

/**
 * The n-step transitions of a stream by id: for step t of an env, sum
 * gamma^i r_(t+i) until n rewards or the episode's end, whichever is first.
 * Steps whose window is still open at the end of the stream are absent (they
 * wait for their return).
 */
export function nStepTransitions(steps: Step[], nSteps: number, gamma: number): Map<number, Expected> {
  const out = new Map<number, Expected>();
  for (const lane of byEnv(steps)) {
    lane.forEach((s, j) => {
      let ret = 0;
      for (let i = 0; i < nSteps && j + i < lane.length; i++) {
        const u = lane[j + i]!;
        ret += gamma ** i * u.reward;
        if (u.terminated || u.truncated || i + 1 === nSteps) {
          out.set(s.id, { id: s.id, env: s.env, obs: s.obs, reward: ret, nextObs: u.nextObs, done: u.terminated ? 1 : 0, k: i + 1 });
          return;
        }
      }
    });
  }
  return out;
}

/** The steps of each env, in order. */
export function byEnv(steps: Step[]): Step[][] {
  const lanes: Step[][] = [];
  for (const s of steps) (lanes[s.env] ??= []).push(s);
  return lanes.filter(Boolean);
}

/** Every step of a stream, in order. */
export function flat(stream: VecStep[]): Step[] {
  return stream.flatMap((v) => v.steps);
}

/**
 * The ids a lane of `laneRows` rows still holds, counted from the definition:
 * an episode segment of c transitions spends c + 1 rows (its observations and
 * the final or pending next one), so the steps from j to the newest m - 1 span
 * (m - j) + (segments among them) rows, and step j is live while that is at
 * most laneRows and its transition is finalized.
 */
export function liveIds(steps: Step[], laneRows: number, expected: Map<number, Expected>): Set<number> {
  const live = new Set<number>();
  for (const lane of byEnv(steps)) {
    let segments = 1;
    for (let j = lane.length - 1; j >= 0; j--) {
      if (j < lane.length - 1 && (lane[j]!.terminated || lane[j]!.truncated)) segments++;
      if (lane.length - j + segments > laneRows) break;
      if (expected.has(lane[j]!.id)) live.add(lane[j]!.id);
    }
  }
  return live;
}
