// A self-contained HTML report: tables and inline SVG figures in one file a browser opens directly.
import type { TableData } from "./tables.js";

export interface HtmlFigure {
  title: string;
  caption: string;
  svg: string;
}

export interface HtmlReport {
  title: string;
  /** Paragraphs of plain text shown under the title (commands, timings). */
  intro: string[];
  tables: TableData[];
  figures: HtmlFigure[];
  /** One cell's configuration, shown collapsed at the end as JSON. */
  config?: unknown;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function tableHtml(t: TableData): string {
  const cell = (tag: string, s: string) => `<${tag}>${escapeHtml(s).replace(/\n/g, "<br>")}</${tag}>`;
  return [
    `<h2>${escapeHtml(t.title)}</h2>`,
    "<table>",
    `<thead><tr>${t.head.map((h) => cell("th", h)).join("")}</tr></thead>`,
    `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => cell("td", c)).join("")}</tr>`).join("\n")}</tbody>`,
    "</table>",
  ].join("\n");
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}figure{margin:1.5em 0}figcaption{color:#555;max-width:60em}code,pre{background:#f6f6f6;padding:1px 4px}
figure svg{max-width:100%;height:auto}`;

export function renderHtml(r: HtmlReport): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>
<style>${STYLE}</style></head><body>
<h1>${escapeHtml(r.title)}</h1>
${r.intro.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
${r.tables.map(tableHtml).join("\n")}
${r.figures.map((f) => `<figure><h2>${escapeHtml(f.title)}</h2>\n${f.svg}\n<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`).join("\n")}
${r.config === undefined ? "" : `<details><summary>Configuration of the first cell (every cell's is in its result line)</summary><pre>${escapeHtml(JSON.stringify(r.config, null, 1))}</pre></details>`}
</body></html>
`;
}
