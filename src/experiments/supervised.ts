// The supervised experiment of the paper: pre-train (clean and/or adversarially), measure how pure
// the hidden neurons are, then freeze them, fit a clean linear head on a new task and attack both.
import type { Config } from "../config/types.js";
import { featureCount } from "../config/validate.js";
import { allocWork } from "../engine/layout.js";
import { createEngine, type Engine } from "../engine/wasm.js";
import { makeDictionary } from "../data/dictionary.js";
import { labelDirection, sampleLabelled, type LatentSpec } from "../data/sparseCoding.js";
import { batchSource, type Task } from "../data/source.js";
import { allocTwoLayer, initTwoLayer, withHead, type TwoLayer } from "../model/twoLayer.js";
import { pretrainSupervised, type CurvePoint } from "../train/pretrain.js";
import { fitLogistic, fitStandardizer, foldHead } from "../train/logisticRegression.js";
import { accuracyUnder, allocEvalScratch, type EvalScratch, type LabelledSet } from "../attacks/pgd.js";
import { evaluateModel, type ModelEval } from "./evaluate.js";
import { neuronPurity, summarizePurity, type NeuronPurity, type PuritySummary } from "../metrics/purity.js";
import { Rng } from "../rng.js";

export type Arm = "clean" | "adv";

export interface Progress {
  arm: Arm;
  phase: "pretrain" | "downstream" | "evaluate";
  done: number;
  total: number;
}

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface ArmResult {
  arm: Arm;
  curve: CurvePoint[];
  purity: PuritySummary;
  neurons: NeuronPurity[];
  thresholds: { mean: number; max: number; zeroFraction: number };
  pretrained: ModelEval;
  downstream: ModelEval & { fit: { iterations: number; converged: boolean; loss: number } };
  timingsMs: { pretrain: number; downstream: number; evaluate: number };
}

export interface SupervisedResult {
  arms: ArmResult[];
  backend: Engine["backend"];
}

interface ArmState {
  engine: Engine;
  pretrained: TwoLayer;
  downstream: TwoLayer;
  scratch: EvalScratch;
  sets: { pre: LabelledSet; down: LabelledSet };
  worst: { pre: Float32Array; down: Float32Array };
  result: ArmResult;
}

function toArena(engine: Engine, data: { x: Float32Array; y: Float32Array; n: number }, what: string): LabelledSet {
  const x = engine.arena.alloc(data.x.length, what);
  const y = engine.arena.alloc(data.n, what);
  engine.arena.f32(x).set(data.x);
  engine.arena.f32(y).set(data.y);
  return { x, y, n: data.n };
}

/** Hidden activations h(x) (n,m) of the frozen encoder, computed in chunks through the kernels. */
function features(engine: Engine, net: TwoLayer, set: LabelledSet, scratch: EvalScratch): Float32Array {
  const { arena, kernels } = engine;
  const { d, m } = net.shape;
  const F = new Float32Array(set.n * m);
  for (let start = 0; start < set.n; start += scratch.chunk) {
    const B = Math.min(set.n - start, scratch.chunk);
    kernels.netForward(net.rec.ptr, scratch.work.rec.ptr, set.x.ptr + 4 * start * d, B);
    F.set(arena.f32(scratch.work.h).subarray(0, B * m), start * m);
  }
  return F;
}

export async function runSupervised(cfg: Config, opts: RunOptions = {}): Promise<SupervisedResult> {
  const root = new Rng(cfg.seed);
  const D = featureCount(cfg);
  const d = cfg.data.dim;
  const dict = makeDictionary(cfg.data.dictionary, d, D, root.fork("dictionary"));
  const spec: LatentSpec = { D, k: cfg.data.sparsity, magnitude: cfg.data.magnitude, magnitudeLow: cfg.data.magnitudeLow };
  const pre: Task = { dict, spec, theta: labelDirection(D, 1, root.fork("theta")), noise: cfg.data.noise };
  const down: Task = { ...pre, theta: labelDirection(D, cfg.data.downstreamSubset, root.fork("theta-downstream")) };
  const preTest = sampleLabelled(cfg.eval.n, dict, spec, pre.theta, pre.noise, root.fork("test-pretrain"));
  const downTrain = sampleLabelled(cfg.downstream.n, dict, spec, down.theta, down.noise, root.fork("train-downstream"));
  const downTest = sampleLabelled(cfg.eval.n, dict, spec, down.theta, down.noise, root.fork("test-downstream"));
  const arms: Arm[] = cfg.train === "both" ? ["clean", "adv"] : [cfg.train];
  const shape = { d, m: cfg.model.width, C: 1, activation: cfg.model.activation };

  const states: ArmState[] = [];
  let backend: Engine["backend"] = "simd";
  for (const arm of arms) {
    // Both arms see the same initialisation, batches and test sets: only the training objective differs.
    const engine = await createEngine({ backend: cfg.backend, threads: cfg.threads });
    backend = engine.backend;
    const { arena } = engine;
    const progress = (phase: Progress["phase"], done: number, total: number) => opts.onProgress?.({ arm, phase, done, total });

    const t0 = performance.now();
    const net = allocTwoLayer(arena, shape, cfg.model.outputBias);
    initTwoLayer(arena, net, cfg.model, root.fork("init"));
    const curve = pretrainSupervised(engine, net, cfg, batchSource(pre, cfg.data.nTrain, cfg.optim.batch, root.fork("batches")), root.fork(`attack-${arm}`), {
      adversarial: arm === "adv",
      signal: opts.signal,
      onStep: (s, n) => progress("pretrain", s, n),
    });
    const t1 = performance.now();

    const scratch = allocEvalScratch(engine, allocWork(arena, shape, Math.min(cfg.eval.chunk, Math.max(cfg.eval.n, cfg.downstream.n))), d);
    const sets = { pre: toArena(engine, preTest, "pre-training test set"), down: toArena(engine, downTest, "downstream test set") };
    const trainSet = toArena(engine, downTrain, "downstream training set");
    const F = features(engine, net, trainSet, scratch);
    const std = fitStandardizer(F, downTrain.n, shape.m);
    const fit = fitLogistic(F, downTrain.y, downTrain.n, shape.m, std, cfg.downstream.l2);
    const head = foldHead(fit, std);
    const downstream = withHead(arena, net, head.A, head.c);
    const t2 = performance.now();
    progress("downstream", 1, 1);

    const evalRng = root.fork(`evaluate-${arm}`);
    progress("evaluate", 0, 2);
    const preEval = evaluateModel(engine, net, sets.pre, cfg, scratch, evalRng);
    progress("evaluate", 1, 2);
    const downEval = evaluateModel(engine, downstream, sets.down, cfg, scratch, evalRng);
    progress("evaluate", 2, 2);
    const t3 = performance.now();

    const W = arena.f32(net.params.W);
    const neurons = neuronPurity(W, shape.m, dict, pre.theta, cfg.metrics);
    const thr = arena.f32(net.params.thr);
    states.push({
      engine,
      pretrained: net,
      downstream,
      scratch,
      sets,
      worst: { pre: preEval.worst, down: downEval.worst },
      result: {
        arm,
        curve,
        purity: summarizePurity(neurons, cfg.metrics),
        neurons,
        thresholds: { mean: mean(thr), max: Math.max(...thr), zeroFraction: thr.filter((t) => t === 0).length / thr.length },
        pretrained: preEval.eval,
        downstream: { ...downEval.eval, fit: { iterations: fit.iterations, converged: fit.converged, loss: fit.loss } },
        timingsMs: { pretrain: t1 - t0, downstream: t2 - t1, evaluate: t3 - t2 },
      },
    });
  }

  // Transfer: each arm's models attacked with the worst perturbations found on the other arm's.
  if (states.length === 2) {
    for (const [target, source] of [[states[0], states[1]], [states[1], states[0]]]) {
      const r = target.result;
      r.pretrained.headline.transferAccuracy = accuracyUnder(target.engine, target.pretrained, target.sets.pre, source.worst.pre, target.scratch);
      r.downstream.headline.transferAccuracy = accuracyUnder(target.engine, target.downstream, target.sets.down, source.worst.down, target.scratch);
    }
  }
  for (const s of states) s.engine.close();
  return { arms: states.map((s) => s.result), backend };
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : 0;
}
