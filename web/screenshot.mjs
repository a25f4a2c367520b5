#!/usr/bin/env node
// Runs the demo page once in headless Chromium, saves screenshots of the result at 1280 px and 390 px,
// and reruns the same configuration in Node through the built package to show both give the same
// numbers: `node web/screenshot.mjs [query] [out.png]` after `npm run build`. An empty query is the
// page's default run; then the run also becomes the page's precomputed example (web/public/example.json,
// shown on arrival before the visitor's own run). docs/browser.md's screenshots and numbers come from
// `node web/screenshot.mjs`.
import { spawn } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { runExperiment } from "../dist/src/api.js";

const [query = "", png = "docs/web-screenshot.png"] = process.argv.slice(2);
const phonePng = png.replace(/\.png$/, "-phone.png");
const server = spawn(process.execPath, ["web/serve.mjs"], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve) =>
  server.stdout.on("data", (c) => /http:\S+\/web\//.test(String(c)) && resolve(/http:\S+\/web\//.exec(String(c))[0])),
);
const browser = await chromium.launch({
  executablePath: process.env.FEATPURE_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
let fromBrowser;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await page.goto(`${url}${query ? `?${query}` : ""}`);
  await page.waitForFunction(() => !document.querySelector("#run").disabled);
  await page.click("#run");
  await page.waitForFunction(() => document.querySelector("#results")?.dataset.state === "done", null, { timeout: 600_000 });
  console.log(`Chromium ${browser.version()}: ${await page.textContent("#status")}\n  ${await page.evaluate(() => location.href)}`);
  await page.screenshot({ path: png, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  fromBrowser = JSON.parse(readFileSync(await download.path(), "utf8"));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: phonePng, fullPage: true });
  console.log(`screenshots: ${png} (1280 px), ${phonePng} (390 px)`);
} finally {
  await browser.close();
  server.kill();
}

if (query === "") {
  // Small enough to ship with the page: no per-neuron lists, and the heatmaps as one byte per cell
  // (each row scaled to its maximum, as the page draws them).
  const heatmaps = fromBrowser.arms.map((a) => {
    const rows = a.coefficients.map((r) => r.map(Math.abs));
    const bytes = Buffer.from(
      rows.flatMap((r) => {
        const max = Math.max(...r);
        return r.map((v) => (max > 0 ? Math.round((255 * v) / max) : 0));
      }),
    );
    return { arm: a.arm, step: fromBrowser.config.optim.steps, m: rows.length, D: rows[0].length, data: bytes.toString("base64") };
  });
  const result = { ...fromBrowser, arms: fromBrowser.arms.map(({ neurons, coefficients, ...rest }) => rest) };
  const file = "web/public/example.json";
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ result, heatmaps })}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(`example: ${file}`);
}

const t0 = performance.now();
const fromNode = await runExperiment(fromBrowser.config);
const numbers = (r) => JSON.stringify(r, (k, v) => (k === "timingsMs" ? undefined : v));
console.log(`Node ${process.version}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s on the ${fromNode.backend} backend`);
console.log(`same numbers in both (every field but timings): ${numbers(fromBrowser) === numbers(fromNode)}`);
for (const a of fromBrowser.arms) {
  const h = a.downstream.headline;
  console.log(
    `  ${a.arm}: top-1 purity ${a.purity?.top1.mean.toFixed(3) ?? "-"}, participation ${a.purity?.participation.mean.toFixed(1) ?? "-"}, ` +
      `pre-trained clean ${a.pretrained.clean}, ${a.pretrained.headline.norm} ${a.pretrained.headline.eps}: ${a.pretrained.headline.accuracy}; ` +
      `downstream clean ${a.downstream.clean}, ${h.norm} ${h.eps}: ${h.accuracy} (strong ${h.strongAccuracy}, transfer ${h.transferAccuracy})`,
  );
}
process.exitCode = numbers(fromBrowser) === numbers(fromNode) ? 0 : 1;
