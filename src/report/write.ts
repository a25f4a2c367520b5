// Writes a report folder from sweep results: one SVG per figure and report.html with all of them
// inlined, every file atomically.
import { join } from "node:path";
import type { ExperimentResult } from "../api.js";
import { writeFileAtomic } from "../files/atomic.js";
import type { ResultLine } from "../sweep/results.js";
import { judgeClaims, judgeSensitivity } from "./claims.js";
import { renderSvg, reportFigures } from "./figures.js";
import { renderHtml } from "./html.js";
import { adaptationTable, claimsTable, headlineSensitivityTable, seedTable, sensitivityTable, sweepTable } from "./seedTables.js";
import { sweptNumericFields } from "./aggregate.js";
import type { TableData } from "./tables.js";

/** The seed table, the claims, the adaptations and head-penalty sensitivity where the lines have them, and one table per swept numeric field. */
export function reportTables(lines: readonly ResultLine[]): TableData[] {
  return [
    seedTable(lines),
    claimsTable(judgeClaims(lines)),
    ...headTables(lines),
    ...sweptNumericFields(lines).map((f) => sweepTable(lines, f)),
  ];
}

/** The downstream adaptations (when a line has more than the clean head) and the head-penalty sensitivity (when the lines have a sweep). */
export function headTables(lines: readonly ResultLine[]): TableData[] {
  const out: TableData[] = [];
  if (lines.some((l) => l.arms.some((a) => (a.adaptations ?? []).some((x) => x.mode !== "clean-linear")))) out.push(adaptationTable(lines));
  const sensitivity = judgeSensitivity(lines);
  if (sensitivity.length) out.push(sensitivityTable(sensitivity), headlineSensitivityTable(lines));
  return out;
}

export interface WrittenReport {
  tables: TableData[];
  files: string[];
}

export async function writeReport(
  dir: string,
  lines: readonly ResultLine[],
  full: readonly ExperimentResult[],
  intro: string[],
): Promise<WrittenReport> {
  const tables = reportTables(lines);
  const figures = [];
  const files: string[] = [];
  for (const f of reportFigures(lines, full)) {
    const svg = await renderSvg(f.spec);
    const path = join(dir, `${f.name}.svg`);
    writeFileAtomic(path, svg);
    files.push(path);
    figures.push({ title: f.title, caption: f.caption, svg });
  }
  const html = join(dir, "report.html");
  writeFileAtomic(
    html,
    renderHtml({
      title: "featpure: robustness inheritance through feature purification",
      intro,
      tables,
      figures,
      config: lines[0]?.config,
    }),
  );
  files.push(html);
  return { tables, files };
}
