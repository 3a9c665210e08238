/**
 * Action masks: which actions are legal in a state, one byte per action
 * (nonzero = legal), as an env gives them in `info.actionMask` or
 * `env.actionMask()` and a game passes them to `act`, `predict` and
 * `observe`. Greedy choices take the argmax over legal actions; exploring
 * choices draw uniformly among them.
 */
import { InvalidArgumentError } from "./errors.ts";
import type { Rng } from "./runtime/rng.ts";

/**
 * Checks a mask of `nActions` entries (0/1 or booleans) and returns it as a
 * Uint8Array of 0/1. `allowNone` accepts a mask with no legal action (the
 * final state of a terminated episode, whose mask the TD target ignores).
 */
export function checkMask(name: string, value: unknown, nActions: number, allowNone = false): Uint8Array {
  const ok = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  const v = value as ArrayLike<unknown>;
  if (!ok || v.length !== nActions) throw new InvalidArgumentError(name, value, `a Uint8Array of ${nActions} entries (one per action: 1 legal, 0 illegal)`);
  const out = new Uint8Array(nActions);
  let legal = 0;
  for (let a = 0; a < nActions; a++) {
    const x = v[a];
    if (x === 1 || x === true) out[a] = 1;
    else if (x !== 0 && x !== false) throw new InvalidArgumentError(`${name}[${a}]`, x, "1 (legal), 0 (illegal), true or false");
    legal += out[a]!;
  }
  if (legal === 0 && !allowNone) throw new InvalidArgumentError(name, value, `a mask with at least one legal action (a 1 among its ${nActions} entries)`);
  return out;
}

/** Checks `rows` masks side by side (a vector env's, [rows, nActions] flat) into `out`. */
export function checkMaskRows(name: string, value: unknown, nActions: number, rows: number, out: Uint8Array, allowNone?: (row: number) => boolean): void {
  const ok = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!ok || (value as ArrayLike<unknown>).length !== rows * nActions) {
    throw new InvalidArgumentError(name, value, `a Uint8Array of ${rows * nActions} entries (${rows} envs x ${nActions} actions: 1 legal, 0 illegal)`);
  }
  const v = value as ArrayLike<unknown>;
  for (let r = 0; r < rows; r++) {
    const row = Array.prototype.slice.call(v, r * nActions, (r + 1) * nActions);
    out.set(checkMask(rows === 1 ? name : `${name} (env ${r})`, row, nActions, allowNone?.(r) ?? false), r * nActions);
  }
}

/** A uniformly random legal action of the mask row at `offset` (which has at least one). */
export function randomLegal(rng: Rng, mask: Uint8Array, offset: number, nActions: number): number {
  let legal = 0;
  for (let a = 0; a < nActions; a++) legal += mask[offset + a]!;
  let k = rng.int(legal);
  for (let a = 0; a < nActions; a++) if (mask[offset + a] && k-- === 0) return a;
  throw new Error("unreachable: the mask has a legal action");
}

/** Argmax of row `row` of Q-values over the legal actions of its mask row (ties: the lowest index). */
export function argmaxLegal(q: ArrayLike<number>, row: number, nActions: number, mask: Uint8Array): number {
  const at = row * nActions;
  let best = -1;
  for (let a = 0; a < nActions; a++) if (mask[at + a] && (best < 0 || q[at + a]! > q[at + best]!)) best = a;
  return best;
}

/** Bytes of one bit-packed mask: bit a of byte a >> 3 (least significant first) is action a. */
export function packedMaskBytes(nActions: number): number {
  return (nActions + 7) >> 3;
}

/** Packs `rows` byte masks ([rows, nActions]) into `out` ([rows, packedMaskBytes]). */
export function packMasks(masks: Uint8Array, nActions: number, rows: number, out: Uint8Array): void {
  const bytes = packedMaskBytes(nActions);
  out.fill(0, 0, rows * bytes);
  for (let r = 0; r < rows; r++) for (let a = 0; a < nActions; a++) if (masks[r * nActions + a]) out[r * bytes + (a >> 3)]! |= 1 << (a & 7);
}
