// Pre-training objectives, keyed by config.mode. Each trains the hidden layer (and, where the
// objective has one, the head) of a network in place and returns its training curve.
import type { Config } from "../config/types.js";
import type { Dataset } from "../data/dataset.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import type { Rng } from "../rng.js";
import type { CurvePoint } from "./curve.js";
import { pretrainSupervised } from "./supervised.js";
import type { TrainingCheckpoints } from "./trainState.js";
import { pretrainContrastive } from "./contrastive.js";

export type Arm = "clean" | "adv";

export interface PretrainContext {
  engine: Engine;
  net: TwoLayer;
  cfg: Config;
  dataset: Dataset;
  /** The experiment's root generator: streams are forked from it by label. */
  root: Rng;
  arm: Arm;
  signal?: AbortSignal;
  onStep?: (step: number, total: number) => void;
  /** Save and resume points (see trainState.ts: captureTraining / restoreTraining). */
  checkpoints?: TrainingCheckpoints;
}

export interface Pretrainer {
  train(ctx: PretrainContext): Promise<CurvePoint[]>;
  /**
   * Whether the pre-trained network's own head solves the pre-training task. Objectives without
   * a task head (contrastive) are scored through a clean linear probe instead.
   */
  hasTaskHead: boolean;
}

export const PRETRAINERS: Record<Config["mode"], Pretrainer> = {
  supervised: {
    hasTaskHead: true,
    train: (c) =>
      pretrainSupervised(
        c.engine,
        c.net,
        c.cfg,
        c.dataset.pretrainBatches(c.cfg.optim.batch, c.root.fork("batches"), c.engine),
        c.root.fork(`attack-${c.arm}`),
        {
          adversarial: c.arm === "adv",
          box: c.dataset.box,
          signal: c.signal,
          onStep: c.onStep,
          checkpoints: c.checkpoints,
        },
      ),
  },
  contrastive: {
    hasTaskHead: false,
    train: (c) => {
      if (!c.dataset.pairBatches)
        throw new Error(`mode contrastive needs views of the samples, which data.source ${c.cfg.data.source} cannot make`);
      return pretrainContrastive(
        c.engine,
        c.net,
        c.cfg,
        c.dataset.pairBatches(c.cfg.optim.batch, c.cfg.contrastive, c.root.fork("pairs"), c.engine),
        c.root.fork(`attack-${c.arm}`),
        {
          adversarial: c.arm === "adv",
          box: c.dataset.box,
          signal: c.signal,
          onStep: c.onStep,
          checkpoints: c.checkpoints,
        },
      );
    },
  },
};
