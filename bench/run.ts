/**
 * `npm run bench [-- filter...]`: runs every bench/*.bench.ts (or those whose
 * name contains a filter), prints one table and writes bench/results.json.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cpus } from "node:os";
// Before any bench compiles deepq's module: every bench then runs the relaxed-SIMD build, as
// Node 22+, browsers, Deno and Bun do (Node 20 validates it only behind a flag).
import "../test/support/relaxed-simd.ts";
import type { BenchRow } from "./harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const fmt = (v: number) => (Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : Math.abs(v) >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(v < 10 ? 2 : 0));

const rows: BenchRow[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<BenchRow[]> };
  process.stderr.write(`bench: ${file} ...\n`);
  const got = await mod.default();
  rows.push(...got);
  for (const r of got) {
    const ratio = r.ratio === undefined ? "" : `  x${r.ratio.toFixed(2)} vs ${r.ratioOf}`;
    const target = r.target === undefined ? "" : `  [${r.pass ? "ok" : "MISS"} ${r.target}]`;
    console.log(`${r.suite.padEnd(8)} ${r.name.padEnd(52)} ${fmt(r.value).padStart(10)} ${r.unit}${ratio}${target}`);
  }
}
const out = join(here, "results.json");
writeFileSync(
  out,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, rows }, null, 2) + "\n",
);
console.log(`\n${rows.length} rows, ${rows.filter((r) => r.pass === false).length} targets missed; wrote ${out}`);
