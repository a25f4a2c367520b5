// Contrastive pre-training of the hidden layer, clean or adversarial (paper.md §3.2, §8.3): NT-Xent or
// the spectral loss on two views of each sample; the adversarial arm first moves view 1 by an
// instance-wise PGD attack that maximises the same loss against view 2 (RoCL), then trains on the
// attacked pair, optionally adding the clean pair's loss. No labels are used.
import type { Config } from "../config/types.js";
import type { PairSource } from "../data/dataset.js";
import { allocCtr, allocWork, writeNet } from "../engine/layout.js";
import { NORM } from "../engine/kernels.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import { allocRandomStart, fillRandomStart } from "../attacks/randomStart.js";
import { makeOptimizer, type ParamGroup } from "./optimizer.js";
import { trainingAttack, type CurvePoint, type PretrainOptions } from "./pretrain.js";
import { checkLoss, checkNetwork } from "./divergence.js";
import type { Rng } from "../rng.js";

/**
 * Fraction of the 2B rows whose most similar other row is their positive (instance retrieval), read
 * from the similarity scratch the loss kernel just filled: NT-Xent probabilities (2B,2B), or the
 * spectral loss's cross-view products (B,B), where row i of view 1 should pick column i.
 */
export function retrievalAccuracy(sim: Float32Array, B: number, loss: Config["contrastive"]["loss"]): number {
  const spectral = loss === "spectral";
  const N = spectral ? B : 2 * B;
  let hits = 0;
  for (let i = 0; i < N; i++) {
    const pos = spectral ? i : i < B ? i + B : i - B;
    let best = -Infinity, arg = -1;
    for (let j = 0; j < N; j++) {
      if (!spectral && j === i) continue;
      if (sim[i * N + j] > best) {
        best = sim[i * N + j];
        arg = j;
      }
    }
    if (arg === pos) hits++;
  }
  return hits / N;
}

/**
 * Trains W (and the thresholds when model.trainThreshold) in place. The curve's accuracies are
 * retrieval accuracies of the positive among the batch (clean pair, and attacked pair for the adversarial arm).
 */
export function pretrainContrastive(engine: Engine, net: TwoLayer, cfg: Config, source: PairSource, rng: Rng, opts: PretrainOptions): CurvePoint[] {
  const { arena, kernels: k } = engine;
  const { d, m } = net.shape;
  const B = cfg.optim.batch;
  const c = cfg.contrastive;
  const p = net.params;
  const g = { W: arena.alloc(p.W.len, "grad W"), thr: arena.alloc(p.thr.len, "grad thresholds") };
  const trainable: ParamGroup[] = [{ param: p.W, grad: g.W }];
  if (cfg.model.trainThreshold) trainable.push({ param: p.thr, grad: g.thr, nonNegative: cfg.model.thresholdClamp === "nonneg" });
  const gradRec = writeNet(arena, { W: g.W, thr: cfg.model.trainThreshold ? g.thr : null, A: null, c: null }, net.shape);
  const opt = makeOptimizer(engine, trainable, cfg.optim);
  const work = allocWork(arena, net.shape, 2 * B);
  const ctr = allocCtr(arena, c, m, B);
  // Both views stacked: view 1 in rows 0..B-1, view 2 in rows B..2B-1.
  const x = arena.alloc(2 * B * d, "view pairs");
  const delta = arena.alloc(B * d, "view perturbations");
  const xadv = arena.alloc(2 * B * d, "attacked view pairs");
  const starts = allocRandomStart(arena, B, d);
  const attack = trainingAttack(cfg, opts.box);
  const [lo, hi] = attack.box ?? [0, 0];
  const adversarial = opts.adversarial && attack.eps > 0;
  const input = adversarial ? xadv : x;
  const curve: CurvePoint[] = [];
  let logging = false;
  const retrieval = () => retrievalAccuracy(arena.f32(ctr.sim), B, c.loss);
  const lossAt = (buf: typeof x) => {
    const loss = k.contrastiveForward(net.rec.ptr, work.rec.ptr, ctr.rec.ptr, buf.ptr, B);
    const acc = logging ? retrieval() : 0;
    k.contrastiveBackward(net.rec.ptr, gradRec.ptr, work.rec.ptr, ctr.rec.ptr, buf.ptr, 0, B, 0, 1);
    return { loss, acc };
  };

  for (let step = 1; step <= cfg.optim.steps; step++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
    const views = arena.f32(x);
    source.next(views.subarray(0, B * d), views.subarray(B * d));
    if (adversarial) {
      if (attack.randomStart) fillRandomStart(engine, starts, delta.ptr, B, d, attack.norm, attack.eps, rng);
      else arena.f32(delta).fill(0);
      k.contrastiveAttack(net.rec.ptr, work.rec.ptr, ctr.rec.ptr, x.ptr, delta.ptr, xadv.ptr, B, NORM[attack.norm], attack.eps, attack.stepSize,
        attack.steps, 0, lo, hi);
    }
    logging = step % cfg.logEvery === 0 || step === 1 || step === cfg.optim.steps;
    opt.zeroGrad();
    const main = lossAt(input);
    let loss = main.loss;
    let cleanAcc = main.acc;
    if (adversarial && c.keepClean) {
      const clean = lossAt(x);
      loss += clean.loss;
      cleanAcc = clean.acc;
    }
    checkLoss(step, loss, cfg);
    opt.step();
    checkNetwork(step, arena, net, cfg);

    if (logging) {
      if (adversarial && !c.keepClean) {
        k.contrastiveForward(net.rec.ptr, work.rec.ptr, ctr.rec.ptr, x.ptr, B);
        cleanAcc = retrieval();
      }
      curve.push({ step, loss, cleanAccuracy: cleanAcc, adversarialAccuracy: adversarial ? main.acc : null });
    }
    opts.onStep?.(step, cfg.optim.steps);
  }
  return curve;
}
