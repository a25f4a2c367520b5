// Shared by the browser tests: web/serve.mjs on a free port, Debian's Chromium through playwright-core,
// and the page's run button driven to completion.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";
import type { ExperimentResult } from "../../src/api.js";

export const CHROMIUM = process.env.FEATPURE_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = new URL("../../.artifacts/", import.meta.url).pathname;
/** Tiny sizes: both arms, the whole pipeline, in well under a second of compute. No backend: the page's default. */
export const QUERY =
  "seed=3&dim=12&width=16&sparsity=2&steps=40&batch=32&n-down=200&n-eval=100&eps-l2=0.1,0.5,1&eps-linf=0.05,0.1" +
  "&strong-steps=10&strong-restarts=1&log-every=10";

export interface Harness {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Starts web/serve.mjs on a free port; resolves with the page's URL. */
function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["web/serve.mjs"], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk;
      const m = /http:\/\/127\.0\.0\.1:\d+\/web\//.exec(out);
      if (m) resolve({ child, url: m[0] });
    });
    child.on("exit", (code) => reject(new Error(`web/serve.mjs exited with ${code}: ${out}`)));
  });
}

export async function openHarness(): Promise<Harness> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it) or FEATPURE_CHROMIUM=/path/to/chromium`,
    );
  }
  if (!existsSync("dist/web/index.html") || !existsSync("dist/browser/featpure.js"))
    throw new Error("dist/web or dist/browser missing: run `npm run build`");
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  return {
    url: server.url,
    browser,
    async close() {
      await browser.close();
      server.child.kill();
    },
  };
}

/** The numbers of a result: everything but wall-clock timings. */
export function numbers(r: ExperimentResult): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === "timingsMs" ? undefined : v)));
}

export async function waitIdle(page: Page, timeout = 45_000): Promise<void> {
  await page.waitForFunction(() => document.querySelector<HTMLElement>("#results")?.dataset.state !== "running", null, { timeout });
}

/** Waits until Run can be pressed (the page has loaded its kernels and its settings are good). */
export function ready(page: Page): Promise<unknown> {
  return page.waitForFunction(() => !document.querySelector<HTMLButtonElement>("#run")!.disabled);
}

/** Clicks Run and waits for the end; the run must succeed on the given backend. */
export async function runOnPage(page: Page, backend = "relaxed", timeout = 45_000): Promise<void> {
  await page.click("#run");
  await waitIdle(page, timeout);
  expect(await page.textContent("#status")).toMatch(new RegExp(`^Done in .* on the ${backend} backend`));
}

/** The result JSON the page's download button gives. */
export async function downloadResult(page: Page): Promise<{ name: string; result: ExperimentResult }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  return { name: download.suggestedFilename(), result: JSON.parse(readFileSync((await download.path())!, "utf8")) as ExperimentResult };
}
