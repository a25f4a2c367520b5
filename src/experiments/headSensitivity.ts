// How much a downstream number owes to the way the clean head is fitted (config downstream.l2Sweep):
// the head, and for objectives without a task head the pre-trained encoder's probe, refitted with
// each penalty on the same frozen encoder and attacked at the headline radius. Refitting is cheap
// (a Newton solve on frozen features), so no pre-training is repeated.
import type { Config } from "../config/types.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import { robustAccuracy, type EvalControl, type EvalScratch, type LabelledSet } from "../attacks/pgd.js";
import type { Rng } from "../rng.js";
import { gridAttack } from "./evaluate.js";
import type { HeadFit } from "../train/logisticRegression.js";

export interface HeadScore {
  clean: number;
  /** Robust accuracy under the grid's PGD at the headline radius (eval.radiusNorm, eval.radius). */
  robust: number;
  fit: HeadFit;
}

export interface SensitivityPoint {
  l2: number;
  downstream: HeadScore;
  /** The pre-trained encoder's clean probe on the pre-training task (contrastive); absent with a task head. */
  probe?: HeadScore;
}

type FitHead = (encoder: TwoLayer, set: LabelledSet, cfg: Config) => { model: TwoLayer; fit: HeadFit };

export interface SensitivityContext {
  engine: Engine;
  encoder: TwoLayer;
  cfg: Config;
  fitHead: FitHead;
  down: { train: LabelledSet; test: LabelledSet };
  /** Present when the pre-trained model is scored through a probe. */
  probe: { train: LabelledSet; test: LabelledSet } | null;
  box: [number, number] | null;
  scratch: EvalScratch;
  root: Rng;
  arm: string;
  control: EvalControl;
}

export async function headSensitivity(c: SensitivityContext): Promise<SensitivityPoint[]> {
  const out: SensitivityPoint[] = [];
  for (const l2 of c.cfg.downstream.l2Sweep) {
    const cfg = { ...c.cfg, downstream: { ...c.cfg.downstream, l2 } };
    // Every penalty's attacks start from the same streams.
    const downstream = await score(c, cfg, c.down, c.root.fork(`sensitivity-${c.arm}`));
    out.push(
      c.probe ? { l2, downstream, probe: await score(c, cfg, c.probe, c.root.fork(`sensitivity-probe-${c.arm}`)) } : { l2, downstream },
    );
  }
  return out;
}

async function score(c: SensitivityContext, cfg: Config, sets: { train: LabelledSet; test: LabelledSet }, rng: Rng): Promise<HeadScore> {
  const { arena } = c.engine;
  const mark = arena.mark();
  try {
    const head = c.fitHead(c.encoder, sets.train, cfg);
    const clean = await robustAccuracy(
      c.engine,
      head.model,
      sets.test,
      gridAttack(cfg, "l2", 0, c.box),
      c.scratch,
      rng,
      undefined,
      c.control,
    );
    const robust = await robustAccuracy(
      c.engine,
      head.model,
      sets.test,
      gridAttack(cfg, cfg.eval.radiusNorm, cfg.eval.radius, c.box),
      c.scratch,
      rng,
      clean,
      c.control,
    );
    return { clean: clean.accuracy, robust: robust.accuracy, fit: head.fit };
  } finally {
    arena.reset(mark);
  }
}
