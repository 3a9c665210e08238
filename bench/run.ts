/**
 * `npm run bench [-- filter...]`: runs every bench/*.bench.ts (or those whose
 * name contains a filter), prints one table and writes bench/results.json:
 * the rows, with the machine, the runtimes, the date and the commit they
 * were measured on. A suite of harness.ts's NAMED_ONLY (a training study of
 * CPU hours) runs only when a filter is its exact name:
 * `npm run bench -- minatar`.
 *
 * `npm run bench -- --readme [--note "..."]` runs every suite but those, then also
 * copies results.json to bench/readme-results.json (committed) and
 * regenerates README.md's performance table from it (bench/readme.ts).
 */
import { readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
// Before any bench compiles deepq's module: every bench then runs the relaxed-SIMD build, as
// Node 22+, browsers, Deno and Bun do (Node 20 validates it only behind a flag).
import "../test/support/relaxed-simd.ts";
import { selectSuites, type BenchRow } from "./harness.ts";
import { jsRuntime, runMeta } from "./meta.ts";
import { README, README_RESULTS, writeReadmeTable, type BenchResults } from "./readme.ts";
import { torchVersion } from "./torch.ts";

const here = dirname(fileURLToPath(import.meta.url));
const { values: flags, positionals: filters } = parseArgs({ allowPositionals: true, options: { readme: { type: "boolean" }, note: { type: "string" } } });
if (flags.readme && filters.length > 0) throw new Error("--readme takes every suite: the README's table comes from one full run");
const files = selectSuites(readdirSync(here), filters);

const fmt = (v: number) => (Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : Math.abs(v) >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(v < 10 ? 2 : 0));

const started = performance.now();
const rows: BenchRow[] = [];
const suiteSeconds: Record<string, number> = {};
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<BenchRow[]> };
  process.stderr.write(`bench: ${file} ...\n`);
  const suiteStart = performance.now();
  const got = await mod.default();
  suiteSeconds[file.replace(/\.bench\.ts$/, "")] = Math.round((performance.now() - suiteStart) / 1000);
  rows.push(...got);
  for (const r of got) {
    const value = r.unavailable ? `[${r.unavailable}]` : `${fmt(r.value).padStart(10)} ${r.unit}`;
    const ratio = r.ratio === undefined ? "" : `  x${r.ratio.toFixed(2)} vs ${r.ratioOf}`;
    const target = r.target === undefined ? "" : `  [${r.pass ? "ok" : "MISS"} ${r.target}]`;
    console.log(`${r.suite.padEnd(8)} ${r.name.padEnd(52)} ${value}${ratio}${target}`);
  }
}
const { machine, ...when } = runMeta();
const results: BenchResults = {
  // dirty: uncommitted changes to tracked files, the figures are not exactly the commit's.
  ...when,
  ...(flags.note && { note: flags.note }),
  command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...(flags.readme ? ["--readme"] : []), ...filters] : [])].join(" "),
  seconds: Math.round((performance.now() - started) / 1000),
  suiteSeconds,
  machine,
  runtimes: { ...jsRuntime(), pytorch: torchVersion() },
  suites: files.map((f) => f.replace(/\.bench\.ts$/, "")),
  rows,
};
const out = join(here, "results.json");
writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
console.log(`\n${rows.length} rows, ${rows.filter((r) => r.pass === false).length} targets missed in ${results.seconds} s; wrote ${out}`);
if (flags.readme) {
  writeReadmeTable(out);
  console.log(`copied it to ${README_RESULTS} and regenerated the performance table of ${README}`);
}
