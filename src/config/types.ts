// The experiment configuration. Its ranges, defaults and documentation live in schema.ts.
import type { MNIST_TASK_NAMES } from "./limits.js";

export interface Config {
  seed: number;
  mode: "supervised" | "contrastive";
  train: "clean" | "adv" | "both";
  data: {
    source: "sparse" | "mnist";
    dictionary: "identity" | "orthogonal" | "overcomplete";
    dim: number;
    features: number;
    sparsity: number;
    magnitude: "sign" | "uniform";
    magnitudeLow: number;
    noise: number;
    nTrain: number;
    downstreamSubset: number;
  };
  model: {
    width: number;
    activation: "symrelu" | "relu";
    thresholdInit: number;
    trainThreshold: boolean;
    thresholdClamp: "nonneg" | "none";
    initStd: number;
    headInitStd: number;
    trainHead: boolean;
    outputBias: boolean;
  };
  optim: {
    optimizer: "adam" | "sgd";
    lr: number;
    momentum: number;
    beta1: number;
    beta2: number;
    adamEps: number;
    weightDecay: number;
    batch: number;
    steps: number;
  };
  adv: {
    attack: "pgd" | "fgm";
    norm: "l2" | "linf";
    eps: number;
    steps: number;
    stepSize: number;
    randomStart: boolean;
  };
  mnist: {
    pretrainTask: MnistTask;
    downstreamTask: MnistTask;
    nPretrain: number;
  };
  contrastive: {
    views: "identical" | "noise" | "dropout" | "mask";
    viewNoise: number;
    keepProb: number;
    sharedDense: number;
    loss: "ntxent" | "spectral";
    tau: number;
    normalize: boolean;
    keepClean: boolean;
  };
  downstream: { n: number; l2: number; adapt: AdaptMode[]; steps: number; l2Sweep: number[] };
  eval: {
    n: number;
    epsL2: number[];
    epsLinf: number[];
    steps: number;
    restarts: number;
    stepScale: number;
    surrogateSlope: number;
    radius: number;
    radiusNorm: "l2" | "linf";
    strongSteps: number;
    strongRestarts: number;
    apgd: boolean;
    apgdSteps: number;
    chunk: number;
  };
  metrics: { significance: number; topR: number; liveFraction: number; histogramBins: number };
  logEvery: number;
  backend: "auto" | "relaxed" | "simd" | "scalar";
  threads: number;
  incrementalForward: boolean;
}

/** Downstream adaptations (src/experiments/adapt.ts). */
export type AdaptMode = "clean-linear" | "adv-linear" | "adv-full" | "adv-scratch";

/** Binary labellings of all ten digits (src/data/mnistTasks.ts). */
export type MnistTask = (typeof MNIST_TASK_NAMES)[number];

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
