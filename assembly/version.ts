/** Layout version of the module, checked by the TS loader against assembly/layout.ts. */
import { STATIC_BYTES } from "./layout";

/** Called once per arena by tests and the loader: where static data ends. */
export function heapBase(): i32 {
  return <i32>__heap_base;
}

/** The STATIC_BYTES the module was compiled against. */
export function staticBytes(): i32 {
  return STATIC_BYTES;
}
