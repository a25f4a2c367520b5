// The paper's claims and the per-arm means of the documents, from a committed `featpure reproduce` results file.
import type { ResultLine } from "../../src/sweep/results.js";
import { judgeClaims } from "../../src/report/claims.js";
import { claimsTable, seedTable, sweepTable } from "../../src/report/seedTables.js";
import { markdownTable } from "./markdown.js";

/** Where the lines came from and what they depend on: the command, the cells, build, version and evaluation. */
export function provenance(lines: readonly ResultLine[], file: string, command: string): string {
  const modes = [...new Set(lines.map((l) => l.config.mode))];
  const seeds = [...new Set(lines.map((l) => l.seed))].sort((a, b) => a - b);
  const backends = [...new Set(lines.map((l) => `${l.backend}`))];
  const versions = [...new Set(lines.map((l) => l.version))];
  const e = lines[0].config.eval;
  const h = lines[0].arms[0].downstream.headline;
  return (
    `${lines.length} cells (${modes.join(", ")} × seeds ${seeds[0]}-${seeds[seeds.length - 1]}, both arms each) from \`${file}\`, ` +
    `written by \`${command}\`; featpure ${versions.join(", ")}, ${backends.join(", ")} kernels; ` +
    `robust accuracy under PGD-${e.steps} × ${e.restarts} restarts on ${e.n} test samples, headline radius ${h.norm} eps ${h.eps} ` +
    `(strong check PGD-${e.strongSteps} × ${e.strongRestarts}); clean logistic head with l2 penalty ${lines[0].config.downstream.l2}.`
  );
}

export function claimsBlock(lines: readonly ResultLine[], file: string, command: string): string {
  return [markdownTable(claimsTable(judgeClaims(lines))), "", provenance(lines, file, command)].join("\n");
}

export function seedsBlock(lines: readonly ResultLine[]): string {
  return markdownTable(seedTable(lines));
}

/** One row per value of the swept field and arm: the headline quantities, mean [95% interval] over seeds. */
export function sweepBlock(lines: readonly ResultLine[], field: string): string {
  return markdownTable(sweepTable(lines, field));
}
