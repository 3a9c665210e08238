import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { TFJS_GRADIENTS, TFJS_KERNELS, TFJS_KERNELS_NOT_ON_WASM } from "../src/runtime/tfjs-kernels.ts";

const require = createRequire(import.meta.url);
const pkgDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

describe("src/runtime/tfjs-kernels.ts", () => {
  it("is plain data (the build evaluates it on its own)", () => {
    const text = readFileSync(new URL("../src/runtime/tfjs-kernels.ts", import.meta.url), "utf8");
    expect(text).not.toMatch(/^\s*import\s/m);
    expect(new Set([...TFJS_KERNELS, ...TFJS_KERNELS_NOT_ON_WASM]).size).toBe(TFJS_KERNELS.length + TFJS_KERNELS_NOT_ON_WASM.length);
    expect(new Set(TFJS_GRADIENTS).size).toBe(TFJS_GRADIENTS.length);
  });

  it.each(["wasm", "webgpu", "cpu"])("every listed kernel exists in tfjs-backend-%s", (backend) => {
    const dir = join(pkgDir(`@tensorflow/tfjs-backend-${backend}`), "dist", "kernels");
    const listed = backend === "wasm" ? TFJS_KERNELS : [...TFJS_KERNELS, ...TFJS_KERNELS_NOT_ON_WASM];
    expect(listed.filter((k) => !existsSync(join(dir, `${k}.js`)))).toEqual([]);
  });

  it("every listed gradient exists in tfjs-core", () => {
    const dir = join(pkgDir("@tensorflow/tfjs-core"), "dist", "gradients");
    expect(TFJS_GRADIENTS.filter((k) => !existsSync(join(dir, `${k}_grad.js`)))).toEqual([]);
  });
});
