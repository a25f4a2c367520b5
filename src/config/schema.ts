// The one description of every experiment option: type, accepted range, default, CLI flag and doc.
// Defaults, validation (config files, CLI flags, API calls) and the CLI's option list all derive
// from SCHEMA, so an option cannot exist in one place and be missing in another.
import type { Config, DeepPartial } from "./types.js";
import { MAX_THREADS, MNIST_TASK_NAMES, TOTAL_DIGITS } from "./limits.js";

export const ADAPT_MODES = ["clean-linear", "adv-linear", "adv-full", "adv-scratch"] as const;

interface Common {
  doc: string;
  /** CLI flag without the leading dashes. */
  flag?: string;
  /** True where the choice is our reconstruction of the paper's model, not its stated setting. */
  reconstruction?: boolean;
}
export interface IntSpec extends Common {
  kind: "int";
  min: number;
  max: number;
  default: number;
}
export interface NumSpec extends Common {
  kind: "number";
  min: number;
  max: number;
  minExclusive?: boolean;
  default: number;
}
export interface EnumSpec<T extends string = string> extends Common {
  kind: "enum";
  values: readonly T[];
  default: T;
}
export interface BoolSpec extends Common {
  kind: "bool";
  default: boolean;
}
export interface ListSpec extends Common {
  kind: "list";
  min: number;
  max: number;
  maxLength: number;
  default: number[];
}
/** A non-empty list of distinct names from `values`. */
export interface ChoicesSpec<T extends string = string> extends Common {
  kind: "choices";
  values: readonly T[];
  default: T[];
}
export type FieldSpec = IntSpec | NumSpec | EnumSpec | BoolSpec | ListSpec | ChoicesSpec;

export type SchemaOf<T> = {
  [K in keyof T]: T[K] extends number[]
    ? ListSpec
    : T[K] extends (infer E extends string)[]
      ? ChoicesSpec<E>
      : T[K] extends number
        ? IntSpec | NumSpec
        : T[K] extends boolean
          ? BoolSpec
          : T[K] extends string
            ? EnumSpec<T[K]>
            : SchemaOf<T[K]>;
};

const int = (min: number, max: number, def: number, doc: string, flag?: string, extra: Partial<Common> = {}): IntSpec => ({
  kind: "int",
  min,
  max,
  default: def,
  doc,
  flag,
  ...extra,
});
const num = (min: number, max: number, def: number, doc: string, flag?: string, extra: Partial<NumSpec> = {}): NumSpec => ({
  kind: "number",
  min,
  max,
  default: def,
  doc,
  flag,
  ...extra,
});
const pos = (max: number, def: number, doc: string, flag?: string, extra: Partial<NumSpec> = {}): NumSpec =>
  num(0, max, def, doc, flag, { minExclusive: true, ...extra });
const oneOf = <T extends string>(values: readonly T[], def: T, doc: string, flag?: string, extra: Partial<Common> = {}): EnumSpec<T> => ({
  kind: "enum",
  values,
  default: def,
  doc,
  flag,
  ...extra,
});
const bool = (def: boolean, doc: string, flag?: string, extra: Partial<Common> = {}): BoolSpec => ({
  kind: "bool",
  default: def,
  doc,
  flag,
  ...extra,
});
const choices = <T extends string>(values: readonly T[], def: T[], doc: string, flag?: string): ChoicesSpec<T> => ({
  kind: "choices",
  values,
  default: def,
  doc,
  flag,
});
const list = (min: number, max: number, def: number[], doc: string, flag?: string): ListSpec => ({
  kind: "list",
  min,
  max,
  maxLength: 64,
  default: def,
  doc,
  flag,
});

const R = { reconstruction: true };

export const SCHEMA: SchemaOf<Config> = {
  seed: int(0, 2 ** 31 - 1, 1, "seed of the one PRNG every random draw derives from", "seed"),
  mode: oneOf(
    ["supervised", "contrastive"] as const,
    "supervised",
    "pre-training objective: logistic loss on a labelled task, or contrastive on two views of each sample (no labels; the pre-trained encoder is scored through a clean linear probe)",
    "mode",
  ),
  train: oneOf(["clean", "adv", "both"] as const, "both", "pre-training arms to run: clean, adversarial, or both side by side", "train"),
  data: {
    source: oneOf(
      ["sparse", "mnist"] as const,
      "sparse",
      "dataset: the synthetic sparse-coding model x = M z + xi, or the 10,000 handwritten digits of the mnist package (other defaults change with it: docs/mnist.md)",
      "data",
    ),
    dictionary: oneOf(
      ["identity", "orthogonal", "overcomplete"] as const,
      "orthogonal",
      "dictionary M: identity, Haar-random orthogonal (D = d), or over-complete with unit-norm Gaussian atoms (D >= d)",
      "dictionary",
      R,
    ),
    dim: int(2, 4096, 100, "input dimension d", "dim"),
    features: int(0, 65536, 0, "number of dictionary atoms D (0: D = d)", "features"),
    sparsity: pos(65536, 5, "expected number k of active features per sample (each active with probability k/D)", "sparsity", R),
    magnitude: oneOf(["sign", "uniform"] as const, "sign", "value of an active latent: ±1, or ±U[magnitudeLow, 1]", "magnitude", R),
    magnitudeLow: num(0, 1, 0.5, "lower end of |z_i| when magnitude is uniform", "magnitude-low"),
    noise: num(0, 100, 0, "std of the dense Gaussian noise xi", "noise", R),
    nTrain: int(0, 10_000_000, 0, "pre-training set size; 0 draws fresh samples every step (population training)", "n-train"),
    downstreamSubset: pos(1, 1, "fraction of features the downstream label theta' depends on", "downstream-subset", R),
  },
  model: {
    width: int(1, 65536, 200, "hidden neurons m", "width"),
    activation: oneOf(
      ["symrelu", "relu"] as const,
      "symrelu",
      "symmetric thresholded ReLU relu(w.x-b)-relu(-w.x-b), or plain relu(w.x-b)",
      "activation",
      R,
    ),
    thresholdInit: num(0, 100, 0, "initial threshold b_j", "threshold"),
    trainThreshold: bool(true, "learn the thresholds (kept >= 0) or keep them fixed", "train-threshold", R),
    thresholdClamp: oneOf(
      ["nonneg", "none"] as const,
      "nonneg",
      "trained thresholds: projected back to b >= 0 after every optimiser step (the symmetric ReLU's dead zone |<w,x>| <= b of docs/model.md), or left free, as a plain parameter in an autograd framework is (docs/thresholds.md)",
      "threshold-clamp",
      R,
    ),
    initStd: pos(100, 0.01, "std of the Gaussian initialisation of W", "init-std"),
    headInitStd: num(0, 100, 0.01, "std of the Gaussian initialisation of the head a", "head-init-std"),
    trainHead: bool(true, "learn the head a or keep it at its initialisation", "train-head", R),
    outputBias: bool(false, "give the pre-training network an output bias", "output-bias"),
  },
  optim: {
    optimizer: oneOf(["adam", "sgd"] as const, "adam", "optimiser (Adam with decoupled weight decay, or SGD with momentum)", "optimizer"),
    lr: pos(100, 0.01, "learning rate", "lr"),
    momentum: num(0, 0.9999, 0.9, "SGD momentum", "momentum"),
    beta1: num(0, 0.9999, 0.9, "Adam beta1", "beta1"),
    beta2: num(0, 0.99999, 0.999, "Adam beta2", "beta2"),
    adamEps: pos(1, 1e-8, "Adam epsilon", "adam-eps"),
    weightDecay: num(0, 10, 0, "weight decay", "weight-decay"),
    batch: int(1, 65536, 256, "batch size", "batch"),
    steps: int(1, 10_000_000, 1000, "training steps", "steps"),
  },
  adv: {
    attack: oneOf(
      ["pgd", "fgm"] as const,
      "pgd",
      "inner maximisation of adversarial pre-training (fgm: one step of size eps; FGSM under linf)",
      "attack",
    ),
    norm: oneOf(["l2", "linf"] as const, "l2", "threat model of adversarial pre-training", "norm"),
    eps: num(0, 100, 0.2, "radius of adversarial pre-training", "eps"),
    steps: int(1, 1000, 5, "PGD steps during pre-training", "pgd-steps"),
    stepSize: num(0, 100, 0, "PGD step size (0: 2.5 eps / steps)", "step-size"),
    randomStart: bool(true, "start PGD from a uniform random point of the ball", "random-start"),
  },
  mnist: {
    pretrainTask: oneOf(
      MNIST_TASK_NAMES,
      "low-high",
      "pre-training labels of the digits: parity (even +1, odd -1), low-high (0-4 +1, 5-9 -1) or prime (2,3,5,7 +1)",
      "mnist-pretrain",
    ),
    downstreamTask: oneOf(
      MNIST_TASK_NAMES,
      "parity",
      "downstream labels of the digits (same choices as mnist.pretrainTask)",
      "mnist-downstream",
    ),
    nPretrain: int(
      0,
      TOTAL_DIGITS,
      0,
      "digits in the pre-training pool; 0: every digit not in the downstream training or test pools (the three pools are disjoint)",
      "mnist-n-pretrain",
    ),
  },
  contrastive: {
    views: oneOf(
      ["identical", "noise", "dropout", "mask"] as const,
      "identical",
      "positive pairs (mode contrastive): both views x; x + independent noise per view; each active feature of z kept per view with probability keepProb; or random coordinate masking 2Dx, 2(I-D)x",
      "views",
      R,
    ),
    viewNoise: num(0, 100, 0.05, "std of the independent Gaussian noise added to each view (views noise)", "view-noise", R),
    keepProb: pos(1, 0.8, "probability that a view keeps an active feature of z (views dropout)", "keep-prob", R),
    sharedDense: num(
      0,
      100,
      0,
      "std of a per-sample Gaussian scale s of a dense unit direction u (fixed per dataset): s u is added to the sample before the views are made, so both views share it (0: off)",
      "shared-dense",
      R,
    ),
    loss: oneOf(
      ["ntxent", "spectral"] as const,
      "ntxent",
      "contrastive loss: NT-Xent/InfoNCE over the 2B-2 in-batch negatives, or the spectral loss -2 E<h1,h2> + E<h1,h2'>^2",
      "contrastive-loss",
      R,
    ),
    tau: pos(100, 0.5, "NT-Xent temperature", "tau"),
    normalize: bool(true, "normalise each representation h/||h|| before the loss", "normalize", R),
    keepClean: bool(false, "adversarial contrastive arm: add the clean-view loss to the adversarial-view loss (RoCL)", "keep-clean", R),
  },
  downstream: {
    n: int(2, 1_000_000, 2000, "clean samples for the downstream linear head", "n-down"),
    l2: num(0, 100, 5e-4, "l2 penalty of the downstream logistic regression (on standardised features)", "l2"),
    adapt: choices(
      ADAPT_MODES,
      ["clean-linear"],
      "downstream adaptations to compare, each evaluated with the same attacks and test samples: clean-linear (clean logistic head on the frozen hidden layer), adv-linear (that head trained adversarially through the frozen encoder), adv-full (adversarial fine-tuning of the whole network), adv-scratch (adversarial training of the same network from a fresh initialisation, optim.steps steps); the adversarial ones attack at eval.radiusNorm eps = eval.radius with adv.steps PGD steps (docs/adaptation.md)",
      "adapt",
    ),
    steps: int(1, 10_000_000, 200, "training steps of adv-linear and adv-full (batch optim.batch, optimiser optim.*)", "adapt-steps"),
    l2Sweep: list(
      0,
      100,
      [],
      "head-penalty sensitivity: refit the clean head (and a contrastive encoder's probe) with each of these l2 penalties on the same encoder and attack it at the headline radius",
      "l2-sweep",
    ),
  },
  eval: {
    n: int(1, 1_000_000, 4000, "test samples for every accuracy", "n-eval"),
    epsL2: list(0, 100, [0.1, 0.2, 0.3, 0.5, 1, 2], "l2 radii of the robustness grid", "eps-l2"),
    epsLinf: list(0, 100, [0.01, 0.02, 0.05, 0.1, 0.2], "linf radii of the robustness grid", "eps-linf"),
    steps: int(1, 10_000, 20, "PGD steps of the evaluation attack", "eval-steps"),
    restarts: int(1, 1000, 2, "random restarts of the evaluation attack (odd restarts use the surrogate gradient)", "restarts"),
    stepScale: pos(100, 2.5, "evaluation step size as a multiple of eps / steps", "step-scale"),
    surrogateSlope: num(
      0,
      1,
      0.1,
      "gradient slope inside the activation dead zone used by odd restarts, so flat regions cannot hide vulnerability",
      "surrogate-slope",
    ),
    radius: pos(100, 0.2, "headline radius: strong-attack and transfer checks run here", "radius"),
    radiusNorm: oneOf(["l2", "linf"] as const, "l2", "norm of the headline radius", "radius-norm"),
    strongSteps: int(1, 100_000, 100, "PGD steps of the strong-attack check", "strong-steps"),
    strongRestarts: int(1, 1000, 5, "restarts of the strong-attack check", "strong-restarts"),
    apgd: bool(
      true,
      "also attack every radius with APGD (Croce & Hein 2020) on the cross-entropy and on a scale-invariant margin loss; robust accuracy is the per-sample worst case over all attacks (docs/evaluation.md)",
      "apgd",
    ),
    apgdSteps: int(1, 10_000, 20, "steps of each APGD run", "apgd-steps"),
    chunk: int(1, 65536, 1000, "samples per attack call (bounds memory)", "eval-chunk"),
  },
  metrics: {
    significance: pos(1, 0.5, "a feature is significant for a neuron when |c_ji| >= significance * max_i |c_ji|", "significance"),
    topR: int(1, 65536, 1, "r of the energy-outside-top-r metric", "top-r"),
    liveFraction: num(0, 1, 0.1, "a neuron is live when ||w_j|| >= liveFraction * max_j ||w_j||", "live-fraction"),
    histogramBins: int(2, 1000, 10, "bins of the significant-feature histogram (the last collects the rest)", "histogram-bins"),
  },
  logEvery: int(1, 10_000_000, 50, "record the training curve every this many steps", "log-every"),
  backend: oneOf(
    ["auto", "relaxed", "simd", "scalar"] as const,
    "relaxed",
    "kernel build, part of a result's identity like the seed (builds differ in f32 rounding, which training amplifies): relaxed SIMD (fused multiply-add; falls back to simd with a warning where the runtime lacks it), SIMD, scalar, or auto (the fastest the runtime validates, silently)",
    "backend",
  ),
  threads: int(
    0,
    MAX_THREADS,
    1,
    "kernel threads: attacks, forward and backward passes split their work across this many workers on shared WASM memory (SIMD backends); 0: one per core, at most 8. Results are the same for every count",
    "threads",
  ),
  incrementalForward: bool(
    false,
    "l-inf PGD attacks (supervised training and every evaluation) update the last iterate's pre-activations by the inputs that changed instead of recomputing them, which skips the inputs on the faces of the ball (faster with more steps; docs/speed.md). Changes the rounding of those attacks; l2 attacks are unaffected",
    "incremental-forward",
  ),
};

/**
 * Defaults that depend on config.mode, applied over the schema defaults and under every user layer,
 * so an explicit value always wins. Contrastive pre-training has no label to make thresholds grow
 * from 0: its reference regime (issue 4) fixes them at 0.3 and starts W at a larger scale.
 */
export const MODE_DEFAULTS: Record<Config["mode"], DeepPartial<Config>> = {
  supervised: {},
  contrastive: { model: { thresholdInit: 0.3, trainThreshold: false, initStd: 0.1 } },
};
