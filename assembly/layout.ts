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
// Batch address map (src/batch.ts, BatchAddresses)
// ---------------------------------------------------------------------------
// Where the arrays of one batch of B transitions lie: BATCH_SLOTS address
// slots, as a header's. A replay header holds one for its sampled batch
// (from RH_OUT); the MLP update takes the address of one, so a batch sampled
// in the same arena feeds it in place.

export const BATCH_OBS = 0; // f32[B * obsSize]
export const BATCH_ACTIONS = 1; // i32[B]
export const BATCH_REWARDS = 2; // f32[B]: rewards, n-step returns summed
export const BATCH_NEXT_OBS = 3; // f32[B * obsSize]
export const BATCH_DONES = 4; // f32[B]: 0 | 1
export const BATCH_DISCOUNTS = 5; // f32[B]: gamma^k
export const BATCH_WEIGHTS = 6; // f32[B]: importance weights, 1 when uniform
export const BATCH_INDICES = 7; // i32[B]: the rows sampled (replay only; the update ignores it)
// u8[B * ceil(nActions / 8)]: legal actions of each next observation, bit a of
// byte a >> 3 for action a; a row without a set bit (and address 0: no masks)
// leaves every action legal. The TD target's max and argmax skip the rest.
export const BATCH_NEXT_MASKS = 8;
export const BATCH_SLOTS = 9;

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
/** Address of the env kernel's own per-env cache (Acrobot's, see its section; empty for MountainCar, unset for CartPole). */
export const CP_KERNEL_CACHE = 15;
export const CP_HEADER_SLOTS = 16;

// ---------------------------------------------------------------------------
// MinAtar Breakout (assembly/minatar-breakout.ts; src/envs/minatar-breakout.ts)
// ---------------------------------------------------------------------------
// One arena per env. Its header (BK_HEADER_SLOTS slots) names the regions:
// the MT19937 generator (MT19937_BYTES: 624 u32 words, then the i32 index of
// the next word), the game scalars (i32[BG_INTS], in the order below), the
// brick map (u8[100], row-major r * 10 + c, 0/1) and the observation
// (f32[400], channels-last: cell (r, c) channel ch at (r * 10 + c) * 4 + ch,
// channels paddle, ball, trail, brick).

/** Address of the MT19937 state the reset and sticky-action draws come from. */
export const BK_RNG = 0;
/** Address of i32[BG_INTS]: the game scalars. */
export const BK_GAME = 1;
/** Address of u8[100]: the brick map. */
export const BK_BRICKS = 2;
/** Address of f32[400]: the observation. */
export const BK_OBS = 3;
/** f64: the sticky-action probability. */
export const BK_STICKY = 4;
export const BK_HEADER_SLOTS = 5;
/** Bytes of one MT19937 state: 624 words and the index of the next one. */
export const MT19937_BYTES = 2500;
/** Game scalars, breakout.py's names: ball_x, ball_y, ball_dir, pos, strike, last_x, last_y, terminal, then Environment.last_action (0 n, 1 l, 2 r). */
export const BG_BALL_X = 0;
export const BG_BALL_Y = 1;
export const BG_BALL_DIR = 2;
export const BG_POS = 3;
export const BG_STRIKE = 4;
export const BG_LAST_X = 5;
export const BG_LAST_Y = 6;
export const BG_TERMINAL = 7;
export const BG_LAST_ACTION = 8;
export const BG_INTS = 9;

// ---------------------------------------------------------------------------
// Acrobot-v1 and MountainCar-v0 (assembly/acrobot.ts, assembly/mountaincar.ts,
// assembly/lib/classic.ts; src/envs/classic.ts)
// ---------------------------------------------------------------------------
// The CartPole header and regions, with three differences. State and
// observation hold CLASSIC_STATE / CLASSIC_OBS values per env (env-major).
// CP_RNG holds one generator per env (env i's at i * PCG64_BYTES), as
// Gymnasium's SyncVectorEnv, whose reset(seed=s) seeds env i with s + i and
// autoresets each env from its own generator. CP_RESET_LIST and
// CP_SUTTON_BARTO are unused, and CP_KERNEL_CACHE is Acrobot's alone.

/** Acrobot-v1: state (theta1, theta2, dtheta1, dtheta2), observation (cos t1, sin t1, cos t2, sin t2, dt1, dt2). */
export const ACROBOT_STATE = 4;
export const ACROBOT_OBS = 6;
/**
 * Acrobot's CP_KERNEL_CACHE, ACROBOT_CACHE bytes per env: for each pair p
 * of envs (2p, 2p + 1) that the vector step runs on f64x2 lanes, at
 * p * 2 * ACROBOT_CACHE, the pair's theta2 when the step ended and its cos
 * and sin (one f64x2 each), which the next step's first rk4 stage needs
 * again. Keyed by theta2's bits, so a state written or reset in between
 * just misses; every entry holds a theta2 with its own cos and sin (reset
 * fills it with 0, 1, 0).
 */
export const ACROBOT_CACHE = 24;
/** MountainCar-v0: state and observation (position, velocity). */
export const MOUNTAINCAR_STATE = 2;
export const MOUNTAINCAR_OBS = 2;

// ===========================================================================
// Replay (src/replay/buffer.ts plans and binds; assembly/lib/replay.ts runs)
// ===========================================================================
//
// Rows. A buffer of `numEnvs` lanes keeps each env's stream in its own ring
// of L = ceil(capacity / numEnvs) rows, interleaved: row = pos * numEnvs + env
// (so one vector-env step touches neighbouring rows, and the uniform sampler
// draws rows from one contiguous range without a division). Struct of
// arrays, one region each, reserved at creation:
//   obs      f32[rows * D]   the observation a transition starts from
//   actions  i32[rows]
//   rewards  f32[rows]       the raw reward while a row waits for its n-step
//                            return, then the return itself
//   flags    u8[rows]        k | done << 7 (REPLAY_FLAG_*); 0 = not sampleable
//   masks    u8[rows * M]    only in a buffer created with nActions: the legal
//                            actions of the row's observation when it is some
//                            transition's next observation, M = ceil(nActions / 8)
//                            bytes, bit-packed as BATCH_NEXT_MASKS (M B a row more)
//
// Next observations are not stored twice (Stable-Baselines3's
// `optimize_memory_usage`, done with care): the next observation of a row
// at `pos` with a k-step return is the obs of the row at `pos + k` in the same
// lane. An episode's final observation (terminated or truncated) takes a row
// of its own that is never sampled, a "gap"; so does the last next
// observation before any stream break (an add whose obs is not, bit for bit,
// the previous nextObs of that env). Bytes per transition, D = observationSize:
//   row = 4 D + 4 + 4 + 1 = REPLAY_ROW_BYTES_PER_OBS_FLOAT * D + REPLAY_ROW_FIXED_BYTES
//   CartPole (D = 4): 25 B a row; an episode of l steps spends l + 1 rows, so
//   25 (1 + 1/l) B a transition: 25.1 B at l = 200, 27.5 B at l = 10, 50 B
//   only for one-step episodes. (Storing nextObs beside obs would cost 41 B.)
// The trade-off: `capacity` counts rows, so a full buffer holds capacity minus
// one row per episode end in the window, minus the nSteps - 1 newest rows of
// each lane that still wait for their return.
//
// Prioritized replay adds a sum tree and a min tree, f64[2 P] each, P =
// capacity rounded up to a power of two: node 1 is the root, node i has
// children 2i and 2i + 1, leaf `row` is node P + row. Leaves hold
// (priority + epsilon)^alpha for sampleable rows, 0 (sum) and +Infinity (min)
// for the rest: 32 P / capacity B a row (33.5 B at capacity 10^6).
//
// Regions of one buffer, in planning order: header (REPLAY_HEADER_SLOTS
// slots), RNG state (16 B, xoshiro128**), lanes (i32[numEnvs * REPLAY_LANE_INTS]),
// discount table (f32[nSteps + 1], gamma^k), obs, actions, rewards, flags,
// [sum tree, min tree], the staged input of one add (obs, nextObs f32[numEnvs
// * D], actions i32[numEnvs], rewards f32[numEnvs], ends u8[numEnvs]),
// [staged priority updates: indices i32[maxBatch], leaves f64[maxBatch]], and
// the sampled batch, one region per array (its address map at RH_OUT).

/** Header slots of a replay buffer. Sizes first (written once by TS). */
export const RH_CAPACITY = 0; // rows = laneRows * numEnvs
export const RH_LANE_ROWS = 1;
export const RH_NUM_ENVS = 2;
export const RH_OBS_SIZE = 3;
export const RH_N_STEPS = 4;
export const RH_NEXT_STEP_AUTORESET = 5; // 1: drop each env's entry right after its episode end
export const RH_TREE_LEAVES = 6; // P; 0 for a uniform buffer
/** Counters the kernels keep. */
export const RH_SIZE = 7; // sampleable rows
export const RH_SPAN = 8; // the uniform sampler draws rows in [0, span)
/** f64 slots. */
export const RH_GAMMA = 9;
export const RH_BETA = 10; // written by TS whenever the agent anneals it
export const RH_MAX_LEAF = 11; // (max priority so far)^alpha, the leaf of new rows
/** Region addresses. */
export const RH_RNG = 12;
export const RH_LANES = 13;
export const RH_DISCOUNTS = 14;
export const RH_OBS = 15;
export const RH_ACTIONS = 16;
export const RH_REWARDS = 17;
export const RH_FLAGS = 18;
export const RH_SUM_TREE = 19;
export const RH_MIN_TREE = 20;
export const RH_IN_OBS = 21;
export const RH_IN_NEXT_OBS = 22;
export const RH_IN_ACTIONS = 23;
export const RH_IN_REWARDS = 24;
export const RH_IN_ENDS = 25;
export const RH_IN_INDICES = 26;
export const RH_IN_LEAVES = 27;
/** The sampled batch's address map (BATCH_SLOTS slots: slot RH_OUT + BATCH_OBS, ...). Its BATCH_NEXT_MASKS slot stays 0 until TS stages a first mask. */
export const RH_OUT = 28;
/** Masks (a buffer created with nActions; 0 otherwise): bytes a mask, the masks region, the staged next masks u8[numEnvs * M]. */
export const RH_MASK_BYTES = 37; // RH_OUT + BATCH_SLOTS
export const RH_MASKS = 38;
export const RH_IN_NEXT_MASKS = 39;
export const REPLAY_HEADER_SLOTS = 40;

/** Per-env lane state, i32s: the ring position of the lane's open row, its chain state, how many rows wait for their return, and whether the next entry is an autoreset step to drop. */
export const LANE_HEAD = 0;
export const LANE_CHAIN = 1;
export const LANE_PENDING = 2;
export const LANE_SKIP = 3;
export const REPLAY_LANE_INTS = 4;
/** LANE_CHAIN: the head row is unused; it holds the previous nextObs of a running episode; it holds an episode's final observation (a gap). */
export const CHAIN_NONE = 0;
export const CHAIN_OPEN = 1;
export const CHAIN_ENDED = 2;

/** flags byte: bits 0-6 the number k of rewards summed (0 = not sampleable), bit 7 done. */
export const REPLAY_FLAG_STEPS = 0x7f;
export const REPLAY_FLAG_DONE = 0x80;
/** Staged ends byte of one env. */
export const REPLAY_END_TERMINATED = 1;
export const REPLAY_END_TRUNCATED = 2;

/** Row cost: bytes per observation float, and the action + reward + flags bytes. */
export const REPLAY_ROW_BYTES_PER_OBS_FLOAT = 4;
export const REPLAY_ROW_FIXED_BYTES = 9;

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
// to output j, as in the canonical layout) at row stride LAYER_W_LD, then b
// [outPad], where xPad is x rounded up to a multiple of 4. LAYER_W_LD is
// outPad, plus 4 where outPad is a multiple of 64: rows 256·j bytes apart
// all start in the same few L1 cache sets, so kernels that read a narrow
// column slice of every row (the single-row forward pass, the batched
// products' register tiles) evict their own slices. Padded, 4-128-128-2
// takes single-observation actions 3% faster and batch-64 updates 7% faster
// (4-256-256-2: 4%). Padding rows, columns and bias entries are zero and
// stay zero (their gradients are exactly zero), so hidden outputs have zero
// padding columns and every row is a whole number of v128.
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

// Conv layers (netArch.conv) come first among the internal layers. A conv
// layer is a dense layer over im2col patches: its W is [inPad, ld] like any
// other, with LAYER_IN = k·k·inC rows, row (ky·k + kx)·inC + c, where inC is
// the input's channel stride as laid out (C for observations; the previous
// conv layer's outPad, its padding channels zero). One sample's patches are
// outH·outW rows of inPad floats (padding cells and columns zero); its output
// is outH·outW rows of outPad floats, [H', W', outPad] channels-last, which
// the next layer reads as one row of outH·outW·outPad floats (the dense layer
// after the convs has that many inputs, zero rows for padding channels).
// Forward: im2col, then gemmSplat over rows·outH·outW patch rows. Backward:
// dW = patchesᵀ·dY, db = column sums, and for a conv layer above another,
// dPatches = dY·Wᵀ scattered back (col2im) through the ReLU.

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
export const MLP_LR = 37; // f64 learning rate
export const MLP_BETA1 = 38; // f64
export const MLP_BETA2 = 39; // f64
export const MLP_EPS = 40; // f64
export const MLP_MAX_GRAD_NORM = 41; // f64; 0 = no clipping
export const MLP_COLS = 42; // address: the im2col patches of a forward pass that keeps no activations, and the patch gradients of the backward pass, [rows * max(outH * outW), max(kInPad)] (conv nets only)
export const MLP_HEADER_SLOTS = 43;

/** Layer table: slots per internal layer, starting at slot MLP_HEADER_SLOTS. */
export const LAYER_IN = 0; // inputs
export const LAYER_IN_PAD = 1; // inputs rounded up to 4: rows of W, and the row stride of the input (layer 0 reads observations at stride obsSize)
export const LAYER_OUT_PAD = 2; // outputs rounded up to 4: the length of b and the row stride of the outputs
export const LAYER_W = 3; // float offset of W in a parameter set
export const LAYER_B = 4; // float offset of b in a parameter set
export const LAYER_ACT = 5; // address: this layer's outputs in the training forward pass [rows, outPad] (training only)
export const LAYER_W_LD = 6; // row stride of W (floats): outPad, + 4 where outPad is a multiple of 64 (see above)
// Conv layers (0 in every slot below for a dense layer; see "Conv layers" above).
export const LAYER_KERNEL = 7; // kernel side k; 0: a dense layer
export const LAYER_STRIDE = 8;
export const LAYER_IN_H = 9;
export const LAYER_IN_W = 10;
export const LAYER_IN_C = 11; // channels of the input as laid out: C for observations, the previous conv layer's outPad
export const LAYER_OUT_H = 12;
export const LAYER_OUT_W = 13;
export const LAYER_PAD_TOP = 14;
export const LAYER_PAD_LEFT = 15;
export const LAYER_COLS = 16; // address: im2col patches of the training forward pass [rows * outH * outW, inPad] (training only)
export const MLP_LAYER_SLOTS = 17;

// ---------------------------------------------------------------------------
// Policy runtime (assembly/policy.ts; planned by src/policy/net.ts)
// ---------------------------------------------------------------------------
//
// The policy module (deepq/policy) is the MLP engine's forward pass alone, on
// the same header and layer table. An inference-only arena holds one network:
// the header with every training slot 0 (no target, gradient, Adam or
// activation regions: forward never reads them when it keeps no
// activations), the online parameters in the internal layout above, the
// forward pass's row buffers SCRATCH_A/B and Q_AUX and the SPARSE list for
// POLICY_ROWS rows, then the input observations f32[POLICY_ROWS * obsSize] and
// the output, i32[POLICY_ROWS] actions or f32[POLICY_ROWS * nActions]
// Q-values. A single action is one copy into the input and one call.

/** Rows per policy call: longer inputs (actBatch, qValues) run in chunks of this many observations. */
export const POLICY_ROWS = 64;
