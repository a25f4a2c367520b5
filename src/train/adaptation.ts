// Adversarial downstream training (docs/adaptation.md): the supervised objective of supervised.ts on
// the training loop, run on the downstream training set, attacking in the evaluation's threat model
// (eval.radiusNorm, eps = eval.radius) with the pre-training attack's steps and step rule.
import type { Config } from "../config/types.js";
import type { LabelledData } from "../data/dataset.js";
import { shuffledBatches } from "../data/source.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import type { Rng } from "../rng.js";
import type { CurvePoint } from "./curve.js";
import { pretrainSupervised } from "./supervised.js";

/** The config the adaptation loop trains with: adv.norm and adv.eps replaced by the evaluation's headline threat model. */
export function adaptationConfig(cfg: Config): Config {
  return {
    ...cfg,
    adv: {
      ...cfg.adv,
      norm: cfg.eval.radiusNorm,
      eps: cfg.eval.radius,
      stepSize: cfg.adv.stepSize && cfg.adv.eps ? (cfg.adv.stepSize * cfg.eval.radius) / cfg.adv.eps : 0,
    },
  };
}

export interface AdaptTraining {
  /** Train the head only (W and thresholds frozen), or the whole network. */
  freezeEncoder: boolean;
  steps: number;
  box: [number, number] | null;
  signal?: AbortSignal;
  onStep?: (step: number, total: number) => void;
}

/** Trains `net` in place by adversarial training on minibatches of `set` (reshuffled every epoch); returns the curve. */
export function trainAdversarially(
  engine: Engine,
  net: TwoLayer,
  cfg: Config,
  set: LabelledData,
  rng: Rng,
  o: AdaptTraining,
): Promise<CurvePoint[]> {
  const source = shuffledBatches(set, cfg.optim.batch, rng.fork("batches"));
  return pretrainSupervised(engine, net, adaptationConfig(cfg), source, rng.fork("attack"), {
    adversarial: true,
    box: o.box,
    signal: o.signal,
    freezeEncoder: o.freezeEncoder,
    steps: o.steps,
    onStep: o.onStep,
  });
}
