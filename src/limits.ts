/**
 * Size bounds every layer checks against, defined once (sanity bounds on
 * input; engine limits such as FUSED_LIMITS sit within them).
 */

/** Largest observation size, action count or hidden width. */
export const MAX_WIDTH = 65536;
/** Most transitions per update on any engine (the fused engine's activation buffers bound it). */
export const MAX_BATCH_SIZE = 4096;
