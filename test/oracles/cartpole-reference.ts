/**
 * CartPole in plain TypeScript: the reference the WASM kernels are tested
 * against and the baseline they are benchmarked against. Same API and the
 * same results, bit for bit, as cartpole.ts (it uses the same exact sin/cos
 * and PCG64, in their TypeScript twins).
 */
import {
  FORCE_MAG, GRAVITY, LENGTH, MASSPOLE, POLEMASS_LENGTH, TAU, THETA_THRESHOLD_RADIANS, TOTAL_MASS, X_THRESHOLD,
} from "../../assembly/lib/cartpole-constants.ts";
import { CartPoleBase, CartPoleVecBase, cartpoleConfig, type CartPoleConfig, type CartPoleCore, type CartPoleId, type CartPoleOptions, type CartPoleVecOptions, type VecArrays } from "../../src/envs/cartpole-common.ts";
import type { Seed } from "../../src/envs/seeding.ts";
import { cos, sin } from "./libm.ts";
import { Pcg64 } from "../../src/envs/pcg64.ts";

/**
 * cartpole.py's `step` for the env whose state is `s[4i .. 4i + 4)`:
 * updates it in place and returns terminated.
 */
export function stepCartPole(s: Float64Array, i: number, action: number): boolean {
  const o = 4 * i;
  let x = s[o]!;
  let x_dot = s[o + 1]!;
  let theta = s[o + 2]!;
  let theta_dot = s[o + 3]!;
  const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
  const costheta = cos(theta);
  const sintheta = sin(theta);

  const temp = (force + POLEMASS_LENGTH * (theta_dot * theta_dot) * sintheta) / TOTAL_MASS;
  const thetaacc = (GRAVITY * sintheta - costheta * temp) / (LENGTH * (4.0 / 3.0 - (MASSPOLE * (costheta * costheta)) / TOTAL_MASS));
  const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;

  x = x + TAU * x_dot;
  x_dot = x_dot + TAU * xacc;
  theta = theta + TAU * theta_dot;
  theta_dot = theta_dot + TAU * thetaacc;

  s[o] = x;
  s[o + 1] = x_dot;
  s[o + 2] = theta;
  s[o + 3] = theta_dot;
  return x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD_RADIANS || theta > THETA_THRESHOLD_RADIANS;
}

/** N CartPoles in plain arrays: the twin of the WASM kernels' bookkeeping, one env at a time. */
class ReferenceCore implements CartPoleCore {
  readonly arrays: VecArrays;
  private rng = Pcg64.fromSeed(0);
  private readonly n: number;
  /** Gymnasium's `steps`: steps since each env's reset. */
  private readonly steps: Float64Array;
  /** Done on the previous step: autoreset on the next. */
  private readonly prevDone: Uint8Array;
  private readonly maxSteps: number;
  private readonly suttonBarto: boolean;
  private low = 0;
  private high = 0;

  constructor(n: number, config: CartPoleConfig) {
    this.n = n;
    this.arrays = {
      state: new Float64Array(4 * n),
      observation: new Float32Array(4 * n),
      reward: new Float32Array(n),
      terminated: new Uint8Array(n),
      truncated: new Uint8Array(n),
    };
    this.steps = new Float64Array(n);
    this.prevDone = new Uint8Array(n);
    this.maxSteps = config.spec.maxEpisodeSteps;
    this.suttonBarto = config.suttonBartoReward;
  }

  seed(seed: Seed): void {
    this.rng = Pcg64.fromSeed(seed);
  }

  reset(low: number, high: number): void {
    this.low = low;
    this.high = high;
    this.redraw(Array.from({ length: this.n }, (_, i) => i));
    this.arrays.observation.set(this.arrays.state);
    this.steps.fill(0);
    this.prevDone.fill(0);
  }

  step(action: number): boolean {
    const { state, observation } = this.arrays;
    const terminated = stepCartPole(state, 0, action);
    for (let v = 0; v < 4; v++) observation[v] = state[v]!;
    return terminated;
  }

  stepVec(actions: Int32Array): number {
    const { state, observation, reward, terminated, truncated } = this.arrays;
    for (let i = 0; i < this.n; i++) if (actions[i] !== 0 && actions[i] !== 1) return i;
    const redraw: number[] = [];
    for (let i = 0; i < this.n; i++) {
      const term = stepCartPole(state, i, actions[i]!);
      const prev = this.prevDone[i] === 1;
      const steps = prev ? 0 : this.steps[i]! + 1;
      const t = term && !prev;
      const tr = steps >= this.maxSteps && !prev;
      this.steps[i] = steps;
      reward[i] = prev ? 0 : this.suttonBarto ? (term ? -1 : -0) : 1;
      terminated[i] = t ? 1 : 0;
      truncated[i] = tr ? 1 : 0;
      this.prevDone[i] = t || tr ? 1 : 0;
      if (prev) redraw.push(i);
    }
    this.redraw(redraw);
    observation.set(state);
    return -1;
  }

  /** uniform(low, high, size=(4, envs.length)) assigned to state[:, envs]: all x's first, then all x_dot's, ... */
  private redraw(envs: readonly number[]): void {
    const { state } = this.arrays;
    for (let v = 0; v < 4; v++) for (const i of envs) state[4 * i + v] = this.rng.uniform(this.low, this.high);
  }
}

/** One CartPole, as `gymnasium.make(id)`, in plain TypeScript. */
export class CartPoleReferenceEnv extends CartPoleBase {
  constructor(options?: CartPoleOptions, id: CartPoleId = "CartPole-v1") {
    const config = cartpoleConfig(id, options);
    super(config, new ReferenceCore(1, config));
  }
}

/** `numEnvs` CartPoles as Gymnasium's CartPoleVectorEnv, in plain TypeScript. */
export class CartPoleVecReferenceEnv extends CartPoleVecBase {
  constructor(options: CartPoleVecOptions, id: CartPoleId = "CartPole-v1") {
    const config = cartpoleConfig(id, options, true);
    super(config, new ReferenceCore(config.numEnvs, config));
  }
}
