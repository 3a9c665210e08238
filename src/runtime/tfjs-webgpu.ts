/**
 * tfjs's WebGPU backend and its kernels, imported only by `loadBackend("webgpu")`
 * (src/runtime/tfjs.ts) with a dynamic `import()`, so dist/deepq.mjs has it
 * as a lazy chunk (dist/deepq-webgpu.mjs, beside the tfjs chunks) that a page
 * downloads only when it asks for WebGPU. (The classic-script, workerd, edge and CLI builds
 * inline it.)
 */
export { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
