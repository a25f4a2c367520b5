import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import type { ExperimentResult } from "../../src/api.js";
import {
  heatmapFigure,
  renderSvg,
  reportFigures,
  robustVsEpsFigure,
  significantFeaturesFigure,
  sweepFigure,
  trainingCurvesFigure,
} from "../../src/report/figures.js";
import { sweptNumericFields, varyingFields } from "../../src/report/aggregate.js";
import { renderHtml } from "../../src/report/html.js";
import { coefficientMatrix } from "../../src/metrics/purity.js";
import { makeDictionary } from "../../src/data/dictionary.js";
import { Rng } from "../../src/rng.js";
import { armSummary, paperLikeLines, resultLine } from "./report-fixtures.js";

/** Items drawn by the marks of one role (vega writes each mark group as <g class="mark-TYPE role-mark ...">). */
function markGroups(svg: string, type: string): string[] {
  return [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, "gs"))].map((m) => m[1]);
}

function expectSvg(svg: string): void {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  expect(svg).toMatch(/viewBox="0 0 \d+(\.\d+)? \d+(\.\d+)?"/);
}

function fullResult(seed: number, pure: boolean): ExperimentResult {
  const D = 6;
  const arm = (name: "clean" | "adv", isPure: boolean) => {
    const coefficients = Array.from({ length: 4 }, (_, j) =>
      Array.from({ length: D }, (_, i) => (isPure ? (i === (j * 2) % D ? 1 : 0.01) : 0.5 + 0.1 * ((i + j) % 3))),
    );
    const neurons = coefficients.map((c, j) => ({
      norm: 1 + j,
      top1: 0,
      participation: 0,
      outsideTopR: 0,
      cosLabel: 0,
      significant: 1,
      topFeature: c.indexOf(Math.max(...c)),
      live: true,
    }));
    return {
      ...armSummary(name, { purity: 0.5, participation: 3, preClean: 1, preRobust: 1, downClean: 1, downRobust: 1 }),
      neurons,
      coefficients,
    };
  };
  return {
    version: "0.1.0",
    config: resolveConfig({ seed }),
    backend: "simd",
    arms: [arm("clean", false), arm("adv", pure)],
    timingsMs: { total: 1 },
  };
}

describe("coefficient matrix for the heatmaps", () => {
  it("holds c_j = M^T w_j for every neuron (atoms are the rows of `atoms`, d values each)", () => {
    const d = 5;
    const D = 7;
    const m = 3;
    const dict = makeDictionary("overcomplete", d, D, new Rng(4).fork("dict"));
    const W = Float32Array.from({ length: m * d }, (_, k) => Math.sin(k + 1));
    const C = coefficientMatrix(W, m, dict);
    expect(C).toHaveLength(m);
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < D; i++) {
        let c = 0;
        for (let r = 0; r < d; r++) c += dict.atoms[i * d + r] * W[j * d + r];
        expect(C[j][i]).toBeCloseTo(c, 12);
      }
    }
    const identity = coefficientMatrix(W, m, makeDictionary("identity", d, d, new Rng(1)));
    expect(identity.flat()).toEqual(Array.from(W));
    expect(() => coefficientMatrix(W, m + 1, dict)).toThrow(/W must be m x d/);
  });
});

describe("figures", () => {
  it("robust accuracy against eps: one line per arm and panel, with bands", async () => {
    const svg = await renderSvg(robustVsEpsFigure(paperLikeLines(3)).spec);
    expectSvg(svg);
    for (const panel of ["pre-trained, l2", "pre-trained, linf", "downstream, l2", "downstream, linf"]) expect(svg).toContain(panel);
    expect(markGroups(svg, "line")).toHaveLength(4 * 2); // one line per panel and arm
    expect(markGroups(svg, "area").length).toBeGreaterThan(0);
    expect(svg).toContain(">clean<");
    expect(svg).toContain(">adv<");
  });

  it("histogram of significant features: one bar per bin and arm", async () => {
    const lines = paperLikeLines(2);
    const svg = await renderSvg(significantFeaturesFigure(lines).spec);
    expectSvg(svg);
    const bars =
      markGroups(svg, "rect")
        .join("")
        .match(/<path /g) ?? [];
    expect(bars).toHaveLength(4 * 2);
    expect(svg).toContain(">4+<");
  });

  it("heatmap of |M^T w|: pure neurons draw one cell each, dense ones many", async () => {
    const fig = heatmapFigure([fullResult(1, true)])!;
    const values = (fig.spec as { data: { values: { arm: string }[] } }).data.values;
    expect(values.filter((r) => r.arm === "adv")).toHaveLength(4); // below the floor is left out
    expect(values.filter((r) => r.arm === "clean")).toHaveLength(4 * 6);
    const svg = await renderSvg(fig.spec);
    expectSvg(svg);
    expect(svg.indexOf("supervised, clean (seed 1)")).toBeGreaterThan(0);
    expect(svg.indexOf("supervised, clean (seed 1)")).toBeLessThan(svg.indexOf("supervised, adv (seed 1)")); // clean on the left
    expect(
      (
        markGroups(svg, "rect")
          .join("")
          .match(/<path /g) ?? []
      ).length,
    ).toBe(4 + 24);
    expect(heatmapFigure([{ ...fullResult(1, true), arms: fullResult(1, true).arms.map(({ coefficients: _c, ...a }) => a) }])).toBeNull();
  });

  it("training curves and sweeps over a numeric field", async () => {
    const lines = [0.1, 0.3].flatMap((eps) =>
      paperLikeLines(2).map((l) => resultLine(l.seed, armNumbers(), armNumbers(), { adv: { eps } })),
    );
    expect(varyingFields(lines)).toEqual(["adv.eps"]);
    expect(sweptNumericFields(lines)).toEqual(["adv.eps"]);
    const lists = [[0.1], [0.1, 0.2]].map((epsL2, i) => resultLine(1, armNumbers(), armNumbers(), { eval: { epsL2 }, seed: i + 1 }));
    expect(varyingFields(lists)).toEqual(["eval.epsL2"]);
    expect(sweptNumericFields(lists)).toEqual([]);
    const sweep = sweepFigure(lines, "adv.eps")!;
    expect(sweep.name).toBe("sweep-adv-eps");
    const svg = await renderSvg(sweep.spec);
    expectSvg(svg);
    expect(svg).toContain("top-1 purity");
    expect(markGroups(svg, "line")).toHaveLength(4 * 2); // 4 metrics x 2 arms
    expectSvg(await renderSvg(trainingCurvesFigure(lines).spec));
    expect(reportFigures(lines, []).map((f) => f.name)).toEqual([
      "robust-accuracy-vs-eps",
      "significant-features",
      "sweep-adv-eps",
      "training-curves",
    ]);
  });

  it("the HTML report inlines the SVGs and escapes text", async () => {
    const svg = await renderSvg(robustVsEpsFigure(paperLikeLines(2)).spec);
    const html = renderHtml({
      title: "a < b",
      intro: ["x & y"],
      tables: [{ title: "T", head: ["h"], rows: [["<c>"]] }],
      figures: [{ title: "F", caption: "cap", svg }],
    });
    expect(html).toContain("<title>a &lt; b</title>");
    expect(html).toContain("<td>&lt;c&gt;</td>");
    expect(html).toContain(svg);
    expect(html).not.toMatch(/<script|<link|src="/);
    expect(html).not.toContain("<details>");
    const withConfig = renderHtml({ title: "t", intro: [], tables: [], figures: [], config: { seed: 3 } });
    expect(withConfig).toContain("<details><summary>Configuration of the first cell");
    expect(withConfig).toContain("&quot;seed&quot;: 3");
  });
});

function armNumbers() {
  return { purity: 0.4, participation: 10, preClean: 0.9, preRobust: 0.6, downClean: 0.9, downRobust: 0.5 };
}
