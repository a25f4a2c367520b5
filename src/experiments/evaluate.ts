// Clean and robust accuracy of one model over the eps grid, plus the checks that a robustness
// number is not an artefact of a weak attack: a much stronger attack at the headline radius, and
// (filled in by the caller) perturbations transferred from another model.
import type { Config } from "../config/types.js";
import type { Norm } from "../engine/kernels.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import { robustAccuracy, type EvalControl, type RobustResult, type EvalAttack, type EvalScratch, type LabelledSet } from "../attacks/pgd.js";
import type { Rng } from "../rng.js";

export interface GridPoint {
  norm: Norm;
  eps: number;
  accuracy: number;
}

export interface Headline {
  norm: Norm;
  eps: number;
  /** PGD with the grid's steps and restarts. */
  accuracy: number;
  /** The standard attack followed, on its survivors, by PGD with strongSteps steps and strongRestarts restarts. */
  strongAccuracy: number;
  strongSteps: number;
  strongRestarts: number;
  /** Accuracy under the worst perturbations found on the other arm's model for the same task. */
  transferAccuracy: number | null;
}

export interface ModelEval {
  clean: number;
  grid: GridPoint[];
  headline: Headline;
}

export interface Evaluated {
  eval: ModelEval;
  /** Worst perturbations at the headline radius, for transfer to other models. */
  worst: Float32Array;
}

export function gridAttack(cfg: Config, norm: Norm, eps: number, box: [number, number] | null, strong = false): EvalAttack {
  const e = cfg.eval;
  return {
    box,
    norm,
    eps,
    steps: strong ? e.strongSteps : e.steps,
    restarts: strong ? e.strongRestarts : e.restarts,
    stepScale: e.stepScale,
    surrogateSlope: e.surrogateSlope,
  };
}

/**
 * Radii of one norm are attacked in increasing order, each continuing from the last (see
 * robustAccuracy's prior): a perturbation that breaks a sample at one radius breaks it at every
 * larger one, so only survivors are attacked again. The strong check continues from the standard
 * attack at the headline radius, so it reports the union of both attacks.
 */
export async function evaluateModel(engine: Engine, net: TwoLayer, set: LabelledSet, cfg: Config, box: [number, number] | null, scratch: EvalScratch, rng: Rng,
                                    control: EvalControl = {}): Promise<Evaluated> {
  const clean = await robustAccuracy(engine, net, set, gridAttack(cfg, "l2", 0, box), scratch, rng, undefined, control);
  const { radius, radiusNorm } = cfg.eval;
  const results = new Map<string, RobustResult>();
  const key = (norm: Norm, eps: number) => `${norm}:${eps}`;
  for (const [norm, radii] of [["l2", cfg.eval.epsL2], ["linf", cfg.eval.epsLinf]] as const) {
    const todo = [...new Set(norm === radiusNorm ? [...radii, radius] : radii)].sort((a, b) => a - b);
    let prior = clean;
    for (const eps of todo) {
      prior = await robustAccuracy(engine, net, set, gridAttack(cfg, norm, eps, box), scratch, rng, prior, control);
      results.set(key(norm, eps), prior);
    }
  }
  const grid: GridPoint[] = [];
  for (const [norm, radii] of [["l2", cfg.eval.epsL2], ["linf", cfg.eval.epsLinf]] as const) {
    for (const eps of radii) grid.push({ norm, eps, accuracy: results.get(key(norm, eps))!.accuracy });
  }
  const standard = results.get(key(radiusNorm, radius))!;
  const strong = await robustAccuracy(engine, net, set, gridAttack(cfg, radiusNorm, radius, box, true), scratch, rng, standard, control);
  return {
    eval: {
      clean: clean.accuracy,
      grid,
      headline: {
        norm: radiusNorm,
        eps: radius,
        accuracy: standard.accuracy,
        strongAccuracy: strong.accuracy,
        strongSteps: cfg.eval.strongSteps,
        strongRestarts: cfg.eval.strongRestarts,
        transferAccuracy: null,
      },
    },
    worst: strong.worst,
  };
}
