#!/usr/bin/env node
// `npm run docs`: regenerates the documentation's marked blocks and figures from the committed JSON.
// `npm run docs -- --check` only lists what is stale, with exit code 1 when anything is.
import { staleDocs, writeDocs } from "./generate.js";

const root = process.cwd();
if (process.argv.includes("--check")) {
  const stale = await staleDocs(root);
  for (const s of stale) {
    console.log(`stale: ${s.file}${s.blocks.length ? ` (${s.blocks.join(", ")})` : ""}`);
    for (const e of s.errors) console.log(`  cannot generate ${e}`);
  }
  console.log(stale.length ? "run npm run docs to regenerate" : "documentation is up to date");
  process.exitCode = stale.length ? 1 : 0;
} else {
  const { written, errors } = await writeDocs(root);
  console.log(written.length ? `rewrote ${written.join(", ")}` : "nothing to rewrite");
  for (const e of errors) console.error(`cannot generate ${e}`);
  process.exitCode = errors.length ? 1 : 0;
}
