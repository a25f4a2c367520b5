// APGD (Croce & Hein 2020) as an evaluation attack: random starts from the seeded PRNG, the whole
// attack on a block of samples in one WASM call (assembly/apgd.ts), composed over samples and radii
// as PGD is (attackSurvivors).
import { APGD_LOSS, APGD_ROW_WORDS, NORM, type ApgdLoss, type Norm } from "../engine/kernels.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import type { Rng } from "../rng.js";
import { fillRandomStart } from "./randomStart.js";
import { attackSurvivors, boxArgs, cleanPass, type EvalControl, type EvalScratch, type LabelledSet, type RobustResult } from "./pgd.js";

export interface ApgdAttack {
  norm: Norm;
  eps: number;
  steps: number;
  /** Cross-entropy (logistic) loss, or the scale-invariant margin -y f / ||grad f||_q (assembly/apgd.ts). */
  loss: ApgdLoss;
  /** Random restarts, each from a fresh start in the ball. */
  restarts: number;
  box: [number, number] | null;
}

/**
 * Robust accuracy under APGD: as robustAccuracy (with `prior`, the attack continues from it), each
 * restart on the survivors from a uniform random start in the ball. Needs a scratch with APGD's state.
 */
export async function apgdAccuracy(
  engine: Engine,
  net: TwoLayer,
  set: LabelledSet,
  attack: ApgdAttack,
  scratch: EvalScratch,
  rng: Rng,
  prior?: RobustResult,
  control: EvalControl = {},
): Promise<RobustResult> {
  const state = scratch.apgd;
  if (!state) throw new Error("featpure: this evaluation scratch has no APGD state (allocEvalScratch's apgd)");
  const d = net.shape.d;
  return attackSurvivors(
    engine,
    set,
    d,
    scratch,
    attack.restarts,
    attack.eps === 0,
    (r, B) => {
      if (r < 0 || attack.eps === 0) return cleanPass(engine, net, scratch, B);
      fillRandomStart(engine, scratch.starts, scratch.delta.ptr, B, d, attack.norm, attack.eps, rng);
      const block = scratch.callRows;
      for (let b0 = 0; b0 < B; b0 += block) {
        const o = 4 * b0 * d;
        engine.kernels.apgdEval(
          net.rec.ptr,
          scratch.work.rec.ptr,
          scratch.x.ptr + o,
          scratch.y.ptr + 4 * b0,
          scratch.delta.ptr + o,
          scratch.xadv.ptr + o,
          scratch.best.ptr + o,
          scratch.margin.ptr + 4 * b0,
          state.aux.ptr + 3 * o,
          state.rows.ptr + 4 * b0 * APGD_ROW_WORDS,
          Math.min(block, B - b0),
          NORM[attack.norm],
          APGD_LOSS[attack.loss],
          attack.eps,
          attack.steps,
          0,
          ...boxArgs(attack.box),
        );
      }
    },
    prior,
    control,
  );
}
