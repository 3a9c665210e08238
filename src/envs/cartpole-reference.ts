/**
 * CartPole in plain TypeScript: the reference the WASM kernels are tested
 * against and the baseline they are benchmarked against. Same API and the
 * same results, bit for bit, as cartpole.ts (it uses the same exact sin/cos
 * and PCG64, in their TypeScript twins).
 */
import {
  FORCE_MAG, GRAVITY, LENGTH, MASSPOLE, POLEMASS_LENGTH, TAU, THETA_THRESHOLD_RADIANS, TOTAL_MASS, X_THRESHOLD,
} from "../../assembly/lib/cartpole-constants.ts";
import { CartPoleBase, CartPoleVecBase, cartpoleConfig, type CartPoleConfig, type CartPoleId, type CartPoleOptions, type CartPoleVecOptions } from "./cartpole-common.ts";
import type { Seed } from "./seeding.ts";
import { cos, sin } from "./libm.ts";
import { Pcg64 } from "./pcg64.ts";

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

/** One CartPole, as `gymnasium.make(id)`, in plain TypeScript. */
export class CartPoleReferenceEnv extends CartPoleBase {
  private rng = Pcg64.fromSeed(0);
  private readonly s: Float64Array;

  constructor(options?: CartPoleOptions, id: CartPoleId = "CartPole-v1") {
    const state = new Float64Array(4);
    super(cartpoleConfig(id, options), state);
    this.s = state;
  }

  protected seedCore(seed: Seed): void {
    this.rng = Pcg64.fromSeed(seed);
  }
  protected resetCore(low: number, high: number): void {
    for (let v = 0; v < 4; v++) this.s[v] = this.rng.uniform(low, high);
  }
  protected stepCore(action: number): boolean {
    return stepCartPole(this.s, 0, action);
  }
  protected observe(): Float32Array {
    return new Float32Array(this.s);
  }
}

/** `numEnvs` CartPoles as Gymnasium's CartPoleVectorEnv, in plain TypeScript, one env at a time. */
export class CartPoleVecReferenceEnv extends CartPoleVecBase {
  private rng = Pcg64.fromSeed(0);
  private readonly s: Float64Array;
  private readonly obs: Float32Array;
  private readonly reward: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly steps: Float64Array;
  private readonly prevDone: Uint8Array;
  private readonly maxSteps: number;
  private low = 0;
  private high = 0;

  constructor(options: CartPoleVecOptions, id: CartPoleId = "CartPole-v1") {
    const config: CartPoleConfig & { numEnvs: number } = cartpoleConfig(id, options, true);
    const n = config.numEnvs;
    const arrays = {
      state: new Float64Array(4 * n),
      observation: new Float32Array(4 * n),
      reward: new Float32Array(n),
      terminated: new Uint8Array(n),
      truncated: new Uint8Array(n),
    };
    super(config, arrays);
    this.s = arrays.state;
    this.obs = arrays.observation;
    this.reward = arrays.reward;
    this.terminated = arrays.terminated;
    this.truncated = arrays.truncated;
    this.steps = new Float64Array(n);
    this.prevDone = new Uint8Array(n);
    this.maxSteps = config.spec.maxEpisodeSteps;
  }

  protected seedCore(seed: Seed): void {
    this.rng = Pcg64.fromSeed(seed);
  }

  protected resetCore(low: number, high: number): void {
    this.low = low;
    this.high = high;
    this.redraw(Array.from({ length: this.numEnvs }, (_, i) => i));
    this.obs.set(this.s);
    this.steps.fill(0);
    this.prevDone.fill(0);
  }

  protected stepCore(actions: Int32Array): number {
    const n = this.numEnvs;
    for (let i = 0; i < n; i++) if (actions[i] !== 0 && actions[i] !== 1) return i;
    const redraw: number[] = [];
    for (let i = 0; i < n; i++) {
      const term = stepCartPole(this.s, i, actions[i]!);
      const prev = this.prevDone[i] === 1;
      const steps = prev ? 0 : this.steps[i]! + 1;
      const t = term && !prev;
      const tr = steps >= this.maxSteps && !prev;
      this.steps[i] = steps;
      this.reward[i] = prev ? 0 : this.suttonBarto ? (term ? -1 : -0) : 1;
      this.terminated[i] = t ? 1 : 0;
      this.truncated[i] = tr ? 1 : 0;
      this.prevDone[i] = t || tr ? 1 : 0;
      if (prev) redraw.push(i);
    }
    this.redraw(redraw);
    this.obs.set(this.s);
    return -1;
  }

  /** uniform(low, high, size=(4, envs.length)) assigned to state[:, envs]: all x's first, then all x_dot's, ... */
  private redraw(envs: readonly number[]): void {
    for (let v = 0; v < 4; v++) for (const i of envs) this.s[4 * i + v] = this.rng.uniform(this.low, this.high);
  }
}
