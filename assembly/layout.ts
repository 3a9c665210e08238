/**
 * deepq's WebAssembly memory layout: the one description of linear memory,
 * imported by the AssemblyScript kernels (assembly/) and by TypeScript
 * (src/runtime/arena.ts and the classes that own regions). Only untyped
 * numeric constants live here so that both compilers accept the file.
 *
 * Arenas
 * ------
 * The module is compiled once; every *arena* is one instance with its own
 * imported `WebAssembly.Memory`. An arena holds objects that work together
 * (one vector env; one agent's replay buffer and networks), so a sampled
 * batch feeds an update without leaving WASM memory. TypeScript plans an
 * arena's regions before instantiating it and sizes the memory once: memory
 * never grows, so typed-array views into it never detach. Dropping the owner
 * drops the arena (no allocator, nothing to free inside WASM).
 *
 *   [0, heapBase)          AssemblyScript static data (constant tables)
 *   [heapBase, ...)        regions, each REGION_ALIGN-aligned, in the order
 *                          the owners asked for them
 *
 * Headers
 * -------
 * Each object owns a header region of 8-byte slots. A kernel takes the
 * header's address and reads sizes and region addresses from the slots
 * (indices below, byte offset = index * SLOT). Integer slots hold an i64,
 * float slots an f64.
 */

/** Alignment of every region: a cache line, and a multiple of 16 for v128. */
export const REGION_ALIGN = 64;
/** Bytes per header slot. */
export const SLOT = 8;
/** Bytes in a WebAssembly page. */
export const PAGE = 65536;
/**
 * Bytes reserved for AssemblyScript's static data at the bottom of every
 * arena; regions start here. scripts/build-wasm.mjs fails the build if the
 * module's __heap_base ever passes it.
 */
export const STATIC_BYTES = 65536;

// Kernel exports take and return only i32 and f64 (never i64, which would
// surface as BigInt in JS): addresses are i32 byte offsets.

/** Bytes of one PCG64 generator's state (assembly/lib/pcg64.ts): state then inc, each a little-endian u128. */
export const PCG64_BYTES = 32;

// ---------------------------------------------------------------------------
// CartPole (assembly/cartpole.ts; src/envs/cartpole.ts)
// ---------------------------------------------------------------------------
// One arena per Env or VecEnv; a single Env is a batch of one. Its header
// (CP_HEADER_SLOTS slots) names N and the regions below. Per-env arrays are
// env-major: env i's state is f64 [4i, 4i + 4) = (x, x_dot, theta, theta_dot),
// its observation f32 [4i, 4i + 4), so TypeScript hands both out as plain
// views. (Gymnasium's CartPoleVectorEnv keeps its state as (4, N); the SIMD
// kernel transposes pairs of envs in registers instead.)

/** i64: N, the number of envs. */
export const CP_NUM_ENVS = 0;
/** Address of f64[4N]: the state, Gymnasium's `env.unwrapped.state`. */
export const CP_STATE = 1;
/** Address of f32[4N]: the observation, the state rounded to float32. */
export const CP_OBS = 2;
/** Address of i32[N]: the actions of the next vector step. */
export const CP_ACTIONS = 3;
/** Address of f32[N]: rewards of the last vector step. */
export const CP_REWARD = 4;
/** Address of u8[N]: terminated flags (0/1) of the last vector step. */
export const CP_TERMINATED = 5;
/** Address of u8[N]: truncated flags (0/1) of the last vector step. */
export const CP_TRUNCATED = 6;
/** Address of f64[N]: steps since each env's reset (Gymnasium's `steps`). */
export const CP_ELAPSED = 7;
/** Address of i64[N]: all-ones where the env was done on the last step (autoreset on the next). */
export const CP_PREV_DONE = 8;
/** Address of i32[N]: scratch, the envs being autoreset during a step, in index order. */
export const CP_RESET_LIST = 9;
/** Address of the PCG64 generator state (PCG64_BYTES) that reset draws come from. */
export const CP_RNG = 10;
/** f64: lower reset bound (Gymnasium's `low`, default -0.05). */
export const CP_LOW = 11;
/** f64: upper reset bound (`high`, default 0.05). */
export const CP_HIGH = 12;
/** f64: the time limit of a vector env (Infinity: none). */
export const CP_MAX_STEPS = 13;
/** i64: 1 for `suttonBartoReward`, else 0. */
export const CP_SUTTON_BARTO = 14;
export const CP_HEADER_SLOTS = 15;
