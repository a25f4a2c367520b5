// The one training loop of every pre-training objective (supervised, NT-Xent, spectral): per step
// the objective draws and attacks its batch and supplies loss and gradient; the loop zeroes the
// gradients, takes the optimiser step, checks for divergence, records the curve, writes
// checkpoints, resumes from one, honours a stop request and gives the event loop its turns.
import type { Config } from "../config/types.js";
import type { Buf } from "../engine/arena.js";
import { writeNet } from "../engine/layout.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import type { BatchSource } from "../data/dataset.js";
import type { Rng } from "../rng.js";
import { isLoggingStep, type CurvePoint } from "./curve.js";
import { checkLoss, checkNetwork } from "./divergence.js";
import { makeOptimizer, type ParamGroup } from "./optimizer.js";
import { makePacer } from "./pacer.js";
import { captureTraining, restoreTraining, type TrainingCheckpoints, type TrainingParts } from "./trainState.js";

export interface PretrainOptions {
  adversarial: boolean;
  /** Input range the attack clamps to (dataset.box). */
  box: [number, number] | null;
  onStep?: (step: number, total: number) => void;
  signal?: AbortSignal;
  checkpoints?: TrainingCheckpoints;
  /** Train the head (and output bias) only, W and the thresholds held fixed: a linear probe (src/train/adaptation.ts). */
  freezeEncoder?: boolean;
  /** Steps to train; default cfg.optim.steps. */
  steps?: number;
}

/** One objective's part of a training step, on buffers it allocated for itself. */
export interface Objective {
  /** The random streams the objective draws from, by name (checkpointed). */
  rngs: Record<string, Rng>;
  /** Where its batches come from (checkpointed). */
  source: Pick<BatchSource, "save" | "load">;
  /** The step's inputs: the next batch, attacked for adversarial training. */
  batch(): void;
  /**
   * The loss of the batch, with its gradient accumulated into the zeroed gradients; on logging
   * steps also what accuracies() reports.
   */
  lossAndGradient(logging: boolean): number;
  /** The curve's accuracies of a logging step, asked after the optimiser step. */
  accuracies(): Pick<CurvePoint, "cleanAccuracy" | "adversarialAccuracy">;
}

export interface ObjectiveSpec {
  /** Whether the loss reaches the head (A, and the output bias c): true for supervised, false for contrastive. */
  head: boolean;
  /** Allocates the objective's buffers; its backward passes accumulate into the gradient record `grad`. */
  build(grad: Buf): Objective;
}

/** Trains the network in place by `spec`'s objective and returns the curve. */
export async function train(engine: Engine, net: TwoLayer, cfg: Config, opts: PretrainOptions, spec: ObjectiveSpec): Promise<CurvePoint[]> {
  const { arena } = engine;
  const grads = allocGradients(engine, net, cfg, spec.head, opts.freezeEncoder === true);
  const opt = makeOptimizer(engine, grads.trainable, cfg.optim);
  const objective = spec.build(grads.rec);
  const curve: CurvePoint[] = [];
  const parts: TrainingParts = { arena, net, opt, rngs: objective.rngs, source: objective.source, curve };
  const ck = opts.checkpoints;
  const pace = makePacer();
  const steps = opts.steps ?? cfg.optim.steps;
  const first = ck?.resume ? restoreTraining(parts, ck.resume) + 1 : 1;

  for (let step = first; step <= steps; step++) {
    if (opts.signal?.aborted) {
      ck?.save(captureTraining(parts, step - 1));
      throw opts.signal.reason ?? new Error("aborted");
    }
    objective.batch();
    const logging = isLoggingStep(step, steps, cfg.logEvery);
    opt.zeroGrad();
    const loss = objective.lossAndGradient(logging);
    checkLoss(step, loss, cfg);
    opt.step();
    // Every step, so the step reported is the first bad one (a scan of W costs m*d, far below a step's).
    checkNetwork(step, arena, net, cfg);
    if (logging) curve.push({ step, loss, ...objective.accuracies() });
    if (ck && ((ck.every > 0 && step % ck.every === 0) || step === steps)) ck.save(captureTraining(parts, step));
    opts.onStep?.(step, steps);
    await pace();
  }
  return curve;
}

/**
 * Gradient buffers of the network and the optimiser's groups: W always, the thresholds when
 * model.trainThreshold; with `head`, the head when model.trainHead and the output bias when there is one.
 * A frozen encoder trains the head and output bias alone; its gradient record has no W and no
 * thresholds, so the backward pass skips the weight product.
 */
function allocGradients(
  engine: Engine,
  net: TwoLayer,
  cfg: Config,
  head: boolean,
  freezeEncoder: boolean,
): { trainable: ParamGroup[]; rec: Buf } {
  const { arena } = engine;
  const p = net.params;
  const W = freezeEncoder ? null : arena.alloc(p.W.len, "grad W");
  const thr = !freezeEncoder && cfg.model.trainThreshold ? arena.alloc(p.thr.len, "grad thresholds") : null;
  const trainHead = head && (freezeEncoder || cfg.model.trainHead);
  const A = trainHead ? arena.alloc(p.A.len, "grad head") : null;
  const c = head && p.c ? arena.alloc(p.c.len, "grad output bias") : null;
  const trainable: ParamGroup[] = W ? [{ param: p.W, grad: W }] : [];
  if (thr) trainable.push({ param: p.thr, grad: thr, nonNegative: cfg.model.thresholdClamp === "nonneg" });
  if (A) trainable.push({ param: p.A, grad: A });
  if (p.c && c) trainable.push({ param: p.c, grad: c });
  const rec = writeNet(arena, { W, thr, A, c }, net.shape);
  return { trainable, rec };
}
