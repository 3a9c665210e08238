/**
 * Experience replay in linear memory: inserting a vector-env step (with
 * n-step returns folded in per env), uniform and prioritized sampling into the
 * fixed batch regions, and priority updates. Everything is addressed through
 * a buffer's header (slot indices and the row layout: assembly/layout.ts).
 * test/oracles/replay-reference.ts is the plain-TS twin: same rows, same RNG draws,
 * same samples. The fused training engine can call {@link sampleBatch} from
 * its own kernels to sample without returning to JS.
 */
import {
  SLOT,
  RH_CAPACITY, RH_LANE_ROWS, RH_NUM_ENVS, RH_OBS_SIZE, RH_N_STEPS, RH_NEXT_STEP_AUTORESET, RH_TREE_LEAVES,
  RH_SIZE, RH_SPAN, RH_GAMMA, RH_BETA, RH_MAX_LEAF,
  RH_RNG, RH_LANES, RH_DISCOUNTS, RH_OBS, RH_ACTIONS, RH_REWARDS, RH_FLAGS, RH_SUM_TREE, RH_MIN_TREE,
  RH_IN_OBS, RH_IN_NEXT_OBS, RH_IN_ACTIONS, RH_IN_REWARDS, RH_IN_ENDS, RH_IN_INDICES, RH_IN_LEAVES,
  RH_MASK_BYTES, RH_MASKS, RH_IN_NEXT_MASKS,
  RH_OUT, BATCH_NEXT_MASKS, BATCH_OBS, BATCH_ACTIONS, BATCH_REWARDS, BATCH_NEXT_OBS, BATCH_DONES, BATCH_DISCOUNTS, BATCH_WEIGHTS, BATCH_INDICES,
  LANE_HEAD, LANE_CHAIN, LANE_PENDING, LANE_SKIP, REPLAY_LANE_INTS, CHAIN_OPEN, CHAIN_ENDED,
  REPLAY_FLAG_STEPS, REPLAY_FLAG_DONE, REPLAY_END_TERMINATED,
} from "../layout";
import { rngNextDouble, rngNextU32 } from "./rng";
import { treeFind, treeRoot, treeSet } from "./sumtree";
import { setSlotI, slotA, slotF, slotI } from "./header";


@inline function at32(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}
@inline function laneInt(lane: usize, field: i32): i32 {
  return load<i32>(at32(lane, field));
}
@inline function setLaneInt(lane: usize, field: i32, value: i32): void {
  store<i32>(at32(lane, field), value);
}

/** Ring position `pos + by` of a lane of `laneRows` rows, for |by| < laneRows. */
@inline function wrap(pos: i32, by: i32, laneRows: i32): i32 {
  const p = pos + by;
  return p < 0 ? p + laneRows : p >= laneRows ? p - laneRows : p;
}

/**
 * Copies one observation of `d` floats. With T = v128, 16 bytes at a time
 * (rows need no alignment: wasm SIMD loads and stores accept any address),
 * then the remainder one float at a time; with T = f32, the scalar twin.
 * A CartPole row is exactly one v128, and skipping the loops for it is worth
 * about a nanosecond a sampled row.
 */
@inline function copyObs<T>(src: usize, dst: usize, d: i32): void {
  let j = 0;
  if (isVector<T>()) {
    if (d == 4) {
      v128.store(dst, v128.load(src));
      return;
    }
    for (; j + 4 <= d; j += 4) v128.store(at32(dst, j), v128.load(at32(src, j)));
  }
  for (; j < d; j++) store<f32>(at32(dst, j), load<f32>(at32(src, j)));
}

/** Whether two observations have the same bits (so a row can hold both). */
@inline function sameObs(a: usize, b: usize, d: i32): bool {
  for (let j = 0; j < d; j++) if (load<u32>(at32(a, j)) != load<u32>(at32(b, j))) return false;
  return true;
}

/**
 * A uniform row in [0, n) from one 32-bit draw (Lemire 2019, "Fast random
 * integer generation in an interval"): the high word of draw * n, redrawing
 * the rare draws that would bias it. Exactly uniform, and half the draws of
 * rngInt's 53-bit double (drawing was about half of a sample's time). Twin:
 * `rowBelow` in test/oracles/replay-reference.ts.
 */
@inline function rowBelow(rng: usize, n: u32): i32 {
  let m = <u64>rngNextU32(rng) * <u64>n;
  if (<u32>m < n) {
    const threshold = (<u32>0 - n) % n; // 2^32 mod n
    while (<u32>m < threshold) m = <u64>rngNextU32(rng) * <u64>n;
  }
  return <i32>(m >>> 32);
}

/** Sets the priority leaf of `row` (a no-op in a uniform buffer). */
@inline function setLeaf(h: usize, row: i32, sum: f64, min: f64): void {
  const leaves = slotI(h, RH_TREE_LEAVES);
  if (leaves != 0) treeSet(slotA(h, RH_SUM_TREE), slotA(h, RH_MIN_TREE), leaves, row, sum, min);
}

/**
 * Takes the row at ring position `pos` of lane `env` for a new observation:
 * whatever transition it held leaves the buffer. Rows are taken in ring
 * order, so the taken row is the lane's oldest and no live row's next
 * observation lies in it.
 */
function claimRow(h: usize, pos: i32, env: i32): i32 {
  const numEnvs = slotI(h, RH_NUM_ENVS);
  const row = pos * numEnvs + env;
  const flags = slotA(h, RH_FLAGS) + <usize>row;
  if (load<u8>(flags) != 0) {
    store<u8>(flags, 0);
    setSlotI(h, RH_SIZE, slotI(h, RH_SIZE) - 1);
    setLeaf(h, row, 0, Infinity);
  }
  const end = (pos + 1) * numEnvs;
  if (end > slotI(h, RH_SPAN)) setSlotI(h, RH_SPAN, end);
  return row;
}

/**
 * Makes the row at `pos` of lane `env` a sampleable k-step transition: its
 * reward becomes r_0 + gamma r_1 + ... + gamma^(k-1) r_(k-1), summed in f64
 * from the newest reward back (the rows after it still hold raw rewards).
 */
function finalizeRow(h: usize, pos: i32, env: i32, k: i32, done: bool): void {
  const numEnvs = slotI(h, RH_NUM_ENVS);
  const laneRows = slotI(h, RH_LANE_ROWS);
  const rewards = slotA(h, RH_REWARDS);
  const gamma = slotF(h, RH_GAMMA);
  let p = wrap(pos, k - 1, laneRows);
  let ret = <f64>load<f32>(at32(rewards, p * numEnvs + env));
  for (let i = k - 2; i >= 0; i--) {
    p = wrap(p, -1, laneRows);
    ret = <f64>load<f32>(at32(rewards, p * numEnvs + env)) + gamma * ret;
  }
  const row = pos * numEnvs + env;
  store<f32>(at32(rewards, row), <f32>ret);
  store<u8>(slotA(h, RH_FLAGS) + <usize>row, <u8>(k | (done ? REPLAY_FLAG_DONE : 0)));
  setSlotI(h, RH_SIZE, slotI(h, RH_SIZE) + 1);
  const maxLeaf = slotF(h, RH_MAX_LEAF);
  setLeaf(h, row, maxLeaf, maxLeaf);
}

/** Ends a lane's window of `count` waiting rows whose newest is at `newest`: each sums what it has. */
function finalizeWindow(h: usize, env: i32, newest: i32, count: i32, done: bool): void {
  const laneRows = slotI(h, RH_LANE_ROWS);
  for (let j = 0; j < count; j++) finalizeRow(h, wrap(newest, j - count + 1, laneRows), env, count - j, done);
}

/** Inserts env `env`'s staged entry of the current vector-env step. */
function addEntry(h: usize, env: i32): void {
  const lane = slotA(h, RH_LANES) + (<usize>(env * REPLAY_LANE_INTS) << 2);
  if (laneInt(lane, LANE_SKIP) != 0) {
    // Gymnasium's next-step autoreset: this entry only reset the env.
    setLaneInt(lane, LANE_SKIP, 0);
    return;
  }
  const numEnvs = slotI(h, RH_NUM_ENVS);
  const laneRows = slotI(h, RH_LANE_ROWS);
  const d = slotI(h, RH_OBS_SIZE);
  const nSteps = slotI(h, RH_N_STEPS);
  const obs = slotA(h, RH_OBS);
  const inObs = slotA(h, RH_IN_OBS) + (<usize>(env * d) << 2);
  let head = laneInt(lane, LANE_HEAD);
  let chain = laneInt(lane, LANE_CHAIN);
  let pending = laneInt(lane, LANE_PENDING);

  if (chain == CHAIN_OPEN && !sameObs(inObs, at32(obs, (head * numEnvs + env) * d), d)) {
    // The stream broke without an episode end: the waiting rows bootstrap
    // from the last nextObs (as at a truncation), which becomes a gap.
    finalizeWindow(h, env, wrap(head, -1, laneRows), pending, false);
    pending = 0;
    chain = CHAIN_ENDED;
  }
  if (chain == CHAIN_ENDED) head = wrap(head, 1, laneRows);
  // An open chain means the head row already holds this obs (the previous nextObs).
  const row = chain == CHAIN_OPEN ? head * numEnvs + env : claimRow(h, head, env);
  if (chain != CHAIN_OPEN) copyObs<f32>(inObs, at32(obs, row * d), d);
  store<i32>(at32(slotA(h, RH_ACTIONS), row), load<i32>(at32(slotA(h, RH_IN_ACTIONS), env)));
  store<f32>(at32(slotA(h, RH_REWARDS), row), load<f32>(at32(slotA(h, RH_IN_REWARDS), env)));
  pending++;

  const next = wrap(head, 1, laneRows);
  const nextRow = claimRow(h, next, env);
  copyObs<f32>(slotA(h, RH_IN_NEXT_OBS) + (<usize>(env * d) << 2), at32(obs, nextRow * d), d);
  const maskBytes = slotI(h, RH_MASK_BYTES);
  if (maskBytes != 0) {
    memory.copy(slotA(h, RH_MASKS) + <usize>(nextRow * maskBytes), slotA(h, RH_IN_NEXT_MASKS) + <usize>(env * maskBytes), <usize>maskBytes);
  }

  const ends = <i32>load<u8>(slotA(h, RH_IN_ENDS) + <usize>env);
  if (ends != 0) {
    finalizeWindow(h, env, head, pending, (ends & REPLAY_END_TERMINATED) != 0);
    pending = 0;
    chain = CHAIN_ENDED;
    setLaneInt(lane, LANE_SKIP, slotI(h, RH_NEXT_STEP_AUTORESET));
  } else {
    chain = CHAIN_OPEN;
    if (pending == nSteps) {
      finalizeRow(h, wrap(head, 1 - nSteps, laneRows), env, nSteps, false);
      pending--;
    }
  }
  setLaneInt(lane, LANE_HEAD, next);
  setLaneInt(lane, LANE_CHAIN, chain);
  setLaneInt(lane, LANE_PENDING, pending);
}

/**
 * Inserts one staged vector-env step (numEnvs entries). Caller:
 * ReplayBuffer.add / addBatch, once per env step, after validating the input.
 */
export function addStaged(h: usize): void {
  const numEnvs = slotI(h, RH_NUM_ENVS);
  for (let env = 0; env < numEnvs; env++) addEntry(h, env);
}

/**
 * Samples `batch` rows with replacement into the batch regions (with the
 * next observation's mask, once the buffer holds masks): uniformly
 * (rejection over the rows in [0, span), so gaps and rows still waiting for
 * their return are never drawn), or, with trees, one proportional draw per
 * stratum of the total priority with importance weights
 * (P(i) / P_min)^-beta = (leaf_min / leaf_i)^beta. Observation rows move with
 * v128 loads and stores (T = v128) or floats (T = f32, the scalar twin).
 * Caller: ReplayBuffer.sample (one call per training batch), or an engine
 * kernel. Requires at least one sampleable row.
 */
export function sampleBatch<T>(h: usize, batch: i32): void {
  const d = slotI(h, RH_OBS_SIZE);
  const capacity = slotI(h, RH_CAPACITY);
  const numEnvs = slotI(h, RH_NUM_ENVS);
  const span = slotI(h, RH_SPAN);
  const rng = slotA(h, RH_RNG);
  const obs = slotA(h, RH_OBS);
  const actions = slotA(h, RH_ACTIONS);
  const rewards = slotA(h, RH_REWARDS);
  const flags = slotA(h, RH_FLAGS);
  const discounts = slotA(h, RH_DISCOUNTS);
  const outObs = slotA(h, RH_OUT + BATCH_OBS);
  const outActions = slotA(h, RH_OUT + BATCH_ACTIONS);
  const outRewards = slotA(h, RH_OUT + BATCH_REWARDS);
  const outNextObs = slotA(h, RH_OUT + BATCH_NEXT_OBS);
  const outDones = slotA(h, RH_OUT + BATCH_DONES);
  const outDiscounts = slotA(h, RH_OUT + BATCH_DISCOUNTS);
  const outWeights = slotA(h, RH_OUT + BATCH_WEIGHTS);
  const outIndices = slotA(h, RH_OUT + BATCH_INDICES);
  const outMasks = slotA(h, RH_OUT + BATCH_NEXT_MASKS); // 0 until the buffer holds masks
  const maskBytes = <usize>slotI(h, RH_MASK_BYTES);
  const masks = slotA(h, RH_MASKS);
  const leaves = slotI(h, RH_TREE_LEAVES);
  const sumTree = slotA(h, RH_SUM_TREE);
  const stratum = leaves != 0 ? treeRoot(sumTree) / <f64>batch : 0;
  const minLeaf = leaves != 0 ? treeRoot(slotA(h, RH_MIN_TREE)) : 0;
  const beta = slotF(h, RH_BETA);

  // Draw every row into the indices output, then gather them: one loop
  // chooses (RNG, rejection or tree descent), the other only moves data.
  for (let i = 0; i < batch; i++) {
    let row: i32;
    let weight: f32 = 1;
    if (leaves != 0) {
      row = treeFind(sumTree, leaves, (<f64>i + rngNextDouble(rng)) * stratum);
      weight = <f32>Math.pow(minLeaf / load<f64>(sumTree + (<usize>(leaves + row) << 3)), beta);
    } else {
      do row = rowBelow(rng, span);
      while (load<u8>(flags + <usize>row) == 0);
    }
    store<i32>(at32(outIndices, i), row);
    store<f32>(at32(outWeights, i), weight);
  }
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < batch; i++) {
    const row = load<i32>(at32(outIndices, i));
    const f = <i32>load<u8>(flags + <usize>row);
    const k = f & REPLAY_FLAG_STEPS;
    let next = row + k * numEnvs;
    if (next >= capacity) next -= capacity;
    copyObs<T>(obs + <usize>row * rowBytes, outObs + <usize>i * rowBytes, d);
    copyObs<T>(obs + <usize>next * rowBytes, outNextObs + <usize>i * rowBytes, d);
    store<i32>(at32(outActions, i), load<i32>(at32(actions, row)));
    store<f32>(at32(outRewards, i), load<f32>(at32(rewards, row)));
    store<f32>(at32(outDones, i), (f & REPLAY_FLAG_DONE) != 0 ? 1 : 0);
    store<f32>(at32(outDiscounts, i), load<f32>(at32(discounts, k)));
    if (outMasks != 0) memory.copy(outMasks + <usize>i * maskBytes, masks + <usize>next * maskBytes, maskBytes);
  }
}

/**
 * Applies `count` staged priority updates (row indices and leaf values
 * (priority + epsilon)^alpha, computed in TS). Rows that stopped being
 * sampleable since they were drawn (overwritten into gaps, or waiting rows)
 * keep their zero leaf. Caller: PrioritizedReplayBuffer.updatePriorities,
 * once per training batch.
 */
export function updateStaged(h: usize, count: i32): void {
  const flags = slotA(h, RH_FLAGS);
  const indices = slotA(h, RH_IN_INDICES);
  const values = slotA(h, RH_IN_LEAVES);
  for (let j = 0; j < count; j++) {
    const row = load<i32>(at32(indices, j));
    if (load<u8>(flags + <usize>row) == 0) continue;
    const leaf = load<f64>(values + (<usize>j << 3));
    setLeaf(h, row, leaf, leaf);
  }
}
