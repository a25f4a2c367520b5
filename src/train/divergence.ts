// Divergence checks shared by every pre-trainer: a non-finite loss, or parameters that are no longer
// finite or have exploded, stop training with what diverged, where, and what to try.
import type { Arena } from "../engine/arena.js";
import type { TwoLayer } from "../model/twoLayer.js";
import { netTensors } from "./trainState.js";
import type { Config } from "../config/types.js";

/** A hidden weight row (or any parameter) beyond this norm means the run has blown up. */
export const EXPLODED_NORM = 1e6;

export class DivergenceError extends Error {
  constructor(
    readonly step: number,
    readonly what: string,
    hint = "try a smaller learning rate (--lr) or a smaller initialisation (--init-std)",
  ) {
    super(`training diverged at step ${step}: ${what}; ${hint}`);
    this.name = "DivergenceError";
  }
}

/** The advice for a config: the current values of the options most likely to help. */
export function divergenceHint(cfg: Config): string {
  const tips = [`a smaller learning rate (--lr, now ${cfg.optim.lr})`, `a smaller initialisation (--init-std, now ${cfg.model.initStd})`];
  if (cfg.optim.optimizer === "sgd") tips.push(`less momentum (--momentum, now ${cfg.optim.momentum}) or --optimizer adam`);
  return `try ${tips.join(", ")}`;
}

/** Throws when the loss of `step` is NaN or infinite. */
export function checkLoss(step: number, loss: number, cfg: Config, name = "the loss"): void {
  if (!Number.isFinite(loss)) throw new DivergenceError(step, `${name} became ${loss}`, divergenceHint(cfg));
}

/**
 * Throws when a tensor has a non-finite entry, or a row (of `rowLength` values; the whole tensor
 * when omitted) whose l2 norm exceeds EXPLODED_NORM.
 */
export function checkTensor(step: number, name: string, values: Float32Array, cfg: Config, rowLength = values.length): void {
  let worst = 0;
  for (let r = 0; r * rowLength < values.length; r++) {
    const end = Math.min(values.length, (r + 1) * rowLength);
    let s = 0;
    for (let i = r * rowLength; i < end; i++) s += values[i] * values[i];
    // An f32's square is below 2^256, so a sum of them cannot overflow an f64: s is finite exactly
    // when the row is, and only a bad row is scanned again for the entry to name (one branch per
    // entry less: the check is on one thread, every training step).
    if (!Number.isFinite(s)) {
      for (let i = r * rowLength; i < end; i++) {
        const v = values[i];
        if (!Number.isFinite(v))
          throw new DivergenceError(step, `${name} has a non-finite entry (${v}) at index ${i}`, divergenceHint(cfg));
      }
    }
    worst = Math.max(worst, Math.sqrt(s));
  }
  if (worst > EXPLODED_NORM) {
    const what = rowLength < values.length ? `the largest row norm of ${name}` : `the norm of ${name}`;
    throw new DivergenceError(
      step,
      `${what} reached ${worst.toExponential(2)} (limit ${EXPLODED_NORM.toExponential(0)})`,
      divergenceHint(cfg),
    );
  }
}

/** Checks every parameter tensor of the network: W row by row (one neuron each), the rest whole. */
export function checkNetwork(step: number, arena: Arena, net: TwoLayer, cfg: Config): void {
  for (const [name, v] of netTensors(arena, net)) {
    checkTensor(step, name === "W" ? "the hidden weights W" : `the parameter ${name}`, v, cfg, name === "W" ? net.shape.d : v.length);
  }
}
