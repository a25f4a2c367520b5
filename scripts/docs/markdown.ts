// TableData (src/report/tables.ts) as a Markdown table: the same rows the CLI and the HTML report show.
import type { TableData } from "../../src/report/tables.js";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, "<br>");

export function markdownTable(t: Pick<TableData, "head" | "rows">): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(t.head), line(t.head.map(() => "---")), ...t.rows.map(line)].join("\n");
}
