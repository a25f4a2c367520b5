// Result lines grouped the ways the report needs them: by mode and arm over seeds, and clean/adv pairs
// that share everything but the training objective (the same seed, hence init, data and test sets).
import type { Arm } from "../experiments/supervised.js";
import type { ArmSummary, ResultLine } from "../sweep/results.js";
import { canonicalJson } from "../sweep/grid.js";

export interface ArmSample {
  line: ResultLine;
  arm: ArmSummary;
}

export interface Group {
  mode: string;
  arm: Arm;
  samples: ArmSample[];
}

/** Groups by (mode, arm) in order of first appearance. */
export function groupByModeArm(lines: readonly ResultLine[]): Group[] {
  const groups = new Map<string, Group>();
  for (const line of lines) {
    for (const arm of line.arms) {
      const id = `${line.config.mode}/${arm.arm}`;
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { mode: line.config.mode, arm: arm.arm, samples: [] }));
      g.samples.push({ line, arm });
    }
  }
  return [...groups.values()];
}

export interface ArmPair {
  clean: ArmSummary;
  adv: ArmSummary;
}

/**
 * Clean/adversarial pairs of one mode: the two arms of a `train: both` line, or the lines of separate
 * `train: clean` and `train: adv` runs whose configurations agree in everything else.
 */
export function pairArms(lines: readonly ResultLine[], mode: string): ArmPair[] {
  const partial = new Map<string, Partial<ArmPair>>();
  for (const line of lines) {
    if (line.config.mode !== mode) continue;
    const { train: _train, ...rest } = line.config;
    const id = canonicalJson(rest);
    let p = partial.get(id);
    if (!p) partial.set(id, (p = {}));
    for (const arm of line.arms) p[arm.arm] ??= arm;
  }
  return [...partial.values()].filter((p): p is ArmPair => p.clean !== undefined && p.adv !== undefined);
}

/** Accuracy at a grid point, or NaN when that point was not evaluated. */
export function gridAccuracy(e: ArmSummary["downstream"], norm: string, eps: number): number {
  return e.grid.find((g) => g.norm === norm && g.eps === eps)?.accuracy ?? NaN;
}
