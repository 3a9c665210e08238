import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Lets Node 20 compile the relaxed-SIMD build, which tests run explicitly.
    setupFiles: ["test/support/relaxed-simd.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The suite is CPU-bound; two workers match CI's two cores.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
