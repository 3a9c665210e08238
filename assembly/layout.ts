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
