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

// ---------------------------------------------------------------------------
// MLP engine (assembly/mlp.ts, assembly/lib/mlp.ts; planned by src/nn/fused.ts)
// ---------------------------------------------------------------------------
//
// One network is a header region (MLP_HEADER_SLOTS slots, then MLP_LAYER_SLOTS
// per internal layer: the layer table) plus the regions the header points to.
// All float data is f32.
//
// Internal layers: the hidden layers, then one head. With dueling the value
// (1 unit) and advantage (nActions units) heads are one internal layer of
// 1 + nActions outputs: column 0 is V, columns 1.. are A.
//
// Internal parameter set (online, target, gradient, Adam m and v all alike):
// per internal layer, W as [inPad, outPad] row-major (W[i, j] joins input i
// to output j, as in the canonical layout) then b [outPad], where xPad is x
// rounded up to a multiple of 4. Padding rows, columns and bias entries are
// zero and stay zero (their gradients are exactly zero), so hidden outputs
// have zero padding columns and every row is a whole number of v128.
// src/nn/fused.ts converts to and from the canonical layout of src/nn/spec.ts.
//
// Row buffers ([rows, width] row-major, row stride = width rounded up to 4;
// `rows` is the batch size the network was planned for, and no call passes
// more):
//   layer outputs of the training forward pass (one per layer, LAYER_ACT),
//   two ping-pong buffers for passes that keep no activations (SCRATCH_A/B),
//   head outputs of the target net and of the online net on next
//   observations / for acting (Q_TARGET, Q_AUX), the head gradient (DHEAD)
//   and two ping-pong backward deltas (DELTA_A/B).

/** Header slots (integer unless marked f64). */
export const MLP_POOL = 0; // 16 slots (8 x v128, 16-byte aligned): the kernels' constant pool (assembly/lib/kernels.ts pinned)
export const MLP_LAYER_COUNT = 16; // internal layers: hidden + 1 head
export const MLP_OBS = 17; // observation size
export const MLP_ACTIONS = 18; // nActions
export const MLP_DUELING = 19; // 0 | 1
export const MLP_PARAM_FLOATS = 20; // floats in one internal parameter set (a multiple of 4)
export const MLP_PARAMS = 21; // address: online parameters
export const MLP_TARGET = 22; // address: target parameters (training only)
export const MLP_GRAD = 23; // address: gradient (training only)
export const MLP_ADAM_M = 24; // address: Adam first moment (training only)
export const MLP_ADAM_V = 25; // address: Adam second moment (training only)
export const MLP_SCRATCH_A = 26; // address: [rows, maxPad]
export const MLP_SCRATCH_B = 27; // address: [rows, maxPad]
export const MLP_Q_TARGET = 28; // address: [rows, headPad] (training only)
export const MLP_Q_AUX = 29; // address: [rows, headPad]
export const MLP_DHEAD = 30; // address: [rows, headPad] (training only)
export const MLP_DELTA_A = 31; // address: [rows, maxPad] (training only)
export const MLP_DELTA_B = 32; // address: [rows, maxPad] (training only)
export const MLP_SPARSE = 33; // address: single-row forward's nonzero list, 8 * (widest input + 4) bytes
export const MLP_STEP = 34; // Adam step count t
export const MLP_HUBER = 35; // 0: MSE, 1: Huber (delta 1)
export const MLP_DOUBLE_Q = 36; // 0 | 1
export const MLP_SCALAR = 37; // 1: run the scalar twins of every SIMD kernel (tests)
export const MLP_LR = 38; // f64 learning rate
export const MLP_BETA1 = 39; // f64
export const MLP_BETA2 = 40; // f64
export const MLP_EPS = 41; // f64
export const MLP_MAX_GRAD_NORM = 42; // f64; 0 = no clipping
export const MLP_HEADER_SLOTS = 43;

/** Layer table: slots per internal layer, starting at slot MLP_HEADER_SLOTS. */
export const LAYER_IN = 0; // inputs
export const LAYER_IN_PAD = 1; // inputs rounded up to 4: rows of W, and the row stride of the input (layer 0 reads observations at stride obsSize)
export const LAYER_OUT_PAD = 2; // outputs rounded up to 4: the row stride of W, b and the outputs
export const LAYER_W = 3; // float offset of W in a parameter set
export const LAYER_B = 4; // float offset of b in a parameter set
export const LAYER_ACT = 5; // address: this layer's outputs in the training forward pass [rows, outPad] (training only)
export const MLP_LAYER_SLOTS = 6;
