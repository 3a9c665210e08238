/**
 * Acrobot-v1 (assembly/acrobot.ts): Gymnasium 1.4's two-link pendulum,
 * bit for bit. State (theta1, theta2, dtheta1, dtheta2) float64;
 * observation float32 (cos t1, sin t1, cos t2, sin t2, dt1, dt2); actions
 * torque -1, 0, +1; reward -1 a step, 0 on the step that reaches the line;
 * truncated at 500 steps. Create with `make("Acrobot-v1")`.
 */
import { ACROBOT_CACHE, ACROBOT_OBS, ACROBOT_STATE } from "../../assembly/layout.ts";
import type { ClassicModel } from "./classic.ts";

const MAX_VEL_1 = Math.fround(4 * Math.PI);
const MAX_VEL_2 = Math.fround(9 * Math.PI);

export const ACROBOT = Object.freeze<ClassicModel>({
  id: "Acrobot-v1",
  maxEpisodeSteps: 500,
  rewardThreshold: -100,
  stateSize: ACROBOT_STATE,
  obsSize: ACROBOT_OBS,
  nActions: 3,
  obsLow: [-1, -1, -1, -1, -MAX_VEL_1, -MAX_VEL_2],
  obsHigh: [1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2],
  resetLow: -0.1,
  resetHigh: 0.1,
  cacheBytes: ACROBOT_CACHE,
  kernels: ({ kernels: k }) => ({
    reset: k.acrobotReset,
    step: k.acrobotStep,
    vecStep: k.acrobotVecStep,
  }),
});
