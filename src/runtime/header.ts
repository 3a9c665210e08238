/**
 * The one TypeScript writer and reader of header slots (assembly/layout.ts,
 * "Headers"), the twin of assembly/lib/header.ts: 8-byte slots, integer
 * slots an i64 (every value here a non-negative size, counter or address
 * below 2^32, so the low word holds it and the high word is 0), float slots
 * an f64. Slot indices come from layout.ts.
 */
import { SLOT } from "../../assembly/layout.ts";

export class Header {
  readonly #words: Uint32Array;
  readonly #floats: Float64Array;

  /** The `slots` slots at byte address `address` of `buffer` (an arena's memory). */
  constructor(buffer: ArrayBuffer, readonly address: number, slots: number) {
    this.#words = new Uint32Array(buffer, address, (slots * SLOT) / 4);
    this.#floats = new Float64Array(buffer, address, slots);
  }

  int(slot: number): number {
    return this.#words[2 * slot]!;
  }
  setInt(slot: number, value: number): void {
    this.#words[2 * slot] = value;
    this.#words[2 * slot + 1] = 0;
  }
  float(slot: number): number {
    return this.#floats[slot]!;
  }
  setFloat(slot: number, value: number): void {
    this.#floats[slot] = value;
  }
  /** Sets integer slots from [slot, value] pairs. */
  setInts(entries: Iterable<readonly [slot: number, value: number]>): void {
    for (const [slot, value] of entries) this.setInt(slot, value);
  }
  /** Byte address of `slot`: where a kernel reads a struct that begins there (a batch address map). */
  at(slot: number): number {
    return this.address + slot * SLOT;
  }
}
