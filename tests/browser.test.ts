// The demo page in a real browser: Debian's Chromium, headless, driven by playwright-core. A small
// run through the page's form and worker must give the same numbers, bit for bit, as runExperiment
// in Node for the same seed, configuration and backend (same WASM, same PRNG, same arithmetic).
// Screenshots go to .artifacts/ (desktop and phone size).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { runExperiment, SCHEMA, type ExperimentResult } from "../src/api.js";
import { configFromQuery } from "../web/settings.js";

const CHROMIUM = process.env.FEATPURE_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = new URL("../.artifacts/", import.meta.url).pathname;
// Tiny sizes: both arms, the whole pipeline, in well under a second of compute.
const QUERY = "seed=3&dim=12&width=16&sparsity=2&steps=40&batch=32&n-down=200&n-eval=100&eps-l2=0.1,0.5,1&eps-linf=0.05,0.1" +
  "&strong-steps=10&strong-restarts=1&log-every=10&backend=simd";

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

/** The numbers of a result: everything but wall-clock timings. */
function numbers(r: ExperimentResult): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === "timingsMs" ? undefined : v)));
}

async function runOnPage(page: Page): Promise<void> {
  await page.click("#run");
  await page.waitForFunction(() => document.querySelector<HTMLElement>("#results")?.dataset.state !== "running", null, { timeout: 45_000 });
  expect(await page.textContent("#status")).toMatch(/^Done in .* on the simd backend\.$/);
}

describe("demo page in headless Chromium", () => {
  let server: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it) or FEATPURE_CHROMIUM=/path/to/chromium`);
    }
    if (!existsSync("dist/web/index.html") || !existsSync("dist/browser/featpure.js")) throw new Error("dist/web or dist/browser missing: run `npm run build`");
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
  });

  it("runs an experiment and gives the Node numbers bit for bit", async () => {
    const page = await browser!.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server!.url}?${QUERY}`);
    expect(await page.textContent("#env")).toContain("cross-origin isolated: yes");
    // The mode selector is built from the schema, so new modes appear by themselves.
    expect(await page.$$eval("select[name=mode] option", (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual([...SCHEMA.mode.values]);
    expect(await page.inputValue("input[name=width]")).toBe("16");

    // Every redraw of the clean heatmap's caption, to see it evolve while training runs.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { captions: string[] }).captions = seen;
      const caption = document.querySelector("figure[data-arm=clean] .step")!;
      new MutationObserver(() => seen.push(caption.textContent ?? "")).observe(caption, { childList: true, characterData: true, subtree: true });
    });
    await runOnPage(page);
    expect(await page.evaluate(() => (window as unknown as { captions: string[] }).captions.filter((c) => c !== ""))).toEqual(
      ["· step 1", "· step 10", "· step 20", "· step 30", "· step 40"]);
    // Heatmaps drawn from the last snapshot of each arm, one pixel per (neuron, feature).
    expect(await page.$$eval("figure .step", (s) => s.map((e) => e.textContent))).toEqual(["· step 40", "· step 40"]);
    const canvas = await page.$eval("figure[data-arm=adv] canvas", (c) => {
      const cv = c as HTMLCanvasElement;
      const px = cv.getContext("2d")!.getImageData(0, 0, cv.width, cv.height).data;
      return { w: cv.width, h: cv.height, distinct: new Set(Array.from({ length: px.length / 4 }, (_, i) => px[4 * i])).size };
    });
    expect(canvas.w).toBe(12);
    expect(canvas.h).toBe(16);
    expect(canvas.distinct).toBeGreaterThan(5);
    // Two arms in each accuracy chart, two series of bars, a summary row per arm.
    expect(await page.locator("#acc-pretrained polyline").count()).toBe(2);
    expect(await page.locator("#acc-downstream polyline").count()).toBe(2);
    expect(await page.locator("#histogram rect").count()).toBeGreaterThan(2 * 10);
    expect(await page.locator("#summary tr").count()).toBe(3);
    await page.screenshot({ path: `${ARTIFACTS}browser-demo.png`, fullPage: true });

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const fromBrowser = JSON.parse(readFileSync((await download.path())!, "utf8")) as ExperimentResult;
    const fromNode = await runExperiment(configFromQuery(new URLSearchParams(QUERY)));
    expect(fromBrowser.backend).toBe("simd");
    expect(fromBrowser.arms.map((a) => a.arm)).toEqual(["clean", "adv"]);
    expect(numbers(fromBrowser)).toEqual(numbers(fromNode));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs on two kernel threads (nested Web Workers on shared memory) with the one-thread numbers", async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const query = `${QUERY}&threads=2`;
    await page.goto(`${server!.url}?${query}`);
    await runOnPage(page);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const threaded = JSON.parse(readFileSync((await download.path())!, "utf8")) as ExperimentResult;
    expect(threaded.config.threads).toBe(2);
    const oneThread = await runExperiment(configFromQuery(new URLSearchParams(QUERY)));
    expect(numbers({ ...threaded, config: { ...threaded.config, threads: 1 } })).toEqual(numbers(oneThread));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("stops a long run through the AbortSignal", async () => {
    const page = await browser!.newPage();
    await page.goto(`${server!.url}?${QUERY.replace("steps=40", "steps=10000000")}`);
    await page.click("#run");
    await page.waitForFunction(() => /pre-training step [1-9]/.test(document.querySelector("#status")?.textContent ?? ""));
    await page.click("#stop");
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#results")?.dataset.state === "idle", null, { timeout: 5_000 });
    expect(await page.textContent("#status")).toBe("Stopped."); // not "Stopped (worker ended).": the signal did it
    expect(await page.isEnabled("#run")).toBe(true);
    // The worker survived the stop (the flag, not terminate(), ended the run): a new run works at once.
    await page.fill("input[name=steps]", "20");
    await runOnPage(page);
    await page.close();
  });

  it("fits a phone-sized screen and keeps the settings in the URL", async () => {
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.goto(`${server!.url}?${QUERY}`);
    await page.fill("input[name=eps]", "0.3");
    await page.selectOption("select[name=norm]", "linf");
    expect(new URL(page.url()).searchParams.get("eps")).toBe("0.3");
    expect(new URL(page.url()).searchParams.get("norm")).toBe("linf");
    await page.fill("input[name=width]", "0");
    expect(await page.textContent("#errors")).toContain("width: must be an integer in [1, 65536], got 0");
    expect(await page.isDisabled("#run")).toBe(true);
    await page.fill("input[name=width]", "16");
    await runOnPage(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${ARTIFACTS}browser-demo-phone.png`, fullPage: true });
    await page.close();
  });
});
