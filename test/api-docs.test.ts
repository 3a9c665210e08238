/**
 * The API reference (`npm run docs`, TypeDoc over src/index.ts) builds
 * without a warning: every public type's properties are documented, every
 * type they reference is exported, every {@link} resolves. A new export
 * without docs fails here, not in a reader's browser.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

it("npm run docs builds the API reference with no warnings", () => {
  const out = mkdtempSync(join(tmpdir(), "deepq-api-"));
  try {
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typedoc", "bin", "typedoc"), "--treatWarningsAsErrors", "--out", out], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    const warnings = `${r.stdout}${r.stderr}`.split("\n").filter((l) => /\[(warning|error)\]/.test(l));
    expect(warnings).toEqual([]);
    expect(r.status).toBe(0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
