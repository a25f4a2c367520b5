// Clean and robust accuracy of one model over the eps grid under PGD and APGD (cross-entropy and
// margin losses), plus the checks that a robustness number is not an artefact of a weak attack: a
// much stronger PGD at the headline radius, and (filled in by the caller) perturbations transferred
// from another model. The reported robust accuracy is the per-sample worst case over all of them;
// each attack's own number is kept beside it.
import type { Config } from "../config/types.js";
import type { ApgdLoss, Norm } from "../engine/kernels.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import {
  robustAccuracy,
  type EvalControl,
  type RobustResult,
  type EvalAttack,
  type EvalScratch,
  type LabelledSet,
} from "../attacks/pgd.js";
import { apgdAccuracy, type ApgdAttack } from "../attacks/apgd.js";
import type { Rng } from "../rng.js";

/** Each attack's own robust accuracy at one radius; null: not run (config eval.apgd off). */
export interface AttackAccuracies {
  /** PGD with the grid's steps and restarts. */
  pgd: number;
  /** APGD on the cross-entropy (logistic) loss. */
  apgdCe: number | null;
  /** APGD on the scale-invariant margin loss -y f / ||grad f||_q. */
  apgdMargin: number | null;
}

export interface GridPoint {
  norm: Norm;
  eps: number;
  /**
   * Robust accuracy: a sample counts when no attack at this radius broke it (the per-sample worst case
   * over PGD and both APGD runs, and at the headline radius also the strong check and the transfer attack).
   */
  accuracy: number;
  attacks: AttackAccuracies;
}

export interface Headline {
  norm: Norm;
  eps: number;
  /** Robust accuracy: the per-sample worst case over every attack below (the transfer attack once the caller ran it). */
  accuracy: number;
  attacks: AttackAccuracies;
  /** The grid's PGD followed, on its survivors, by PGD with strongSteps steps and strongRestarts restarts. */
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
  /** Per sample at the headline radius, the worst perturbation any attack found (for transfer to other models). */
  worst: Float32Array;
  /** Per grid point (as eval.grid), then at the headline radius: each sample's lowest margin over every attack at that radius or a smaller one of its norm. */
  gridMargins: Float32Array[];
  margins: Float32Array;
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

/** The per-sample worst case of attacks on the same samples: each sample's lowest margin and its perturbation. */
export function worstCase(results: RobustResult[], d: number): RobustResult {
  const n = results[0].margins.length;
  const worst = new Float32Array(n * d),
    margins = new Float32Array(n);
  let robust = 0;
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = 1; j < results.length; j++) if (results[j].margins[i] < results[k].margins[i]) k = j;
    margins[i] = results[k].margins[i];
    worst.set(results[k].worst.subarray(i * d, (i + 1) * d), i * d);
    if (margins[i] > 0) robust++;
  }
  return { accuracy: robust / n, worst, margins };
}

const ATTACKS = ["pgd", "apgdCe", "apgdMargin"] as const;
type Attack = (typeof ATTACKS)[number];

/**
 * Radii of one norm are attacked in increasing order, each attack continuing from its own result at the
 * last (see robustAccuracy's prior): a perturbation that breaks a sample at one radius breaks it at
 * every larger one, so only survivors are attacked again, and each attack's number is its own. The
 * strong check continues from PGD at the headline radius, so it reports the union of both PGD attacks.
 * APGD draws its random starts from forks of `rng`, so PGD's numbers are those of an evaluation without it.
 */
export async function evaluateModel(
  engine: Engine,
  net: TwoLayer,
  set: LabelledSet,
  cfg: Config,
  box: [number, number] | null,
  scratch: EvalScratch,
  rng: Rng,
  control: EvalControl = {},
): Promise<Evaluated> {
  const clean = await robustAccuracy(engine, net, set, gridAttack(cfg, "l2", 0, box), scratch, rng, undefined, control);
  const { radius, radiusNorm } = cfg.eval;
  const d = net.shape.d;
  const attacks: Attack[] = cfg.eval.apgd ? [...ATTACKS] : ["pgd"];
  const rngs = { apgdCe: rng.fork("apgd-ce"), apgdMargin: rng.fork("apgd-margin") };
  const run = (a: Attack, norm: Norm, eps: number, prior: RobustResult) =>
    a === "pgd"
      ? robustAccuracy(engine, net, set, gridAttack(cfg, norm, eps, box), scratch, rng, prior, control)
      : apgdAccuracy(engine, net, set, apgdAttack(cfg, norm, eps, box, a === "apgdCe" ? "ce" : "margin"), scratch, rngs[a], prior, control);
  const results = new Map<string, Map<Attack, RobustResult>>();
  // per radius, each attack's own result (the strong check is added at the headline radius below)
  const key = (norm: Norm, eps: number) => `${norm}:${eps}`;
  const radiiOf = (norm: Norm, radii: number[]) => [...new Set(norm === radiusNorm ? [...radii, radius] : radii)].sort((a, b) => a - b);
  for (const [norm, radii] of [
    ["l2", cfg.eval.epsL2],
    ["linf", cfg.eval.epsLinf],
  ] as const) {
    const todo = radiiOf(norm, radii);
    const prior = new Map<Attack, RobustResult>(attacks.map((a) => [a, clean]));
    for (const eps of todo) {
      for (const a of attacks) prior.set(a, await run(a, norm, eps, prior.get(a)!));
      results.set(key(norm, eps), new Map(prior));
    }
  }
  const own = (r: Map<Attack, RobustResult>): AttackAccuracies => ({
    pgd: r.get("pgd")!.accuracy,
    apgdCe: r.get("apgdCe")?.accuracy ?? null,
    apgdMargin: r.get("apgdMargin")?.accuracy ?? null,
  });
  const atHeadline = results.get(key(radiusNorm, radius))!;
  const strong = await robustAccuracy(
    engine,
    net,
    set,
    gridAttack(cfg, radiusNorm, radius, box, true),
    scratch,
    rng,
    atHeadline.get("pgd"),
    control,
  );
  const headline = worstCase([...atHeadline.values(), strong], d);
  // A perturbation that breaks a sample at one radius breaks it at every larger one: the chained attacks
  // carry this over by themselves, the strong check (at the headline radius only) through this running minimum.
  const cumulative = new Map<string, Float32Array>();
  for (const [norm, radii] of [
    ["l2", cfg.eval.epsL2],
    ["linf", cfg.eval.epsLinf],
  ] as const) {
    let low: Float32Array | null = null;
    for (const eps of radiiOf(norm, radii)) {
      const here =
        norm === radiusNorm && eps === radius ? headline.margins : worstCase([...results.get(key(norm, eps))!.values()], d).margins;
      low = low ? here.map((v, i) => Math.min(v, low![i])) : here;
      cumulative.set(key(norm, eps), low);
    }
  }
  const grid: GridPoint[] = [];
  const gridMargins: Float32Array[] = [];
  for (const [norm, radii] of [
    ["l2", cfg.eval.epsL2],
    ["linf", cfg.eval.epsLinf],
  ] as const) {
    for (const eps of radii) {
      const margins = cumulative.get(key(norm, eps))!;
      grid.push({ norm, eps, accuracy: robustFraction(margins), attacks: own(results.get(key(norm, eps))!) });
      gridMargins.push(margins);
    }
  }
  const margins = cumulative.get(key(radiusNorm, radius))!;
  return {
    eval: {
      clean: clean.accuracy,
      grid,
      headline: {
        norm: radiusNorm,
        eps: radius,
        accuracy: robustFraction(margins),
        attacks: own(atHeadline),
        strongAccuracy: strong.accuracy,
        strongSteps: cfg.eval.strongSteps,
        strongRestarts: cfg.eval.strongRestarts,
        transferAccuracy: null,
      },
    },
    worst: headline.worst,
    gridMargins,
    margins,
  };
}

function robustFraction(margins: Float32Array): number {
  let robust = 0;
  for (const v of margins) if (v > 0) robust++;
  return robust / margins.length;
}

/**
 * Folds the transfer attack into an evaluation's robust accuracy: `transferred` holds each sample's
 * margin under the perturbation transferred from another model (feasible at the headline radius, so
 * at every larger one of its norm).
 */
export function withTransfer(ev: Evaluated, transferred: Float32Array): void {
  const h = ev.eval.headline;
  h.transferAccuracy = robustFraction(transferred);
  const fold = (m: Float32Array) => robustFraction(m.map((v, i) => Math.min(v, transferred[i])));
  h.accuracy = fold(ev.margins);
  ev.eval.grid.forEach((g, i) => {
    if (g.norm === h.norm && g.eps >= h.eps) g.accuracy = fold(ev.gridMargins[i]);
  });
}

/** APGD at one radius with the evaluation's settings (config eval.apgdSteps). */
export function apgdAttack(cfg: Config, norm: Norm, eps: number, box: [number, number] | null, loss: ApgdLoss): ApgdAttack {
  return { norm, eps, box, loss, steps: cfg.eval.apgdSteps, restarts: 1 };
}
