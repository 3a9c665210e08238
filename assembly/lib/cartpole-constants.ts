/**
 * CartPole's physical constants, as gymnasium/envs/classic_control/cartpole.py
 * (Gymnasium 1.4) defines them, shared by the AssemblyScript kernels and the
 * TypeScript reference env so both compute with the very same doubles.
 * Derived constants are computed as Gymnasium computes them (same operands,
 * same order), never written as rounded literals.
 */
export const GRAVITY = 9.8;
export const MASSCART = 1.0;
export const MASSPOLE = 0.1;
export const TOTAL_MASS = MASSPOLE + MASSCART;
/** Actually half the pole's length. */
export const LENGTH = 0.5;
export const POLEMASS_LENGTH = MASSPOLE * LENGTH;
export const FORCE_MAG = 10.0;
/** Seconds between state updates. */
export const TAU = 0.02;
/** Angle at which to fail the episode: 12 degrees, as `12 * 2 * math.pi / 360`. */
export const THETA_THRESHOLD_RADIANS = (12.0 * 2.0 * Math.PI) / 360.0;
export const X_THRESHOLD = 2.4;
/** Default reset bounds: every state variable is drawn from uniform(-0.05, 0.05). */
export const RESET_LOW = -0.05;
export const RESET_HIGH = 0.05;
