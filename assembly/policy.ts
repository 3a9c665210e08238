/**
 * Entry of the inference-only policy module (deepq/policy, src/policy.ts):
 * the fused engine's forward-pass entry points alone, re-exported under the
 * same names, so the module is a few kilobytes and a subset of deepq's full
 * module (which src/index.ts's loadPolicy runs on). Built on its own by
 * scripts/build-wasm.mjs, with and without relaxed SIMD like the full
 * module; layout: assembly/layout.ts, "Policy runtime".
 */
export { mlpGreedy, mlpQValues } from "./mlp";
