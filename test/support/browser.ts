/**
 * Launching Debian's Chromium (found by test/runtimes/harness.ts
 * `findRuntime("chromium")`) through playwright-core, headless, with the
 * flags every browser test uses: no sandbox (CI containers), no network
 * side traffic.
 */
import type { Browser } from "playwright-core";

export const CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export async function launchChromium(executablePath: string, extraFlags: string[] = []): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS, ...extraFlags], timeout: 60_000 });
}
