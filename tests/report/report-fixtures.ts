// Synthetic result lines with chosen numbers, for testing statistics, claims and figures without training.
import { resolveConfig } from "../../src/config/validate.js";
import type { ModelEval } from "../../src/experiments/evaluate.js";
import type { ArmSummary, ResultLine } from "../../src/sweep/results.js";
import { configKey } from "../../src/sweep/grid.js";

export interface ArmNumbers {
  purity: number;
  participation: number;
  preClean: number;
  preRobust: number;
  downClean: number;
  downRobust: number;
  histogram?: number[];
  /** Downstream robust accuracy of the adversarially trained head (adv-linear); absent: no adv-linear mode. */
  advLinearRobust?: number;
  /** Downstream clean and robust accuracy of the clean head refitted with each penalty. */
  sensitivity?: { l2: number; clean: number; robust: number }[];
}

const summary = (x: number) => ({ mean: x, median: x, min: x, max: x });

// Each attack's own number: PGD alone finds a little less than the worst case.
const attacks = (robust: number) => ({ pgd: robust + 0.01, apgdCe: robust, apgdMargin: robust });

function modelEval(clean: number, robust: number): ModelEval {
  return {
    clean,
    grid: [
      { norm: "l2", eps: 0.1, accuracy: (clean + robust) / 2, attacks: attacks((clean + robust) / 2) },
      { norm: "l2", eps: 0.2, accuracy: robust, attacks: attacks(robust) },
      { norm: "linf", eps: 0.05, accuracy: robust / 2, attacks: attacks(robust / 2) },
    ],
    headline: {
      norm: "l2",
      eps: 0.2,
      accuracy: robust,
      attacks: attacks(robust),
      strongAccuracy: robust + 0.005,
      strongSteps: 50,
      strongRestarts: 2,
      transferAccuracy: null,
    },
  };
}

export function armSummary(arm: "clean" | "adv", n: ArmNumbers): ArmSummary {
  return {
    arm,
    curve: [0, 10, 20].map((step) => ({
      step,
      loss: 0.7 - step / 100,
      cleanAccuracy: 0.5 + step / 50,
      adversarialAccuracy: arm === "adv" ? 0.4 + step / 50 : null,
    })),
    purity: {
      neurons: 10,
      live: 10,
      top1: summary(n.purity),
      participation: summary(n.participation),
      outsideTopR: summary(1 - n.purity),
      cosLabel: summary(0.1),
      significant: summary(3),
      histogram: n.histogram ?? [5, 3, 1, 1],
    },
    thresholds: { mean: 0.1, max: 0.2, zeroFraction: 0 },
    pretrained: modelEval(n.preClean, n.preRobust),
    downstream: { ...modelEval(n.downClean, n.downRobust), fit: { iterations: 10, converged: true, loss: 0.1 } },
    adaptations: [
      { mode: "clean-linear", eval: modelEval(n.downClean, n.downRobust), flops: 1e6, steps: 10, final: null },
      ...(n.advLinearRobust === undefined
        ? []
        : [
            {
              mode: "adv-linear" as const,
              eval: modelEval(n.downClean, n.advLinearRobust),
              flops: 1e8,
              steps: 200,
              final: { loss: 0.3, cleanAccuracy: 0.9, adversarialAccuracy: 0.8 },
            },
          ]),
    ],
    headSensitivity: (n.sensitivity ?? []).map((p) => ({
      l2: p.l2,
      downstream: { clean: p.clean, robust: p.robust, fit: { iterations: 10, converged: true, loss: 0.1 } },
    })),
    timingsMs: {
      pretrain: 1,
      downstream: 1,
      evaluate: 1,
      adapt: 1,
      adaptTraining: { "clean-linear": 1000, ...(n.advLinearRobust === undefined ? {} : { "adv-linear": 2000 }) },
    },
  };
}

export function resultLine(seed: number, clean: ArmNumbers, adv: ArmNumbers, layer: object = {}): ResultLine {
  const config = resolveConfig({ seed, train: "both" }, layer);
  return {
    key: configKey(config),
    version: "0.1.0",
    seed,
    config,
    backend: "simd",
    timingsMs: { total: 1 },
    arms: [armSummary("clean", clean), armSummary("adv", adv)],
  };
}

/** The paper's picture: adversarial pre-training purer and more robust downstream, with a little noise per seed. */
export function paperLikeLines(seeds = 5): ResultLine[] {
  return Array.from({ length: seeds }, (_, i) => {
    const wobble = 0.01 * ((i * 7) % 3);
    return resultLine(
      i + 1,
      {
        purity: 0.14 + wobble,
        participation: 90 - 10 * wobble,
        preClean: 0.97,
        preRobust: 0.5 + wobble,
        downClean: 0.93 + wobble,
        downRobust: 0.4 + wobble,
        advLinearRobust: 0.7,
      },
      {
        purity: 0.66 + wobble,
        participation: 11 + 10 * wobble,
        preClean: 0.99,
        preRobust: 0.9 - wobble,
        downClean: 0.99,
        downRobust: 0.86 + wobble,
        advLinearRobust: 0.88 + wobble,
      },
    );
  });
}
