// The downstream adaptations compared on one pre-trained encoder (config downstream.adapt,
// docs/adaptation.md): the clean linear head, and three adversarial procedures that cost more. Each
// model is attacked by the same evaluation on the same test samples, so that a run shows how much
// robustness the cheap clean head keeps, and at what fraction of the cost.
import type { AdaptMode, Config } from "../config/types.js";
import type { Dataset } from "../data/dataset.js";
import type { Engine } from "../engine/wasm.js";
import { allocTwoLayer, initTwoLayer, withHead, type TwoLayer } from "../model/twoLayer.js";
import type { EvalControl, EvalScratch, LabelledSet } from "../attacks/pgd.js";
import { trainAdversarially } from "../train/adaptation.js";
import { headFitFlops, trainingStepFlops } from "../train/flops.js";
import type { Rng } from "../rng.js";
import { evaluateModel, type ModelEval } from "./evaluate.js";

export interface AdaptResult {
  mode: AdaptMode;
  eval: ModelEval;
  /** Training FLOPs, counted from shapes and steps (src/train/flops.ts). */
  flops: number;
  /** Optimiser steps, or Newton iterations for clean-linear. */
  steps: number;
  /** Loss and accuracies of the adversarial training's last logged step; null for clean-linear. */
  final: { loss: number; cleanAccuracy: number; adversarialAccuracy: number | null } | null;
}

/** An adaptation with the wall time of its training (the head's solve for clean-linear), evaluation excluded: the run keeps it in timingsMs. */
export type TimedAdapt = AdaptResult & { trainMs: number };

/** The clean head's model, fit and timing, computed by the caller (it is the run's `downstream` model). */
export interface CleanHead {
  model: TwoLayer;
  eval: ModelEval;
  iterations: number;
  ms: number;
}

export interface AdaptContext {
  engine: Engine;
  /** The pre-trained network; its hidden layer is never changed here. */
  encoder: TwoLayer;
  clean: CleanHead;
  cfg: Config;
  dataset: Dataset;
  test: LabelledSet;
  scratch: EvalScratch;
  root: Rng;
  /** Label of the pre-training arm, which keeps the random streams of the arms apart. */
  arm: string;
  control: EvalControl;
  onStep?: (mode: AdaptMode, step: number, total: number) => void;
}

/** Every mode of cfg.downstream.adapt, in its order. */
export async function adaptModes(c: AdaptContext): Promise<TimedAdapt[]> {
  const out: TimedAdapt[] = [];
  for (const mode of c.cfg.downstream.adapt) out.push(mode === "clean-linear" ? cleanLinear(c) : await adversarial(c, mode));
  return out;
}

function cleanLinear(c: AdaptContext): TimedAdapt {
  const { clean, encoder, cfg } = c;
  return {
    mode: "clean-linear",
    eval: clean.eval,
    trainMs: clean.ms,
    flops: headFitFlops(encoder.shape, cfg.downstream.n, clean.iterations),
    steps: clean.iterations,
    final: null,
  };
}

/**
 * The adversarial modes, each in arena memory that is given back once it is evaluated. adv-linear
 * and adv-full start from the clean head: adversarial training of a linear head is a convex problem,
 * so the start saves steps, and from a zero head the same steps reached a lower robust accuracy on the
 * default encoders (docs/adaptation.md). adv-scratch starts from the pre-training's initialisation.
 */
async function adversarial(c: AdaptContext, mode: Exclude<AdaptMode, "clean-linear">): Promise<TimedAdapt> {
  const { engine, encoder, cfg, dataset } = c;
  const { arena } = engine;
  const mark = arena.mark();
  try {
    const head = arena.f32(c.clean.model.params.A).slice();
    const bias = arena.f32(c.clean.model.params.c!)[0];
    let net: TwoLayer;
    if (mode === "adv-linear") net = withHead(arena, encoder, head, bias);
    else {
      net = allocTwoLayer(arena, { ...encoder.shape, C: 1 }, true);
      if (mode === "adv-full") {
        arena.f32(net.params.W).set(arena.f32(encoder.params.W));
        arena.f32(net.params.thr).set(arena.f32(encoder.params.thr));
        arena.f32(net.params.A).set(head);
        arena.f32(net.params.c!)[0] = bias;
      } else initTwoLayer(arena, net, cfg.model, c.root.fork("init"));
    }
    const steps = mode === "adv-scratch" ? cfg.optim.steps : cfg.downstream.steps;
    const rng = c.root.fork(`adapt-${c.arm}-${mode}`);
    const t0 = performance.now();
    const curve = await trainAdversarially(engine, net, cfg, dataset.downTrain, rng, {
      freezeEncoder: mode === "adv-linear",
      steps,
      box: dataset.box,
      signal: c.control.signal,
      onStep: (s, n) => c.onStep?.(mode, s, n),
    });
    const trainMs = performance.now() - t0;
    // Every mode's attacks draw the same random starts.
    const evaluated = await evaluateModel(engine, net, c.test, cfg, dataset.box, c.scratch, c.root.fork(`adapt-eval-${c.arm}`), c.control);
    const last = curve[curve.length - 1];
    return {
      mode,
      eval: evaluated.eval,
      trainMs,
      flops: steps * trainingStepFlops(net.shape, cfg.optim.batch, cfg.adv.attack === "fgm" ? 1 : cfg.adv.steps, mode !== "adv-linear"),
      steps,
      final: { loss: last.loss, cleanAccuracy: last.cleanAccuracy, adversarialAccuracy: last.adversarialAccuracy },
    };
  } finally {
    arena.reset(mark);
  }
}
