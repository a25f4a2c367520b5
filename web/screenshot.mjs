#!/usr/bin/env node
// Runs the demo page once in headless Chromium, saves a screenshot of the result, and reruns the same
// configuration in Node through the built package to show both give the same numbers:
// `node web/screenshot.mjs [query] [out.png]` after `npm run build`. An empty query is the page's
// default settings, which is how docs/web-screenshot.png was made.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { runExperiment } from "../dist/src/api.js";

const [query = "", png = "docs/web-screenshot.png"] = process.argv.slice(2);
const server = spawn(process.execPath, ["web/serve.mjs"], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve) => server.stdout.on("data", (c) => /http:\S+\/web\//.test(String(c)) && resolve(/http:\S+\/web\//.exec(String(c))[0])));
const browser = await chromium.launch({ executablePath: process.env.FEATPURE_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
let fromBrowser;
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${url}${query ? `?${query}` : ""}`);
  await page.click("#run");
  await page.waitForFunction(() => document.querySelector("#results")?.dataset.state !== "running", null, { timeout: 600_000 });
  console.log(`Chromium ${browser.version()}: ${await page.textContent("#status")}\n  ${page.url()}`);
  await page.screenshot({ path: png, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  fromBrowser = JSON.parse(readFileSync(await download.path(), "utf8"));
} finally {
  await browser.close();
  server.kill();
}
const t0 = performance.now();
const fromNode = await runExperiment(fromBrowser.config);
const numbers = (r) => JSON.stringify(r, (k, v) => (k === "timingsMs" ? undefined : v));
console.log(`Node ${process.version}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s on the ${fromNode.backend} backend`);
console.log(`same numbers in both (every field but timings): ${numbers(fromBrowser) === numbers(fromNode)}`);
for (const a of fromBrowser.arms) {
  console.log(`  ${a.arm}: top-1 purity ${a.purity.top1.mean.toFixed(3)}, participation ${a.purity.participation.mean.toFixed(1)}, downstream clean ${a.downstream.clean}, ` +
    `${a.downstream.headline.norm} ${a.downstream.headline.eps}: ${a.downstream.headline.accuracy}`);
}
process.exitCode = numbers(fromBrowser) === numbers(fromNode) ? 0 : 1;
