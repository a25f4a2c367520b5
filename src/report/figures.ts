// The report's figures as Vega-Lite specifications, rendered to SVG by Vega in Node (no DOM, no canvas).
// Builders take result lines (and, for heatmaps, full results) and return plain specs, so a web page
// can render the same specs interactively.
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import type { ExperimentResult } from "../api.js";
import type { ResultLine } from "../sweep/results.js";
import { canonicalJson } from "../sweep/grid.js";
import { configValue, groupByModeArm, sweptNumericFields, varyingFields } from "./aggregate.js";
import { mean, tInterval } from "./statistics.js";

export interface Figure {
  /** File name without extension. */
  name: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const ARM_COLORS = { domain: ["clean", "adv"], range: ["#d95f02", "#1b9e77"] };
const armColor = { field: "arm", type: "nominal", title: "pre-training", scale: ARM_COLORS } as const;

type Row = Record<string, string | number>;

/** Mean and 95% interval of `value` within each group of rows that agree on `by`. */
function meanBands(rows: Row[], by: string[]): Row[] {
  const groups = new Map<string, { keys: Row; values: number[] }>();
  for (const r of rows) {
    const keys = Object.fromEntries(by.map((k) => [k, r[k]]));
    const id = JSON.stringify(keys);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { keys, values: [] }));
    if (Number.isFinite(r.value as number)) g.values.push(r.value as number);
  }
  return [...groups.values()].map(({ keys, values }) => {
    const i = tInterval(values);
    return { ...keys, mean: i.mean, lo: Number.isFinite(i.lo) ? i.lo : i.mean, hi: Number.isFinite(i.hi) ? i.hi : i.mean, n: i.n };
  });
}

function bandAndLine(x: object, yTitle: string, domain?: [number, number]) {
  const scale = domain ? { domain } : { zero: false };
  return {
    layer: [
      {
        mark: { type: "errorband", opacity: 0.25, clip: true },
        encoding: { x, y: { field: "lo", type: "quantitative", title: yTitle, scale }, y2: { field: "hi" }, color: armColor },
      },
      {
        mark: { type: "line", point: true, clip: true },
        encoding: { x, y: { field: "mean", type: "quantitative", title: yTitle, scale }, color: armColor },
      },
    ],
  };
}

/** Robust accuracy against the attack radius (eps 0 is clean accuracy), per mode, model and norm. */
export function robustVsEpsFigure(lines: readonly ResultLine[]): Figure {
  const rows: Row[] = [];
  for (const line of lines) {
    for (const a of line.arms) {
      for (const [model, e] of [
        ["pre-trained", a.pretrained],
        ["downstream", a.downstream],
      ] as const) {
        for (const norm of new Set(e.grid.map((g) => g.norm))) {
          const panel = `${model}, ${norm}`;
          rows.push({ mode: line.config.mode, arm: a.arm, panel, eps: 0, value: e.clean });
          for (const g of e.grid.filter((g) => g.norm === norm))
            rows.push({ mode: line.config.mode, arm: a.arm, panel, eps: g.eps, value: g.accuracy });
        }
      }
    }
  }
  return {
    name: "robust-accuracy-vs-eps",
    title: "Robust accuracy against the attack radius",
    caption: "PGD with restarts through the frozen features; eps = 0 is clean accuracy. Lines are means over seeds, bands 95% t-intervals.",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: meanBands(rows, ["mode", "arm", "panel", "eps"]) },
      facet: {
        row: { field: "mode", type: "nominal", title: null },
        column: {
          field: "panel",
          type: "nominal",
          title: null,
          sort: ["pre-trained, l2", "pre-trained, linf", "downstream, l2", "downstream, linf"],
        },
      },
      spec: { width: 180, height: 150, ...bandAndLine({ field: "eps", type: "quantitative", title: "eps" }, "accuracy", [0, 1]) },
      resolve: { scale: { x: "independent" } },
    } as TopLevelSpec,
  };
}

/** Live neurons by their number of significant features, mean over seeds. */
export function significantFeaturesFigure(lines: readonly ResultLine[]): Figure {
  const rows: Row[] = [];
  for (const g of groupByModeArm(lines)) {
    // Real data has no dictionary, hence no histogram.
    const histograms = g.samples.flatMap((s) => (s.arm.purity ? [s.arm.purity.histogram] : []));
    if (histograms.length === 0) continue;
    const bins = histograms[0].length;
    for (let b = 0; b < bins; b++) {
      const label = b === bins - 1 ? `${b + 1}+` : String(b + 1);
      rows.push({ mode: g.mode, arm: g.arm, features: label, order: b, neurons: mean(histograms.map((h) => h[b] ?? 0)) });
    }
  }
  return {
    name: "significant-features",
    title: "Significant features per neuron",
    caption:
      "Live neurons by the number of features i with |c_ji| >= significance x max_i |c_ji| (c_j = M^T w_j), mean over seeds. A pure neuron reads one feature.",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: rows },
      facet: { row: { field: "mode", type: "nominal", title: null } },
      spec: {
        width: 360,
        height: 160,
        mark: "bar",
        encoding: {
          x: { field: "features", type: "ordinal", title: "significant features", sort: { field: "order" } },
          xOffset: { field: "arm", sort: ARM_COLORS.domain },
          y: { field: "neurons", type: "quantitative", title: "live neurons" },
          color: armColor,
        },
      },
    } as TopLevelSpec,
  };
}

/** Cells below this fraction of a neuron's largest |c_ji| are left out (white): they carry no visible ink. */
export const HEATMAP_FLOOR = 0.05;

/**
 * |c_ji| / max_i |c_ji| for up to maxNeurons live neurons (the largest by ||w_j||), sorted by their top
 * feature, one panel per arm; from full results (the per-neuron tables are not in sweep lines).
 */
export function heatmapFigure(results: readonly ExperimentResult[], maxNeurons = 64): Figure | null {
  const rows: Row[] = [];
  for (const r of results) {
    for (const a of r.arms) {
      if (!a.coefficients) continue;
      const chosen = a.neurons
        .map((n, j) => ({ n, j }))
        .filter(({ n }) => n.live)
        .sort((p, q) => q.n.norm - p.n.norm)
        .slice(0, maxNeurons)
        .sort((p, q) => p.n.topFeature - q.n.topFeature || q.n.norm - p.n.norm);
      chosen.forEach(({ j }, rank) => {
        const c = a.coefficients![j];
        let max = 0;
        for (const v of c) max = Math.max(max, Math.abs(v));
        c.forEach((v, i) => {
          const value = max > 0 ? Math.abs(v) / max : 0;
          if (value >= HEATMAP_FLOOR)
            rows.push({ panel: `${r.config.mode}, ${a.arm} (seed ${r.config.seed})`, arm: a.arm, neuron: rank, feature: i, value });
        });
      });
    }
  }
  if (rows.length === 0) return null;
  return {
    name: "neuron-feature-heatmap",
    title: "Which features each neuron reads",
    caption: `|c_ji| / max_i |c_ji| with c_j = M^T w_j, for the ${maxNeurons} largest live neurons sorted by their top feature (one seed). Cells below ${HEATMAP_FLOOR} are white. A pure layer is a thin staircase; a dense one is grey throughout.`,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: rows },
      facet: { column: { field: "panel", type: "nominal", title: null, sort: panelsCleanFirst(rows) } },
      spec: {
        width: 260,
        height: 200,
        mark: { type: "rect" },
        encoding: {
          x: { field: "feature", type: "quantitative", bin: { step: 1 }, title: "feature i" },
          y: { field: "neuron", type: "quantitative", bin: { step: 1 }, title: "neuron (sorted by top feature)", sort: "descending" },
          color: { field: "value", type: "quantitative", title: "|c| / max|c|", scale: { scheme: "greys", domain: [0, 1] } },
        },
      },
    } as TopLevelSpec,
  };
}

/** Panel names with each clean panel before its adversarial neighbour. */
function panelsCleanFirst(rows: Row[]): string[] {
  const panels = [...new Set(rows.map((r) => String(r.panel)))];
  const rank = (p: string) => (rows.find((r) => r.panel === p)!.arm === "clean" ? 0 : 1);
  return panels.sort((a, b) => a.replace(/, (clean|adv) /, ", ").localeCompare(b.replace(/, (clean|adv) /, ", ")) || rank(a) - rank(b));
}

/** Training loss and clean batch accuracy against the step, mean over seeds. */
export function trainingCurvesFigure(lines: readonly ResultLine[]): Figure {
  const rows: Row[] = [];
  for (const line of lines) {
    for (const a of line.arms) {
      for (const p of a.curve) {
        rows.push({ mode: line.config.mode, arm: a.arm, step: p.step, metric: "training loss", value: p.loss });
        rows.push({ mode: line.config.mode, arm: a.arm, step: p.step, metric: "clean batch accuracy", value: p.cleanAccuracy });
      }
    }
  }
  return {
    name: "training-curves",
    title: "Training curves",
    caption:
      "Loss of the batch each step trained on (adversarial inputs for adversarial training) and accuracy on the clean batch, mean over seeds with 95% t-intervals.",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: meanBands(rows, ["mode", "arm", "step", "metric"]) },
      facet: { row: { field: "mode", type: "nominal", title: null }, column: { field: "metric", type: "nominal", title: null } },
      spec: { width: 260, height: 150, ...bandAndLine({ field: "step", type: "quantitative", title: "step" }, "value") },
      resolve: { scale: { y: "independent" } },
    } as TopLevelSpec,
  };
}

/**
 * Purity and accuracy against one swept numeric field, mean over seeds; other swept fields (if any)
 * split the rows of the figure.
 */
export function sweepFigure(lines: readonly ResultLine[], field: string): Figure {
  const others = varyingFields(lines).filter((f) => f !== field);
  const rows: Row[] = [];
  for (const line of lines) {
    const x = configValue(line.config, field) as number;
    const split = [line.config.mode, ...others.map((f) => `${f}=${canonicalJson(configValue(line.config, f))}`)].join(", ");
    for (const a of line.arms) {
      const h = a.downstream.headline;
      const metrics: [string, number][] = [
        ["top-1 purity", a.purity?.top1.mean ?? NaN],
        ["pre-trained clean accuracy", a.pretrained.clean],
        ["downstream clean accuracy", a.downstream.clean],
        [`downstream robust accuracy (${h.norm} eps=${h.eps})`, h.accuracy],
      ];
      for (const [metric, value] of metrics) rows.push({ split, arm: a.arm, x, metric, value });
    }
  }
  return {
    name: `sweep-${field.replace(/\./g, "-")}`,
    title: `Purity and accuracy against ${field}`,
    caption: `Means over seeds with 95% t-intervals; one point per value of ${field}.`,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: meanBands(rows, ["split", "arm", "x", "metric"]) },
      facet: { row: { field: "split", type: "nominal", title: null }, column: { field: "metric", type: "nominal", title: null } },
      spec: { width: 180, height: 150, ...bandAndLine({ field: "x", type: "quantitative", title: field }, "value", [0, 1]) },
    } as TopLevelSpec,
  };
}

/** Every figure the results support: sweep figures for swept numeric fields, the rest always. */
export function reportFigures(lines: readonly ResultLine[], full: readonly ExperimentResult[]): Figure[] {
  const figures: (Figure | null)[] = [
    robustVsEpsFigure(lines),
    significantFeaturesFigure(lines),
    heatmapFigure(full),
    ...sweptNumericFields(lines).map((f) => sweepFigure(lines, f)),
    trainingCurvesFigure(lines),
  ];
  return figures.filter((f): f is Figure => f !== null);
}
