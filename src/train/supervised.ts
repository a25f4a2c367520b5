// Supervised pre-training of the two-layer network, clean or adversarial (docs/model.md, "Pre-training"):
// minimise the logistic loss at x, or at the attack's x + delta found by PGD/FGM inside the eps-ball.
import type { Config } from "../config/types.js";
import { allocWork } from "../engine/layout.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import type { BatchSource } from "../data/dataset.js";
import { allocIncremental, attackBatch, trainingAttack } from "../attacks/pgd.js";
import { allocRandomStart } from "../attacks/randomStart.js";
import type { Rng } from "../rng.js";
import type { CurvePoint } from "./curve.js";
import { train, type PretrainOptions } from "./loop.js";

export function pretrainSupervised(
  engine: Engine,
  net: TwoLayer,
  cfg: Config,
  source: BatchSource,
  rng: Rng,
  opts: PretrainOptions,
): Promise<CurvePoint[]> {
  return train(engine, net, cfg, opts, {
    head: true,
    build(gradRec) {
      const { arena, kernels: k } = engine;
      const { d } = net.shape;
      const B = cfg.optim.batch;
      const work = allocWork(arena, net.shape, B);
      const x = arena.alloc(B * d, "batch inputs");
      const y = arena.alloc(B, "batch labels");
      const delta = arena.alloc(B * d, "batch perturbations");
      const xadv = arena.alloc(B * d, "adversarial batch");
      const starts = allocRandomStart(arena, B, d);
      const inc = cfg.incrementalForward && opts.adversarial && cfg.adv.norm === "linf" ? allocIncremental(arena, B, d, net.shape.m) : null;
      const attack = trainingAttack(cfg.adv, opts.box);
      const adversarial = opts.adversarial && attack.eps > 0;
      const input = adversarial ? xadv : x;
      let inputCorrect = 0;
      return {
        rngs: { attack: rng },
        source,
        batch() {
          source.next(arena.f32(x), arena.f32(y));
          if (adversarial) attackBatch(engine, net, work, x, y, delta, xadv, B, attack, starts, rng, inc);
        },
        lossAndGradient(logging) {
          k.netForward(net.rec.ptr, work.rec.ptr, input.ptr, B);
          const loss = k.logisticForward(work.logits.ptr, y.ptr, B);
          inputCorrect = logging ? k.countCorrect(work.logits.ptr, y.ptr, B) : 0;
          arena.f32(work.dlogits).fill(0);
          k.logisticBackward(work.dlogits.ptr, work.logits.ptr, y.ptr, B, 1 / B);
          k.netBackward(net.rec.ptr, gradRec.ptr, work.rec.ptr, input.ptr, 0, B, 0);
          return loss;
        },
        accuracies() {
          let cleanCorrect = inputCorrect;
          if (adversarial) {
            k.netForward(net.rec.ptr, work.rec.ptr, x.ptr, B);
            cleanCorrect = k.countCorrect(work.logits.ptr, y.ptr, B);
          }
          return { cleanAccuracy: cleanCorrect / B, adversarialAccuracy: adversarial ? inputCorrect / B : null };
        },
      };
    },
  });
}
