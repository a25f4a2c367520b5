// The paper's claims and the per-arm means of the documents, from a committed `featpure reproduce` results file.
import type { ResultLine } from "../../src/sweep/results.js";
import { judgeClaims, judgeSensitivity, modeLabel, sweptPenalties } from "../../src/report/claims.js";
import { groupByModeArm } from "../../src/report/aggregate.js";
import {
  adaptationTable,
  claimsTable,
  headlineSensitivityTable,
  seedTable,
  sensitivityTable,
  sweepTable,
} from "../../src/report/seedTables.js";
import { markdownTable } from "./markdown.js";

/** The attacks whose per-sample worst case the robust accuracies are. */
function attacks(e: ResultLine["config"]["eval"]): string {
  const apgd = e.apgd ? `, APGD-CE and APGD-margin (${e.apgdSteps} steps each)` : "";
  return `PGD-${e.steps} × ${e.restarts} restarts${apgd} at every radius, and at the headline radius also the strong check PGD-${e.strongSteps} × ${e.strongRestarts} and a transfer attack from the other arm`;
}

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
    `robust accuracy on ${e.n} test samples, per sample the worst case over ${attacks(e)} (headline radius ${h.norm} eps ${h.eps}); ` +
    `clean logistic head with l2 penalty ${lines[0].config.downstream.l2}.`
  );
}

/** The claims judged on these lines, less those of a mode or data source the lines do not have. */
const claimsOf = (lines: readonly ResultLine[]) => judgeClaims(lines).filter((c) => !(c.verdict === "not run" && c.note.startsWith("no ")));

export function claimsBlock(lines: readonly ResultLine[], file: string, command: string): string {
  return [markdownTable(claimsTable(claimsOf(lines))), "", provenance(lines, file, command)].join("\n");
}

export function seedsBlock(lines: readonly ResultLine[]): string {
  return markdownTable(seedTable(lines));
}

/** One row per value of the swept field and arm: the headline quantities, mean [95% interval] over seeds. */
export function sweepBlock(lines: readonly ResultLine[], field: string): string {
  return markdownTable(sweepTable(lines, field));
}

export function adaptationsBlock(lines: readonly ResultLine[]): string {
  return markdownTable(adaptationTable(lines));
}

export function headSensitivityBlock(lines: readonly ResultLine[]): string {
  return [markdownTable(headlineSensitivityTable(lines)), "", markdownTable(sensitivityTable(judgeSensitivity(lines)))].join("\n");
}

/** One sentence: how far the head's penalty moves the downstream robust accuracy, and which claims hold at every penalty. */
export function sensitivitySentence(lines: readonly ResultLine[]): string {
  const penalties = sweptPenalties(lines);
  const ranges = groupByModeArm(lines).map((g) => {
    const means = penalties.map((l2) => {
      const xs = g.samples.map((s) => s.arm.headSensitivity?.find((x) => x.l2 === l2)?.downstream.robust ?? NaN);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    });
    return {
      label: `${modeLabel(g.mode, g.samples[0].line.config.data.source)}, ${g.arm}`,
      lo: Math.min(...means),
      hi: Math.max(...means),
    };
  });
  const widest = ranges.reduce((a, b) => (b.hi - b.lo > a.hi - a.lo ? b : a));
  const held = judgeSensitivity(lines)
    .filter((r) => r.summary.startsWith("supported at every penalty"))
    .map((r) => `${r.id} (${r.mode})`);
  const h = lines[0].arms[0].downstream.headline;
  return (
    `Refitting the clean head with l2 penalties ${penalties.join(", ")} on the same encoders moves the mean downstream robust accuracy at ` +
    `${h.norm} eps ${h.eps} (PGD) by up to ${(widest.hi - widest.lo).toFixed(3)} (${widest.label}: ${widest.lo.toFixed(3)} to ${widest.hi.toFixed(3)}; ` +
    ranges
      .filter((r) => r !== widest)
      .map((r) => `${r.label}: ${r.lo.toFixed(3)} to ${r.hi.toFixed(3)}`)
      .join("; ") +
    `); the claims that hold at every penalty: ${held.length ? held.join(", ") : "none"}.`
  );
}

/** The inheritance-gap claim alone, for each committed reproduce results file (synthetic data, digits). */
export function gapBlock(sets: readonly { file: string; command: string; lines: readonly ResultLine[] }[]): string {
  const rows = sets.flatMap((s) =>
    claimsTable(claimsOf(s.lines).filter((c) => c.id === "gap")).rows.map(([, mode, effect, verdict]) => [mode, effect, verdict]),
  );
  return [
    markdownTable({ head: ["pre-training mode", "measured gap (robust accuracy at the headline radius)", "verdict"], rows }),
    ...sets.map((s) => provenance(s.lines, s.file, s.command)),
  ].join("\n\n");
}

/** What `featpure reproduce --out DIR` writes beside results.jsonl (src/cli/sweepCommands.ts). */
export interface ReproduceClaimsFile {
  command: string;
  wallSeconds: number;
  cellsRun?: number;
  cellsReused?: number;
  machine?: { cpu: string; cores: number; node: string };
}

/** How long each committed reproduce run took, from its claims.json. */
export function reproduceTimeBlock(runs: readonly ReproduceClaimsFile[]): string {
  return runs
    .map((r) => {
      const cells = r.cellsRun === undefined ? "" : ` ${r.cellsRun} cells run${r.cellsReused ? ` (${r.cellsReused} reused)` : ""},`;
      const m = r.machine ? ` on ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}` : "";
      return `- \`${r.command}\`:${cells} ${r.wallSeconds.toFixed(0)} s wall time${m}.`;
    })
    .join("\n");
}
