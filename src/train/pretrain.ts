// Supervised pre-training of the two-layer network, clean or adversarial (paper.md §3.1):
// minimise the logistic loss at x, or at the attack's x + delta found by PGD/FGM inside the eps-ball.
import type { Config } from "../config/types.js";
import type { Work } from "../engine/layout.js";
import { allocWork, writeNet } from "../engine/layout.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import type { BatchSource } from "../data/source.js";
import { allocIncremental, attackBatch, type AttackSpec } from "../attacks/pgd.js";
import { allocRandomStart } from "../attacks/randomStart.js";
import { makeOptimizer, type ParamGroup } from "./optimizer.js";
import type { Rng } from "../rng.js";
import { checkLoss, checkNetwork } from "./divergence.js";
import { makePacer } from "./pacer.js";
import { captureTraining, restoreTraining, type TrainingCheckpoints, type TrainingParts } from "./trainState.js";

export interface CurvePoint {
  step: number;
  /** Training loss of the batch the step trained on (adversarial inputs for adversarial training). */
  loss: number;
  /** Accuracy of the network on the clean batch. */
  cleanAccuracy: number;
  /** Accuracy on the attacked batch (adversarial training only). */
  adversarialAccuracy: number | null;
}

export { DivergenceError } from "./divergence.js";

export interface PretrainOptions {
  adversarial: boolean;
  /** Input range the attack clamps to (dataset.box). */
  box: [number, number] | null;
  onStep?: (step: number, total: number) => void;
  signal?: AbortSignal;
  checkpoints?: TrainingCheckpoints;
}

export function trainingAttack(cfg: Config, box: [number, number] | null): AttackSpec {
  const a = cfg.adv;
  if (a.attack === "fgm") return { norm: a.norm, eps: a.eps, steps: 1, stepSize: a.eps, randomStart: false, box };
  return { norm: a.norm, eps: a.eps, steps: a.steps, stepSize: a.stepSize || (2.5 * a.eps) / a.steps, randomStart: a.randomStart, box };
}

export async function pretrainSupervised(engine: Engine, net: TwoLayer, cfg: Config, source: BatchSource, rng: Rng, opts: PretrainOptions): Promise<CurvePoint[]> {
  const { arena, kernels: k } = engine;
  const { d } = net.shape;
  const B = cfg.optim.batch;
  const p = net.params;
  const g = {
    W: arena.alloc(p.W.len, "grad W"),
    thr: arena.alloc(p.thr.len, "grad thresholds"),
    A: arena.alloc(p.A.len, "grad head"),
    c: p.c ? arena.alloc(p.c.len, "grad output bias") : null,
  };
  const trainable: ParamGroup[] = [{ param: p.W, grad: g.W }];
  if (cfg.model.trainThreshold) trainable.push({ param: p.thr, grad: g.thr, nonNegative: cfg.model.thresholdClamp === "nonneg" });
  if (cfg.model.trainHead) trainable.push({ param: p.A, grad: g.A });
  if (p.c && g.c) trainable.push({ param: p.c, grad: g.c });
  const gradRec = writeNet(arena, {
    W: g.W,
    thr: cfg.model.trainThreshold ? g.thr : null,
    A: cfg.model.trainHead ? g.A : null,
    c: g.c,
  }, net.shape);
  const opt = makeOptimizer(engine, trainable, cfg.optim);
  const work: Work = allocWork(arena, net.shape, B);
  const x = arena.alloc(B * d, "batch inputs");
  const y = arena.alloc(B, "batch labels");
  const delta = arena.alloc(B * d, "batch perturbations");
  const xadv = arena.alloc(B * d, "adversarial batch");
  const starts = allocRandomStart(arena, B, d);
  const inc = cfg.incrementalForward && opts.adversarial && cfg.adv.norm === "linf" ? allocIncremental(arena, B, d, net.shape.m) : null;
  const attack = trainingAttack(cfg, opts.box);
  const curve: CurvePoint[] = [];
  const parts: TrainingParts = { arena, net, opt, rngs: { attack: rng }, source, curve };
  const ck = opts.checkpoints;
  const pace = makePacer();
  const first = ck?.resume ? restoreTraining(parts, ck.resume) + 1 : 1;

  for (let step = first; step <= cfg.optim.steps; step++) {
    if (opts.signal?.aborted) {
      ck?.save(captureTraining(parts, step - 1));
      throw opts.signal.reason ?? new Error("aborted");
    }
    source.next(arena.f32(x), arena.f32(y));
    const input = opts.adversarial && attack.eps > 0 ? xadv : x;
    if (input === xadv) attackBatch(engine, net, work, x, y, delta, xadv, B, attack, starts, rng, inc);

    opt.zeroGrad();
    k.netForward(net.rec.ptr, work.rec.ptr, input.ptr, B);
    const loss = k.logisticForward(work.logits.ptr, y.ptr, B);
    checkLoss(step, loss, cfg);
    const logEvery = step % cfg.logEvery === 0 || step === 1 || step === cfg.optim.steps;
    const advCorrect = logEvery ? k.countCorrect(work.logits.ptr, y.ptr, B) : 0;
    arena.f32(work.dlogits).fill(0);
    k.logisticBackward(work.dlogits.ptr, work.logits.ptr, y.ptr, B, 1 / B);
    k.netBackward(net.rec.ptr, gradRec.ptr, work.rec.ptr, input.ptr, 0, B, 0);
    opt.step();

    const save = ck !== undefined && ((ck.every > 0 && step % ck.every === 0) || step === cfg.optim.steps);
    // Every step, so the step reported is the first bad one (a scan of W costs m*d, far below a step's).
    checkNetwork(step, arena, net, cfg);
    if (logEvery) {
      let cleanCorrect = advCorrect;
      if (input === xadv) {
        k.netForward(net.rec.ptr, work.rec.ptr, x.ptr, B);
        cleanCorrect = k.countCorrect(work.logits.ptr, y.ptr, B);
      }
      curve.push({ step, loss, cleanAccuracy: cleanCorrect / B, adversarialAccuracy: input === xadv ? advCorrect / B : null });
    }
    if (save) ck.save(captureTraining(parts, step));
    opts.onStep?.(step, cfg.optim.steps);
    await pace();
  }
  return curve;
}
