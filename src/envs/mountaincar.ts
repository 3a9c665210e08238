/**
 * MountainCar-v0 (assembly/mountaincar.ts): Gymnasium 1.4's car in a
 * valley, bit for bit. State and observation (position, velocity); actions
 * push left, none, right; reward -1 a step; terminated at the flag
 * (position >= 0.5); truncated at 200 steps. Create with
 * `make("MountainCar-v0")`.
 */
import { MOUNTAINCAR_OBS, MOUNTAINCAR_STATE } from "../../assembly/layout.ts";
import type { ClassicModel } from "./classic.ts";

export const MOUNTAINCAR = Object.freeze<ClassicModel>({
  id: "MountainCar-v0",
  maxEpisodeSteps: 200,
  rewardThreshold: -110,
  stateSize: MOUNTAINCAR_STATE,
  obsSize: MOUNTAINCAR_OBS,
  nActions: 3,
  obsLow: [-1.2, -0.07],
  obsHigh: [0.6, 0.07],
  resetLow: -0.6,
  resetHigh: -0.4,
  cacheBytes: 0,
  kernels: ({ kernels: k }) => ({
    reset: k.mountaincarReset,
    step: k.mountaincarStep,
    vecStep: k.mountaincarVecStep,
  }),
});
