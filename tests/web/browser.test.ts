// The demo page in a real browser: Debian's Chromium, headless, driven by playwright-core. A small
// run through the page's form and worker must give the same numbers, bit for bit, as runExperiment
// in Node for the same seed, configuration and backend (same WASM, same PRNG, same arithmetic).
// Screenshots go to .artifacts/ (desktop and phone size). No test names a backend: the page pins its default.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExperiment, SCHEMA } from "../../src/api.js";
import { ARTIFACTS, downloadResult, numbers, openHarness, QUERY, ready, runOnPage, type Harness } from "./browser-harness.js";

describe("demo page in headless Chromium", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("runs an experiment and gives the Node numbers bit for bit", async () => {
    const page = await h.browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${h.url}?${QUERY}`);
    await ready(page);
    expect(await page.textContent("#env")).toContain("cross-origin isolated: yes");
    // The mode selector is built from the schema, so new modes appear by themselves.
    expect(await page.$$eval("select[name=mode] option", (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual([
      ...SCHEMA.mode.values,
    ]);
    expect(await page.inputValue("input[name=width]")).toBe("16");

    // Every redraw of the clean heatmap's caption, to see it evolve while training runs.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { captions: string[] }).captions = seen;
      const caption = document.querySelector("figure[data-arm=clean] .step")!;
      new MutationObserver(() => seen.push(caption.textContent ?? "")).observe(caption, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await runOnPage(page);
    expect(await page.evaluate(() => (window as unknown as { captions: string[] }).captions.filter((c) => c !== ""))).toEqual([
      "· step 1",
      "· step 10",
      "· step 20",
      "· step 30",
      "· step 40",
    ]);
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
    // Two arms in each accuracy chart, two series of bars, a summary column per arm.
    expect(await page.locator("#acc-pretrained polyline").count()).toBe(2);
    expect(await page.locator("#acc-downstream polyline").count()).toBe(2);
    expect(await page.locator("#histogram rect").count()).toBeGreaterThan(2 * 10);
    expect(await page.$$eval("#summary tr", (rows) => rows.map((r) => r.children.length))).toEqual(Array(9).fill(3));
    await page.screenshot({ path: `${ARTIFACTS}browser-demo.png`, fullPage: true });

    const { result: fromBrowser } = await downloadResult(page);
    const fromNode = await runExperiment(fromBrowser.config);
    expect(fromBrowser.backend).toBe("relaxed");
    expect(fromBrowser.arms.map((a) => a.arm)).toEqual(["clean", "adv"]);
    expect(numbers(fromBrowser)).toEqual(numbers(fromNode));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs on two kernel threads (nested Web Workers on shared memory) with the one-thread numbers", async () => {
    const page = await h.browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const query = `${QUERY}&threads=2`;
    await page.goto(`${h.url}?${query}`);
    await ready(page);
    // The page is cross-origin isolated, so the threads control is on the form.
    expect(await page.inputValue("#fields input[name=threads]")).toBe("2");
    await runOnPage(page);
    expect(await page.textContent("#status")).toMatch(/2 kernel threads/);
    const { result: threaded } = await downloadResult(page);
    expect(threaded.config.threads).toBe(2);
    const oneThread = await runExperiment({ ...threaded.config, threads: 1 });
    expect(numbers({ ...threaded, config: { ...threaded.config, threads: 1 } })).toEqual(numbers(oneThread));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("stops a long run through the AbortSignal", async () => {
    const page = await h.browser.newPage();
    await page.goto(`${h.url}?${QUERY.replace("steps=40", "steps=10000000")}`);
    await page.click("#run");
    await page.waitForFunction(() => /pre-training step [1-9]/.test(document.querySelector("#status")?.textContent ?? ""));
    await page.click("#stop");
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#results")?.dataset.state !== "running", null, {
      timeout: 5_000,
    });
    expect(await page.textContent("#status")).toBe("Stopped."); // not "Stopped (worker ended).": the signal did it
    expect(await page.isEnabled("#run")).toBe(true);
    // The worker survived the stop (the flag, not terminate(), ended the run): a new run works at once.
    await page.fill("input[name=steps]", "20");
    await runOnPage(page);
    await page.close();
  });

  it("fits a phone-sized screen and keeps the settings in the URL", async () => {
    const page = await h.browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.goto(`${h.url}?${QUERY}`);
    await ready(page);
    await page.fill("input[name=eps]", "0.3");
    await page.selectOption("select[name=norm]", "linf");
    const search = new URLSearchParams(await page.evaluate(() => location.search));
    expect(search.get("eps")).toBe("0.3");
    expect(search.get("norm")).toBe("linf");
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
