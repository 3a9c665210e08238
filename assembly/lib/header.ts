/**
 * Reading and writing header slots (assembly/layout.ts, "Headers"): 8 bytes
 * each, an i64 for sizes, counters and addresses (every one fits an i32 or a
 * usize here) or an f64. Shared by every kernel that takes a header address.
 */
import { SLOT } from "../layout";

/** Integer slot. */
@inline export function slotI(h: usize, slot: i32): i32 {
  return <i32>load<i64>(h + <usize>slot * SLOT);
}
@inline export function setSlotI(h: usize, slot: i32, value: i32): void {
  store<i64>(h + <usize>slot * SLOT, <i64>value);
}
/** Address slot. */
@inline export function slotA(h: usize, slot: i32): usize {
  return <usize>load<i64>(h + <usize>slot * SLOT);
}
/** Float slot. */
@inline export function slotF(h: usize, slot: i32): f64 {
  return load<f64>(h + <usize>slot * SLOT);
}
