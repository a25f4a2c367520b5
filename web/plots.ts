// The page's three pictures in plain DOM: a canvas heatmap, an SVG line chart and an SVG bar chart.
import type { Snapshot } from "../src/api.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function svgEl<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// Viridis at five stops, linearly interpolated: dark where a neuron ignores a feature, yellow at its top one.
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function colour(t: number, out: Uint8ClampedArray, at: number): void {
  const x = Math.min(Math.max(t, 0), 1) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const f = x - i;
  for (let ch = 0; ch < 3; ch++) out[at + ch] = STOPS[i][ch] + f * (STOPS[i + 1][ch] - STOPS[i][ch]);
  out[at + 3] = 255;
}

/** Neurons ordered by their top feature, then by how much of their row that feature holds (purest first). */
export function neuronOrder(c: Float32Array, m: number, D: number): number[] {
  const top = new Int32Array(m);
  const share = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let best = 0;
    let sum = 0;
    for (let i = 0; i < D; i++) {
      const a = c[j * D + i];
      sum += a;
      if (a > c[j * D + best]) best = i;
    }
    top[j] = best;
    share[j] = sum > 0 ? c[j * D + best] / sum : 0;
  }
  return Array.from({ length: m }, (_, j) => j).sort((a, b) => top[a] - top[b] || share[b] - share[a]);
}

/** One pixel per (neuron, feature); each row scaled to its own maximum so purity, not weight norm, shows. */
export function drawHeatmap(canvas: HTMLCanvasElement, s: Snapshot): void {
  const { m, D, coefficients: c } = s;
  canvas.width = D;
  canvas.height = m;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const img = ctx.createImageData(D, m);
  neuronOrder(c, m, D).forEach((j, row) => {
    let max = 0;
    for (let i = 0; i < D; i++) max = Math.max(max, c[j * D + i]);
    for (let i = 0; i < D; i++) colour(max > 0 ? c[j * D + i] / max : 0, img.data, 4 * (row * D + i));
  });
  ctx.putImageData(img, 0, 0);
}

export interface Series {
  label: string;
  colour: string;
  values: number[];
}

const W = 440;
const H = 230;
const M = { left: 40, right: 10, top: 34, bottom: 34 };

function frame(svg: SVGSVGElement, title: string, xLabel: string, yLabel: string, yMax: number, yTicks: number[]): (y: number) => number {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const y = (v: number) => M.top + (1 - v / yMax) * (H - M.top - M.bottom);
  svg.append(svgEl("text", { x: M.left, y: 14, class: "title" }, title));
  for (const t of yTicks) {
    svg.append(svgEl("line", { x1: M.left, x2: W - M.right, y1: y(t), y2: y(t), class: "grid" }));
    svg.append(svgEl("text", { x: M.left - 4, y: y(t) + 3, class: "tick", "text-anchor": "end" }, String(t)));
  }
  svg.append(svgEl("text", { x: (M.left + W - M.right) / 2, y: H - 4, class: "label", "text-anchor": "middle" }, xLabel));
  svg.append(
    svgEl(
      "text",
      {
        x: 10,
        y: (M.top + H - M.bottom) / 2,
        class: "label",
        "text-anchor": "middle",
        transform: `rotate(-90 10 ${(M.top + H - M.bottom) / 2})`,
      },
      yLabel,
    ),
  );
  return y;
}

/** Right-aligned on the title's line, last series rightmost. */
function legend(svg: SVGSVGElement, series: Series[]): void {
  let x = W - M.right;
  for (const s of [...series].reverse()) {
    x -= 6.5 * s.label.length + 18;
    svg.append(svgEl("rect", { x, y: 20, width: 10, height: 8, fill: s.colour }));
    svg.append(svgEl("text", { x: x + 14, y: 27, class: "tick" }, s.label));
  }
}

/** Accuracy (0..1) against x, one polyline per series, with the 0.5 chance level dashed. */
export function lineChart(svg: SVGSVGElement, xs: number[], series: Series[], title: string, xLabel: string): void {
  const y = frame(svg, title, xLabel, "accuracy", 1, [0, 0.25, 0.5, 0.75, 1]);
  const xMax = Math.max(...xs) || 1;
  const x = (v: number) => M.left + (v / xMax) * (W - M.left - M.right);
  svg.append(svgEl("line", { x1: M.left, x2: W - M.right, y1: y(0.5), y2: y(0.5), class: "chance" }));
  for (const v of xs) svg.append(svgEl("text", { x: x(v), y: H - M.bottom + 12, class: "tick", "text-anchor": "middle" }, String(v)));
  for (const s of series) {
    const pts = s.values.map((v, k) => `${x(xs[k]).toFixed(1)},${y(v).toFixed(1)}`);
    svg.append(svgEl("polyline", { points: pts.join(" "), fill: "none", stroke: s.colour, "stroke-width": 2 }));
    s.values.forEach((v, k) => svg.append(svgEl("circle", { cx: x(xs[k]), cy: y(v), r: 2.5, fill: s.colour })));
  }
  legend(svg, series);
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(svg: SVGSVGElement, categories: string[], series: Series[], title: string, xLabel: string, yLabel: string): void {
  const top = Math.max(1, ...series.flatMap((s) => s.values));
  const step = Math.max(1, niceStep(top)); // counts are integers
  const yMax = Math.ceil(top / step) * step;
  const y = frame(
    svg,
    title,
    xLabel,
    yLabel,
    yMax,
    Array.from({ length: Math.round(yMax / step) + 1 }, (_, k) => k * step),
  );
  const group = (W - M.left - M.right) / categories.length;
  const bar = (group * 0.8) / series.length;
  categories.forEach((c, k) => {
    const x0 = M.left + k * group + group * 0.1;
    svg.append(svgEl("text", { x: x0 + group * 0.4, y: H - M.bottom + 12, class: "tick", "text-anchor": "middle" }, c));
    series.forEach((s, n) => {
      const v = s.values[k];
      svg.append(svgEl("rect", { x: x0 + n * bar, y: y(v), width: Math.max(bar - 1, 1), height: y(0) - y(v), fill: s.colour }, undefined));
    });
  });
  legend(svg, series);
}

function niceStep(max: number): number {
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((f) => f * p).find((s) => s >= raw) ?? 10 * p;
}

/** A sentence for screen readers: how many of the neurons have one feature above half their top one. */
export function heatmapSummary(s: Snapshot): string {
  const { m, D, coefficients: c } = s;
  let single = 0;
  for (let j = 0; j < m; j++) {
    let top = 0;
    for (let i = 0; i < D; i++) top = Math.max(top, c[j * D + i]);
    let above = 0;
    for (let i = 0; i < D; i++) if (top > 0 && c[j * D + i] >= top / 2) above++;
    if (above === 1) single++;
  }
  return `${m} neurons by ${D} features; ${single} of the ${m} neurons have a single feature above half their top one`;
}

// The page's stylesheet does not travel with an exported SVG: its rules for the chart classes go inline.
const SVG_STYLE =
  ".title{font:600 12px system-ui,sans-serif;fill:#1d2329}.tick{font:10px system-ui,sans-serif;fill:#5b6670}" +
  ".label{font:11px system-ui,sans-serif;fill:#5b6670}.grid{stroke:#d8dde2;stroke-width:1}.chance{stroke:#5b6670;stroke-dasharray:4 3;stroke-width:1}";

export function svgText(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", SVG_NS);
  copy.setAttribute("width", String(W));
  copy.setAttribute("height", String(H));
  copy.prepend(svgEl("style", {}, SVG_STYLE), svgEl("rect", { width: W, height: H, fill: "#fff" }));
  return new XMLSerializer().serializeToString(copy);
}

/** The chart rasterised at scale times its size. */
export async function pngOf(svg: SVGSVGElement, scale: number): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = W * scale;
    canvas.height = H * scale;
    const ctx = canvas.getContext("2d")!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG export failed"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
