// The experiment of the paper, for any pre-training objective and dataset: pre-train (clean and/or
// adversarially), measure how pure the hidden neurons are, then freeze them, fit a clean linear
// head on a new task, and attack both models. Pre-training and adaptation are separate steps, so
// one pre-trained encoder can serve many downstream tasks.
import type { AdaptMode, Config } from "../config/types.js";
import { allocWork } from "../engine/layout.js";
import { createEngine, type Engine } from "../engine/wasm.js";
import type { Dataset, LabelledData } from "../data/dataset.js";
import { makeDataset } from "../data/datasets.js";
import { allocTwoLayer, initTwoLayer, withHead, type TwoLayer } from "../model/twoLayer.js";
import { isLoggingStep, type CurvePoint } from "../train/curve.js";
import { PRETRAINERS, type Arm } from "../train/pretrainers.js";
import { fitLogistic, fitStandardizer, foldHead, type HeadFit } from "../train/logisticRegression.js";
import { allocEvalScratch, marginsUnder, type EvalScratch, type LabelledSet } from "../attacks/pgd.js";
import { evaluateModel, withTransfer, type Evaluated, type ModelEval } from "./evaluate.js";
import { coefficientMatrix, neuronPurity, summarizePurity, type NeuronPurity, type PuritySummary } from "../metrics/purity.js";
import { coefficientMagnitudes } from "../metrics/coefficients.js";
import { neuronProxies, summarizeProxies, type ProxySummary } from "../metrics/proxies.js";
import { Rng } from "../rng.js";
import { makePacer } from "../train/pacer.js";
import type { TrainingCheckpoints } from "../train/trainState.js";
import { runCheckpointer, type CheckpointOptions } from "./runCheckpoint.js";
import type { Plan } from "./plan.js";
import { adaptModes, type AdaptResult } from "./adapt.js";
import { headSensitivity, type SensitivityPoint } from "./headSensitivity.js";

export type { Arm } from "../train/pretrainers.js";

export interface Progress {
  arm: Arm;
  phase: "pretrain" | "downstream" | "evaluate";
  done: number;
  total: number;
}

/** The hidden layer during pre-training, for drawing purification as it happens. */
export interface Snapshot {
  arm: Arm;
  step: number;
  m: number;
  /** Columns: dictionary atoms D, or input coordinates d for data without a known dictionary. */
  D: number;
  /** |M^T w_j| of neuron j (row) on feature i (column), or |w_j| without a dictionary: m x D, row-major. */
  coefficients: Float32Array;
}

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Called at step 1, every config.logEvery pre-training steps, and after the last step. */
  onSnapshot?: (s: Snapshot) => void;
  /** Where browsers fetch the .wasm files from, when a bundler has moved the library away from them. */
  wasmBaseUrl?: string | URL;
  /** Write training checkpoints, and continue from one. */
  checkpoint?: CheckpointOptions;
  /** Receives a copy of each arm's pre-trained hidden weights W (m, d), e.g. to draw them (src/model/mosaic.ts). */
  onWeights?: (arm: Arm, W: Float32Array, shape: { m: number; d: number }) => void;
}

export type { HeadFit } from "../train/logisticRegression.js";

export interface ArmResult {
  arm: Arm;
  curve: CurvePoint[];
  /** Purification metrics against the known dictionary; null for real data without one. */
  purity: PuritySummary | null;
  neurons: NeuronPurity[];
  /** c_j = M^T w_j of every neuron (m x D), with a known dictionary: large, so sweep result lines leave it out. */
  coefficients?: number[][];
  /** Purification proxies for image data without a dictionary; absent or null otherwise. */
  proxies?: ProxySummary | null;
  thresholds: { mean: number; max: number; zeroFraction: number };
  /** The pre-trained network; for objectives without a task head, the encoder with a clean linear probe (its fit in probe). */
  pretrained: ModelEval & { probe?: HeadFit };
  downstream: ModelEval & { fit: HeadFit };
  /** The modes of config downstream.adapt on this encoder, in its order (clean-linear is `downstream`). */
  adaptations: AdaptResult[];
  /** The clean head refitted with each penalty of config downstream.l2Sweep; empty without one. */
  headSensitivity: SensitivityPoint[];
  /** adapt: the adaptations and the head-penalty sweep together; adaptTraining: each adaptation's training alone. */
  timingsMs: { pretrain: number; downstream: number; evaluate: number; adapt: number; adaptTraining: Partial<Record<AdaptMode, number>> };
}

export interface ExperimentRun {
  arms: ArmResult[];
  backend: Engine["backend"];
  backendWarning?: string;
}

/** A pre-trained network living in its engine's arena. */
export interface Pretrained {
  arm: Arm;
  engine: Engine;
  net: TwoLayer;
  curve: CurvePoint[];
  ms: number;
}

/** Pre-trains one arm on a fresh engine. Both arms draw the same initialisation and batches. */
export async function pretrainArm(
  cfg: Config,
  dataset: Dataset,
  root: Rng,
  arm: Arm,
  opts: RunOptions = {},
  checkpoints?: TrainingCheckpoints,
): Promise<Pretrained> {
  const engine = await createEngine({ backend: cfg.backend, threads: cfg.threads, wasmBaseUrl: opts.wasmBaseUrl });
  const t0 = performance.now();
  const shape = networkShape(cfg, dataset);
  const net = allocTwoLayer(engine.arena, shape, cfg.model.outputBias);
  initTwoLayer(engine.arena, net, cfg.model, root.fork("init"));
  const snapshot = (step: number) => {
    const W = engine.arena.f32(net.params.W);
    const coefficients = dataset.truth ? coefficientMagnitudes(W, shape.m, dataset.truth.dict) : W.map(Math.abs);
    opts.onSnapshot?.({ arm, step, m: shape.m, D: coefficients.length / shape.m, coefficients });
  };
  const curve = await PRETRAINERS[cfg.mode].train({
    engine,
    net,
    cfg,
    dataset,
    root,
    arm,
    signal: opts.signal,
    checkpoints,
    onStep: (s, n) => {
      opts.onProgress?.({ arm, phase: "pretrain", done: s, total: n });
      if (opts.onSnapshot && isLoggingStep(s, n, cfg.logEvery)) snapshot(s);
    },
  });
  return { arm, engine, net, curve, ms: performance.now() - t0 };
}

export function networkShape(cfg: Config, dataset: Dataset) {
  return { d: dataset.d, m: cfg.model.width, C: 1, activation: cfg.model.activation };
}

interface Adapted {
  pre: Pretrained;
  pretrainedModel: TwoLayer;
  downstream: TwoLayer;
  scratch: EvalScratch;
  sets: { pre: LabelledSet; down: LabelledSet };
  evaluated: { pre: Evaluated; down: Evaluated };
  result: ArmResult;
}

function toArena(engine: Engine, data: LabelledData, what: string): LabelledSet {
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

/** Dictionary-free purification proxies of the hidden layer, probed on the downstream test images. */
function imageProxies(
  engine: Engine,
  net: TwoLayer,
  set: LabelledSet,
  images: NonNullable<Dataset["images"]>,
  scratch: EvalScratch,
  liveFraction: number,
): ProxySummary {
  const probe = { H: features(engine, net, set, scratch), n: set.n, classes: images.classes, classCount: images.classCount };
  return summarizeProxies(neuronProxies(engine.arena.f32(net.params.W), net.shape.m, images.side, probe, { liveFraction }), {
    liveFraction,
  });
}

/** A clean logistic-regression head on the frozen hidden layer of `encoder` (linear probing). */
export function fitHead(
  engine: Engine,
  encoder: TwoLayer,
  set: LabelledSet,
  cfg: Config,
  scratch: EvalScratch,
): { model: TwoLayer; fit: HeadFit } {
  const m = encoder.shape.m;
  const F = features(engine, encoder, set, scratch);
  const std = fitStandardizer(F, set.n, m);
  const fit = fitLogistic(F, engine.arena.f32(set.y), set.n, m, std, cfg.downstream.l2, engine);
  const head = foldHead(fit, std);
  return {
    model: withHead(engine.arena, encoder, head.A, head.c),
    fit: { iterations: fit.iterations, converged: fit.converged, loss: fit.loss },
  };
}

/** Freezes the pre-trained hidden layer, fits the clean downstream head, and evaluates both models. */
export async function adaptAndEvaluate(pre: Pretrained, cfg: Config, dataset: Dataset, root: Rng, opts: RunOptions = {}): Promise<Adapted> {
  const { engine, net, arm } = pre;
  const { arena } = engine;
  const progress = (phase: Progress["phase"], done: number, total: number) => opts.onProgress?.({ arm, phase, done, total });
  const t1 = performance.now();
  const chunk = Math.min(cfg.eval.chunk, Math.max(cfg.eval.n, cfg.downstream.n));
  const scratch = allocEvalScratch(
    engine,
    allocWork(arena, net.shape, chunk),
    net.shape.d,
    cfg.incrementalForward ? net.shape : null,
    cfg.eval.apgd,
  );
  const sets = {
    pre: toArena(engine, dataset.preTest, "pre-training test set"),
    down: toArena(engine, dataset.downTest, "downstream test set"),
  };
  const downTrain = toArena(engine, dataset.downTrain, "downstream training set");
  const downstream = fitHead(engine, net, downTrain, cfg, scratch);
  const headMs = performance.now() - t1;
  // Without a task head of its own, the pre-trained model is the encoder with a clean linear probe on the pre-training task.
  const probeTrain = PRETRAINERS[cfg.mode].hasTaskHead ? null : toArena(engine, dataset.preTrain, "pre-training probe set");
  const probe = probeTrain && fitHead(engine, net, probeTrain, cfg, scratch);
  const pretrainedModel = probe?.model ?? net;
  const t2 = performance.now();
  progress("downstream", 1, 1);

  const evalRng = root.fork(`evaluate-${arm}`);
  progress("evaluate", 0, 2);
  // The evaluation is long: it yields to the event loop and honours opts.signal between attack calls.
  const control = { signal: opts.signal, pace: makePacer() };
  const preEval = await evaluateModel(engine, pretrainedModel, sets.pre, cfg, dataset.box, scratch, evalRng, control);
  progress("evaluate", 1, 2);
  const downEval = await evaluateModel(engine, downstream.model, sets.down, cfg, dataset.box, scratch, evalRng, control);
  progress("evaluate", 2, 2);
  const t3 = performance.now();

  const timed = await adaptModes({
    engine,
    encoder: net,
    cfg,
    dataset,
    test: sets.down,
    scratch,
    root,
    arm,
    control,
    clean: { model: downstream.model, eval: downEval.eval, iterations: downstream.fit.iterations, ms: headMs },
    onStep: (_mode, s, n) => progress("downstream", s, n),
  });
  const sensitivity = await headSensitivity({
    engine,
    encoder: net,
    cfg,
    box: dataset.box,
    scratch,
    root,
    arm,
    control,
    fitHead: (encoder, set, c) => fitHead(engine, encoder, set, c, scratch),
    down: { train: downTrain, test: sets.down },
    probe: probeTrain && { train: probeTrain, test: sets.pre },
  });
  const t4 = performance.now();

  const { m } = net.shape;
  // Nothing below allocates in the arena, so this view of W stays valid.
  const W = arena.f32(net.params.W);
  const { truth } = dataset;
  const neurons = truth ? neuronPurity(W, m, truth.dict, truth.theta, cfg.metrics) : [];
  const proxies = dataset.images ? imageProxies(engine, net, sets.down, dataset.images, scratch, cfg.metrics.liveFraction) : null;
  opts.onWeights?.(arm, W.slice(), { m, d: net.shape.d });
  const thr = arena.f32(net.params.thr);
  return {
    pre,
    pretrainedModel,
    downstream: downstream.model,
    scratch,
    sets,
    evaluated: { pre: preEval, down: downEval },
    result: {
      arm,
      curve: pre.curve,
      purity: truth ? summarizePurity(neurons, cfg.metrics) : null,
      neurons,
      coefficients: truth ? coefficientMatrix(W, m, truth.dict) : undefined,
      proxies,
      thresholds: { mean: mean(thr), max: Math.max(...thr), zeroFraction: thr.filter((t) => t === 0).length / thr.length },
      pretrained: probe ? { ...preEval.eval, probe: probe.fit } : preEval.eval,
      downstream: { ...downEval.eval, fit: downstream.fit },
      adaptations: timed.map(({ trainMs: _t, ...a }) => a),
      headSensitivity: sensitivity,
      timingsMs: {
        pretrain: pre.ms,
        downstream: t2 - t1,
        evaluate: t3 - t2,
        adapt: t4 - t3,
        adaptTraining: Object.fromEntries(timed.map((a) => [a.mode, a.trainMs])),
      },
    },
  };
}

/**
 * Each arm's models attacked with the worst perturbations found on the other arm's: the transfer check,
 * folded into their robust accuracy at the headline radius. Both directions read the evaluations'
 * perturbations as they were before either transfer.
 */
function transfer(arms: Adapted[]): void {
  if (arms.length !== 2) return;
  for (const [target, source] of [
    [arms[0], arms[1]],
    [arms[1], arms[0]],
  ]) {
    const { engine } = target.pre;
    const { pre, down } = target.evaluated;
    withTransfer(pre, marginsUnder(engine, target.pretrainedModel, target.sets.pre, source.evaluated.pre.worst, target.scratch));
    withTransfer(down, marginsUnder(engine, target.downstream, target.sets.down, source.evaluated.down.worst, target.scratch));
  }
}

export async function runArms(plan: Plan, opts: RunOptions = {}): Promise<ExperimentRun> {
  const cfg = plan.config;
  const root = new Rng(cfg.seed);
  const dataset = await makeDataset(cfg, root);
  const arms: Arm[] = cfg.train === "both" ? ["clean", "adv"] : [cfg.train];
  const adapted: Adapted[] = [];
  const checkpointer = opts.checkpoint ? runCheckpointer(cfg, opts.checkpoint, plan.resume) : null;
  for (const arm of arms) {
    const pre = await pretrainArm(cfg, dataset, root, arm, opts, checkpointer?.forArm(arm));
    adapted.push(await adaptAndEvaluate(pre, cfg, dataset, root, opts));
  }
  transfer(adapted);
  for (const a of adapted) a.pre.engine.close();
  const { backend, backendWarning } = adapted[0].pre.engine;
  return { arms: adapted.map((a) => a.result), backend, ...(backendWarning ? { backendWarning } : {}) };
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : 0;
}
