// Result lines grouped the ways the report needs them: by mode and arm over seeds, and clean/adv pairs
// that share everything but the training objective (the same seed, hence init, data and test sets).
import type { Arm } from "../experiments/experiment.js";
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

/**
 * Config fields (dotted paths) that take more than one value among the lines of one mode, seed aside:
 * fields whose defaults differ between modes (contrastive's fixed thresholds) are not swept.
 */
export function varyingFields(lines: readonly ResultLine[]): string[] {
  const values = new Map<string, Set<string>>();
  const visit = (o: unknown, prefix: string, mode: string) => {
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (typeof v === "object" && v !== null && !Array.isArray(v)) visit(v, path, mode);
      else {
        const key = `${mode}\u0000${path}`;
        let s = values.get(key);
        if (!s) values.set(key, (s = new Set()));
        s.add(canonicalJson(v));
      }
    }
  };
  for (const l of lines) visit(l.config, "", l.config.mode);
  const varying = new Set<string>();
  for (const [key, s] of values) {
    const path = key.slice(key.indexOf("\u0000") + 1);
    if (s.size > 1 && path !== "seed" && path !== "train") varying.add(path);
  }
  return [...varying];
}

/** The value of a dotted config path. */
export function configValue(config: object, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
}

/** Swept fields whose values are all numbers: the ones a figure can put on an axis. */
export function sweptNumericFields(lines: readonly ResultLine[]): string[] {
  return varyingFields(lines).filter((f) => lines.every((l) => typeof configValue(l.config, f) === "number"));
}
