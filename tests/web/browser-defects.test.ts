// The demo page's defects of issue 21, one test each, against Debian's Chromium: mode switches that
// leak settings, a double-clicked Stop, results that lose their config, shared links with one bad
// parameter, the digits, the backend of a shared link, and the progress, accessibility, layout and
// file-name details.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { readFileSync } from "node:fs";
import { runExperiment, type ExperimentResult } from "../../src/api.js";
import { configFromQuery } from "../../web/settings.js";
import { downloadResult, numbers, openHarness, QUERY, ready, runOnPage, waitIdle, type Harness } from "./browser-harness.js";

const LONG = QUERY.replace("steps=40", "steps=10000000");
// location, not page.url(): Playwright learns of history.replaceState asynchronously.
const param = (page: Page, name: string) => page.evaluate((n) => new URLSearchParams(location.search).get(n), name);
const PINNED = `${QUERY}&backend=relaxed`;

describe("demo page defects", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("1. switching the mode and back applies the mode's defaults as the CLI does, leaking nothing", async () => {
    const page = await h.browser.newPage({ acceptDownloads: true });
    await page.goto(`${h.url}?${QUERY}`);
    await ready(page);
    await page.selectOption("select[name=mode]", "contrastive");
    expect(await param(page, "mode")).toBe("contrastive");
    // Contrastive mode's own defaults (threshold 0.3, fixed, init std 0.1) are not settings of the link.
    for (const flag of ["threshold", "train-threshold", "init-std"]) expect(await param(page, flag)).toBeNull();
    expect(await page.textContent("#cli")).not.toMatch(/--threshold|--init-std|--train-threshold/);
    await page.selectOption("select[name=mode]", "supervised");
    for (const flag of ["mode", "threshold", "train-threshold", "init-std"]) expect(await param(page, flag)).toBeNull();
    expect(await page.textContent("#cli")).not.toMatch(/--threshold|--init-std|--train-threshold|--mode/);
    await runOnPage(page);
    const { result } = await downloadResult(page);
    expect(result.config).toEqual(configFromQuery(new URLSearchParams(PINNED)));
    expect(result.config.model).toMatchObject({ thresholdInit: 0, initStd: configFromQuery(new URLSearchParams()).model.initStd });
    await page.close();
  });

  it("2. a double-clicked Stop does not kill the next run", async () => {
    const page = await h.browser.newPage();
    await page.goto(`${h.url}?${LONG}`);
    await page.click("#run");
    await page.waitForFunction(() => /pre-training step [1-9]/.test(document.querySelector("#status")?.textContent ?? ""));
    await page.dblclick("#stop");
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#results")?.dataset.state !== "running", null, {
      timeout: 5_000,
    });
    await page.click("#run");
    await page.waitForTimeout(1_600);
    expect(await page.getAttribute("#results", "data-state")).toBe("running");
    expect(await page.textContent("#status")).not.toMatch(/Stopped/);
    await page.click("#stop");
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#results")?.dataset.state !== "running", null, {
      timeout: 5_000,
    });
    await page.close();
  });

  it("3. results carry the config that produced them when the settings change during a run", async () => {
    const page = await h.browser.newPage({ acceptDownloads: true });
    await page.goto(`${h.url}?${QUERY.replace("steps=40", "steps=1500")}`);
    await page.click("#run");
    await page.waitForFunction(() => /pre-training step [1-9]/.test(document.querySelector("#status")?.textContent ?? ""));
    await page.fill("input[name=width]", "20");
    expect(await param(page, "width")).toBe("20");
    await waitIdle(page);
    expect(await page.textContent("#status")).toMatch(/^Done/);
    const { result } = await downloadResult(page);
    expect(result.config.model.width).toBe(16);
    const shown = await page.evaluate(() => ({
      cli: document.querySelector("#result-cli")?.textContent ?? null,
      link: document.querySelector<HTMLAnchorElement>("#result-link")?.href ?? null,
      stale: document.querySelector<HTMLElement>("#stale")?.hidden ?? null,
    }));
    expect(shown.cli).toMatch(/--width 16\b/);
    expect(new URL(shown.link!).searchParams.get("width")).toBe("16");
    expect(configFromQuery(new URL(shown.link!).searchParams)).toEqual(result.config);
    expect(shown.stale).toBe(false);
    // Back to the settings of the results: the note goes.
    await page.fill("input[name=width]", "16");
    expect(await page.isHidden("#stale")).toBe(true);
    await page.close();
  });

  it("4. a shared link with one bad parameter keeps the others, shows the bad one in its field and disables Run", async () => {
    const page = await h.browser.newPage();
    await page.goto(`${h.url}?${QUERY}&width=0`);
    expect(await page.inputValue("input[name=width]")).toBe("0");
    expect(await page.getAttribute("input[name=width]", "class")).toMatch(/invalid/);
    expect(await page.inputValue("input[name=dim]")).toBe("12");
    expect(await page.inputValue("input[name=seed]")).toBe("3");
    expect(await page.textContent("#errors")).toMatch(/width: must be an integer in \[1, 65536\], got 0/);
    expect(await page.isDisabled("#run")).toBe(true);
    expect(await param(page, "width")).toBe("0"); // the link is not rewritten behind the visitor's back
    await page.fill("input[name=width]", "16");
    expect(await page.isEnabled("#run")).toBe(true);
    expect(await page.textContent("#errors")).toBe("");

    // A setting that cannot change the result is taken, with the CLI's warning.
    await page.goto(`${h.url}?${QUERY}&train=clean&eps=0.3`);
    await ready(page);
    expect(await page.textContent("#warnings")).toMatch(/^eps has no effect: only the clean arm trains/);

    await page.goto(`${h.url}?${QUERY}&colour=red`);
    expect(await page.textContent("#errors")).toMatch(/colour: unknown/);
    expect(await page.inputValue("input[name=width]")).toBe("16");
    expect(await page.isDisabled("#run")).toBe(true);
    // Hex, or anything else the CLI would not read as a decimal number, is refused in its field.
    await page.goto(`${h.url}?${QUERY}&eps=0x10`);
    expect(await page.getAttribute("input[name=eps]", "class")).toMatch(/invalid/);
    expect(await page.textContent("#errors")).toMatch(/eps: /);
    expect(await page.isDisabled("#run")).toBe(true);
    await page.close();
  });

  it("5. the digits run in the browser with the Node numbers", async () => {
    const page = await h.browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const query =
      "data=mnist&seed=2&width=16&steps=20&batch=32&n-down=200&n-eval=100&mnist-n-pretrain=500&eps-l2=0.5&eps-linf=0.1" +
      "&strong-steps=5&strong-restarts=1&log-every=10";
    await page.goto(`${h.url}?${query}`);
    await runOnPage(page, "relaxed", 90_000);
    const { result } = await downloadResult(page);
    expect(result.config.data.source).toBe("mnist");
    expect(result.config).toEqual(configFromQuery(new URLSearchParams(`${query}&backend=relaxed`)));
    const fromNode = await runExperiment(result.config);
    expect(numbers(result)).toEqual(numbers(fromNode));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("6-7. the default run pins its backend everywhere, equals Node, and reports progress and status accessibly", async () => {
    const page = await h.browser.newPage({ acceptDownloads: true });
    await page.goto(h.url);
    await ready(page);
    expect(await param(page, "backend")).toBe("relaxed");
    expect(await page.textContent("#cli")).toMatch(/--backend relaxed\b/);
    expect(await page.textContent("#env")).toMatch(/backend relaxed/);
    // Every change of a live region's text, and the bar against the clock.
    await page.evaluate(() => {
      const w = window as unknown as { announced: string[]; bar: [number, number][] };
      w.announced = [];
      w.bar = [];
      for (const e of document.querySelectorAll("[role=status], [aria-live]")) {
        new MutationObserver(() => w.announced.push(e.textContent ?? "")).observe(e, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      }
      const bar = document.querySelector<HTMLProgressElement>("#progress")!;
      const t0 = performance.now();
      const tick = () => {
        w.bar.push([performance.now() - t0, bar.value]);
        if (document.querySelector<HTMLElement>("#results")!.dataset.state !== "done") setTimeout(tick, 50);
      };
      setTimeout(tick, 0);
    });
    await runOnPage(page, "relaxed", 120_000);
    expect(await page.textContent("#status")).toMatch(/kernel thread/);
    const { result } = await downloadResult(page);
    expect(result.backend).toBe("relaxed");
    expect(result.config.backend).toBe("relaxed");
    // The page's default run is the CLI's `featpure run` with the page's lighter evaluation, on the default backend.
    const shownQuery = await page.evaluate(() => location.search);
    expect(result.config).toEqual(configFromQuery(new URLSearchParams(shownQuery)));
    // The library's own default on Node, no backend named: the same build, the same numbers.
    const { backend: _pinned, ...unpinned } = result.config;
    const fromNode = await runExperiment(unpinned);
    expect(fromNode.backend).toBe("relaxed");
    expect(numbers(result)).toEqual(numbers(fromNode));
    // The page's precomputed example is this run: "Run gives these numbers, bit for bit" holds.
    const example = JSON.parse(readFileSync("web/public/example.json", "utf8")) as { result: ExperimentResult };
    const trimmed = { ...result, arms: result.arms.map(({ neurons: _n, coefficients: _c, ...rest }) => rest) };
    expect(numbers(example.result)).toEqual(numbers(trimmed as ExperimentResult));

    const { announced, bar } = await page.evaluate(() => {
      const w = window as unknown as { announced: string[]; bar: [number, number][] };
      return { announced: w.announced, bar: w.bar };
    });
    const total = bar[bar.length - 1][0];
    expect(announced.length).toBeLessThan(Math.max(12, total / 1000));
    // The bar passes one half near the middle of the run: the phases are weighted by their cost.
    const half = bar.find(([, v]) => v >= 0.5)![0];
    expect(half / total).toBeGreaterThan(0.35);
    expect(half / total).toBeLessThan(0.65);
    expect(await page.getAttribute("#progress", "aria-valuetext")).toMatch(/%/);
    for (const arm of ["clean", "adv"]) expect(await page.getAttribute(`figure[data-arm=${arm}] canvas`, "aria-label")).toMatch(/neurons/);
    await page.close();
  });

  it("7. a phone shows every column of the table; downloads are named by their config", async () => {
    const page = await h.browser.newPage({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      acceptDownloads: true,
    });
    await page.goto(`${h.url}?${QUERY}`);
    await runOnPage(page);
    const right = await page.$$eval("#summary th, #summary td", (cells) => Math.max(...cells.map((c) => c.getBoundingClientRect().right)));
    expect(right).toBeLessThanOrEqual(390);
    const first = await downloadResult(page);
    await page.fill("input[name=width]", "20");
    await runOnPage(page);
    const second = await downloadResult(page);
    expect(second.name).not.toBe(first.name);
    expect(first.name).toMatch(/seed3/);
    await page.close();
  });
});
