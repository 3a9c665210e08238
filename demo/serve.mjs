#!/usr/bin/env node
// `npm run demo`: serves the demo pages and the built bundle on 127.0.0.1.
// Options: --port <n> (default 8080; 0 picks a free one). The Snake page's
// game (examples/snake, TypeScript) is bundled on request with esbuild, a
// devDependency, with "deepq" left to the page's /dist/deepq.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SERVED = ["demo", "dist"].map((d) => join(ROOT, d) + sep);
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".svg": "image/svg+xml" };

if (!existsSync(join(ROOT, "dist", "deepq.mjs"))) {
  console.log("dist/deepq.mjs is missing: building it first (npm run build)");
  if (spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit", shell: process.platform === "win32" }).status !== 0) process.exit(1);
}

const i = process.argv.indexOf("--port");
const port = Number(i > 0 ? process.argv[i + 1] : (process.env.PORT ?? 8080));

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  if (path === "/" || path === "/demo") {
    res.writeHead(302, { location: "/demo/" });
    return res.end();
  }
  if (path === "/demo/snake-game.mjs") return void snakeGame().then(
    (code) => {
      res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      res.end(code);
    },
    (e) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
    },
  );
  const file = normalize(join(ROOT, path.endsWith("/") ? `${path}index.html` : path));
  if (!SERVED.some((d) => file.startsWith(d)) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
  res.end(readFileSync(file));
});

/** examples/snake/browser.ts as one ES module that imports deepq from /dist/deepq.mjs (the same module instance the page and the worker load). */
async function snakeGame() {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [join(ROOT, "examples", "snake", "browser.ts")],
    bundle: true,
    format: "esm",
    write: false,
    plugins: [{ name: "deepq-from-dist", setup: (b) => b.onResolve({ filter: /^deepq$/ }, () => ({ path: "/dist/deepq.mjs", external: true })) }],
  });
  return out.outputFiles[0].text;
}

server.listen(port, "127.0.0.1", () => {
  console.log(`deepq demo: http://127.0.0.1:${server.address().port}/demo/  (Ctrl+C to stop)`);
});
