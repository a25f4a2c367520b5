// What the demo page offers beyond a run: the precomputed example on arrival, the presets of the
// paper's claims, several seeds with their spread, runs side by side, and exports named by config.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { Download, Page } from "playwright-core";
import type { ExperimentResult } from "../../src/api.js";
import { PRESETS } from "../../web/presets.js";
import { configFromQuery, fileStem } from "../../web/settings.js";
import { downloadResult, openHarness, QUERY, ready, runOnPage, type Harness } from "./browser-harness.js";

const search = async (page: Page) => new URLSearchParams(await page.evaluate(() => location.search));

async function download(page: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = (await Promise.all([page.waitForEvent("download"), page.click(selector)])) as [Download, void];
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

describe("demo page features", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("shows the precomputed default run on arrival, which Run reproduces", async () => {
    const example = JSON.parse(readFileSync("web/public/example.json", "utf8")) as {
      result: ExperimentResult;
      heatmaps: { arm: string; m: number; D: number; data: string }[];
    };
    // The example is the page's default run on the default backend: pressing Run computes exactly it.
    expect(example.result.config).toEqual({ ...configFromQuery(new URLSearchParams()), backend: "relaxed" });
    expect(example.heatmaps.map((m) => [m.arm, Buffer.from(m.data, "base64").length])).toEqual(
      example.result.arms.map((a) => [a.arm, 100 * 200]),
    );
    const page = await h.browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(h.url);
    await ready(page);
    await page.waitForFunction(() => /Example/.test(document.querySelector("#shown-what")?.textContent ?? ""));
    expect(await page.$$eval("#summary tr", (rows) => rows.length)).toBe(9);
    expect(await page.locator("#acc-downstream polyline").count()).toBe(2);
    const adv = example.result.arms.find((a) => a.arm === "adv")!;
    expect(await page.textContent("#expected")).toContain(adv.downstream.headline.accuracy.toFixed(2));
    expect(await page.getAttribute("figure[data-arm=adv] canvas", "aria-label")).toMatch(/200 neurons by 100 features/);
    // The example is a run of the settings shown: no "settings differ" note.
    expect(await page.isHidden("#stale")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("sets each claim's preset in one click, as a link", async () => {
    const page = await h.browser.newPage();
    await page.goto(`${h.url}?${QUERY}`);
    await ready(page);
    for (const p of PRESETS) {
      await page.click(`button[data-preset="${p.id}"]`);
      const q = await search(page);
      expect(q.get("backend")).toBe("relaxed");
      q.delete("backend");
      expect(configFromQuery(q)).toEqual(configFromQuery(new URLSearchParams(p.query)));
      expect(await page.textContent("#status")).toContain(p.title);
      expect(await page.isEnabled("#run")).toBe(true);
      expect(p.claim.length).toBeGreaterThan(40);
    }
    await page.close();
  });

  it("runs several seeds with their spread, compares runs with their differences marked, and exports named files", async () => {
    const page = await h.browser.newPage({ acceptDownloads: true });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.goto(`${h.url}?${QUERY}&seeds=2`);
    await ready(page);
    expect(await page.inputValue("#seeds")).toBe("2");
    expect(await page.textContent("#cli")).toMatch(/^for s in 3 4; do npx featpure run .*--seed \$s/);
    await runOnPage(page);
    expect(await page.isVisible("#spread")).toBe(true);
    expect(await page.$$eval("#spread-table td", (cells) => cells.every((c) => /^\d+\.\d+ ± \d+\.\d+ \(/.test(c.textContent ?? "")))).toBe(
      true,
    );
    const csv = await download(page, "#download-csv");
    const { result: first } = await downloadResult(page);
    const stem = fileStem(first.config);
    expect(csv.name).toBe(`${stem}-2seeds.csv`);
    const lines = csv.bytes.toString("utf8").trim().split("\n");
    expect(lines[0]).toBe("seed,backend,arm,model,attack,norm,eps,accuracy");
    expect(new Set(lines.slice(1).map((l) => l.split(",")[0]))).toEqual(new Set(["3", "4"]));
    await page.click("#keep");

    const svg = await download(page, ".fig-export[data-fig=acc-downstream][data-format=svg]");
    expect(svg.name).toBe(`${stem}-acc-downstream.svg`);
    expect(svg.bytes.toString("utf8")).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg".*<polyline/s);
    const png = await download(page, ".fig-export[data-fig=histogram][data-format=png]");
    expect(png.name).toBe(`${stem}-histogram.png`);
    expect(png.bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    const heat = await download(page, ".fig-export[data-fig=adv][data-format=png]");
    expect(heat.name).toBe(`${stem}-adv.png`);
    await page.click("#copy-link");
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(configFromQuery(new URL(link).searchParams)).toEqual(first.config);

    await page.fill("#seeds", "1");
    await page.fill("input[name=width]", "20");
    await runOnPage(page);
    await page.click("#keep");
    const table = await page.$$eval("#compare-table tr", (rows) =>
      rows.map((r) => ({ marked: r.classList.contains("marked"), cells: [...r.children].map((c) => c.textContent) })),
    );
    expect(table[0].cells).toEqual(["", "run 1", "run 2"]);
    expect(table.filter((r) => r.marked).map((r) => r.cells)).toEqual([["--width", "16", "20"]]);
    expect(table.some((r) => r.cells[0] === "adversarial: downstream strong check")).toBe(true);
    expect(table.some((r) => r.cells[0] === "adversarial: downstream transfer")).toBe(true);
    await page.close();
  });
});
