// Contrastive pre-training of the hidden layer, clean or adversarial (docs/model.md, "Pre-training"): NT-Xent or
// the spectral loss on two views of each sample; the adversarial arm first moves view 1 by an
// instance-wise PGD attack that maximises the same loss against view 2 (RoCL), then trains on the
// attacked pair, optionally adding the clean pair's loss. No labels are used.
import type { Config } from "../config/types.js";
import type { PairSource } from "../data/dataset.js";
import type { Buf } from "../engine/arena.js";
import { allocCtr, allocWork } from "../engine/layout.js";
import { NORM } from "../engine/kernels.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import { trainingAttack } from "../attacks/pgd.js";
import { allocRandomStart, fillRandomStart } from "../attacks/randomStart.js";
import type { Rng } from "../rng.js";
import type { CurvePoint } from "./curve.js";
import { train, type PretrainOptions } from "./loop.js";

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
    let best = -Infinity,
      arg = -1;
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
export function pretrainContrastive(
  engine: Engine,
  net: TwoLayer,
  cfg: Config,
  source: PairSource,
  rng: Rng,
  opts: PretrainOptions,
): Promise<CurvePoint[]> {
  return train(engine, net, cfg, opts, {
    head: false,
    build(gradRec) {
      const { arena, kernels: k } = engine;
      const { d, m } = net.shape;
      const B = cfg.optim.batch;
      const c = cfg.contrastive;
      const work = allocWork(arena, net.shape, 2 * B);
      const ctr = allocCtr(arena, c, m, B);
      // Both views stacked: view 1 in rows 0..B-1, view 2 in rows B..2B-1.
      const x = arena.alloc(2 * B * d, "view pairs");
      const delta = arena.alloc(B * d, "view perturbations");
      const xadv = arena.alloc(2 * B * d, "attacked view pairs");
      const starts = allocRandomStart(arena, B, d);
      const attack = trainingAttack(cfg.adv, opts.box);
      const [lo, hi] = attack.box ?? [0, 0];
      const adversarial = opts.adversarial && attack.eps > 0;
      const input = adversarial ? xadv : x;
      const retrieval = () => retrievalAccuracy(arena.f32(ctr.sim), B, c.loss);
      const lossAt = (buf: Buf, logging: boolean) => {
        const loss = k.contrastiveForward(net.rec.ptr, work.rec.ptr, ctr.rec.ptr, buf.ptr, B);
        const acc = logging ? retrieval() : 0;
        k.contrastiveBackward(net.rec.ptr, gradRec.ptr, work.rec.ptr, ctr.rec.ptr, buf.ptr, 0, B, 0, 1);
        return { loss, acc };
      };
      let inputAcc = 0,
        cleanAcc = 0;
      return {
        rngs: { attack: rng },
        source,
        batch() {
          const views = arena.f32(x);
          source.next(views.subarray(0, B * d), views.subarray(B * d));
          if (!adversarial) return;
          if (attack.randomStart) fillRandomStart(engine, starts, delta.ptr, B, d, attack.norm, attack.eps, rng);
          else arena.f32(delta).fill(0);
          k.contrastiveAttack(
            net.rec.ptr,
            work.rec.ptr,
            ctr.rec.ptr,
            x.ptr,
            delta.ptr,
            xadv.ptr,
            B,
            NORM[attack.norm],
            attack.eps,
            attack.stepSize,
            attack.steps,
            0,
            lo,
            hi,
          );
        },
        lossAndGradient(logging) {
          const main = lossAt(input, logging);
          let loss = main.loss;
          inputAcc = cleanAcc = main.acc;
          if (adversarial && c.keepClean) {
            const clean = lossAt(x, logging);
            loss += clean.loss;
            cleanAcc = clean.acc;
          }
          return loss;
        },
        accuracies() {
          if (adversarial && !c.keepClean) {
            k.contrastiveForward(net.rec.ptr, work.rec.ptr, ctr.rec.ptr, x.ptr, B);
            cleanAcc = retrieval();
          }
          return { cleanAccuracy: cleanAcc, adversarialAccuracy: adversarial ? inputAcc : null };
        },
      };
    },
  });
}
