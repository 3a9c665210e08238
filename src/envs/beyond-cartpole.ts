/**
 * The registered envs other than CartPole, which the registry imports on
 * their first `make`: the bundles put them in a chunk of their own, so a
 * CartPole agent's download carries none of their code.
 */
export { ACROBOT } from "./acrobot.ts";
export { MOUNTAINCAR } from "./mountaincar.ts";
export { ClassicEnv, ClassicVecEnv } from "./classic.ts";
export { BreakoutEnv } from "./minatar-breakout.ts";
