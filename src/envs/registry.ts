/**
 * `make` and `makeVec`: env ids to constructors, as Gymnasium's registry.
 * Registered: CartPole-v1, CartPole-v0, Acrobot-v1 and MountainCar-v0 (WASM kernels), MinAtar/Breakout-v1;
 * all but CartPole load on their first make (./beyond-cartpole.ts).
 */
import { InvalidArgumentError } from "../errors.ts";
import { CartPoleEnv, CartPoleVecEnv } from "./cartpole.ts";
import type { CartPoleId, CartPoleOptions, CartPoleVecOptions } from "./cartpole-common.ts";
import type { Env, VecEnv } from "./env.ts";
import type { BREAKOUT_ID, BreakoutEnv, BreakoutOptions } from "./minatar-breakout.ts";
import type { ClassicEnv, ClassicOptions, ClassicVecEnv, ClassicVecOptions } from "./classic.ts";

interface Registration {
  make(options: unknown): Promise<Env>;
  makeVec?(options: unknown): Promise<VecEnv>;
}

const cartpole = (id: CartPoleId): Registration => ({
  make: (options) => CartPoleEnv.create(options as CartPoleOptions, id),
  makeVec: (options) => CartPoleVecEnv.create(options as CartPoleVecOptions, id),
});

const beyondCartPole = () => import("./beyond-cartpole.ts");

const classic = (model: "ACROBOT" | "MOUNTAINCAR"): Registration => ({
  make: async (options) => {
    const envs = await beyondCartPole();
    return envs.ClassicEnv.create(envs[model], options as ClassicOptions);
  },
  makeVec: async (options) => {
    const envs = await beyondCartPole();
    return envs.ClassicVecEnv.create(envs[model], options as ClassicVecOptions);
  },
});

const registry = new Map<string, Registration>([
  ["CartPole-v1", cartpole("CartPole-v1")],
  ["CartPole-v0", cartpole("CartPole-v0")],
  ["Acrobot-v1", classic("ACROBOT")],
  ["MountainCar-v0", classic("MOUNTAINCAR")],
  ["MinAtar/Breakout-v1" satisfies typeof BREAKOUT_ID, { make: async (options) => (await beyondCartPole()).BreakoutEnv.create(options as BreakoutOptions) }],
]);

/** The ids `make` accepts. */
export function registeredEnvs(): string[] {
  return [...registry.keys()];
}

function lookup(id: unknown, vector: boolean): Registration {
  const found = typeof id === "string" ? registry.get(id) : undefined;
  const known = [...registry].filter(([, r]) => !vector || r.makeVec).map(([k]) => JSON.stringify(k));
  if (!found || (vector && !found.makeVec)) throw new InvalidArgumentError("id", id, `a registered env id, one of ${known.join(", ")}`);
  return found;
}

/** Creates the env registered as `id`, as `gymnasium.make(id, **options)`. */
export function make(id: CartPoleId, options?: CartPoleOptions): Promise<CartPoleEnv>;
export function make(id: typeof BREAKOUT_ID, options?: BreakoutOptions): Promise<BreakoutEnv>;
export function make(id: "Acrobot-v1" | "MountainCar-v0", options?: ClassicOptions): Promise<ClassicEnv>;
export function make(id: string, options?: Record<string, unknown>): Promise<Env>;
export async function make(id: string, options?: object): Promise<Env> {
  return lookup(id, false).make(options);
}

/**
 * Creates `options.numEnvs` copies of env `id` stepped together, as
 * `gymnasium.make_vec(id, num_envs, vectorization_mode="vector_entry_point")`.
 */
export function makeVec(id: CartPoleId, options: CartPoleVecOptions): Promise<CartPoleVecEnv>;
export function makeVec(id: "Acrobot-v1" | "MountainCar-v0", options: ClassicVecOptions): Promise<ClassicVecEnv>;
export function makeVec(id: string, options: Record<string, unknown>): Promise<VecEnv>;
export async function makeVec(id: string, options: object): Promise<VecEnv> {
  return lookup(id, true).makeVec!(options);
}
