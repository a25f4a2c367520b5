// The public API of featpure. The CLI is a thin layer over it, and browsers use it unchanged.
import type { Config, DeepPartial } from "./config/types.js";
import { runArms, type ArmResult, type RunOptions } from "./experiments/experiment.js";
import type { Backend } from "./engine/wasm.js";
import { VERSION } from "./version.js";
import { planEncoder, planRun, type Plan } from "./experiments/plan.js";
import { adaptEncoder, pretrainEncoderArm, type DownstreamOptions } from "./experiments/encoder.js";
import { decodeEncoder, encodeEncoder, type Encoder } from "./io/encoderFile.js";

export type { Config, DeepPartial } from "./config/types.js";
export { SCHEMA, MODE_DEFAULTS, type FieldSpec } from "./config/schema.js";
export { ConfigError, resolveConfig, defaultConfig, walkSchema, checkValue, type ConfigIssue } from "./config/validate.js";
export { ineffectiveOptions } from "./config/effects.js";
export type { ArmResult, Progress, RunOptions, Arm, HeadFit, Pretrained, Snapshot } from "./experiments/experiment.js";
export { pretrainArm, adaptAndEvaluate, fitHead } from "./experiments/experiment.js";
export { makeDataset } from "./data/datasets.js";
export type { Dataset, LabelledData, PairSource, ViewSpec } from "./data/dataset.js";
export type { ModelEval, GridPoint, Headline } from "./experiments/evaluate.js";
export type { CurvePoint } from "./train/curve.js";
export { DivergenceError } from "./train/divergence.js";
export type { PuritySummary, NeuronPurity } from "./metrics/purity.js";
export { createEngine, resolveBackend, type Engine, type EngineOptions, type Backend } from "./engine/wasm.js";
export { VERSION } from "./version.js";
export { configFromFlags, layerFromFlags, flagSpecs, parseFlag, type FlagSpec } from "./config/flags.js";
export { decodeMnist, encodeMnist, MNIST_FILE, type MnistDigits } from "./data/mnist.js";
export { loadMnist, type MnistLoadOptions } from "./data/mnistLoad.js";
export { mnistDatasetFrom } from "./data/mnistDataset.js";
export { MNIST_TASKS } from "./data/mnistTasks.js";
export { twoViews, augmentImages, DEFAULT_VIEWS, type ViewOptions } from "./data/imageViews.js";
export type { ProxySummary, NeuronProxies } from "./metrics/proxies.js";
export { weightMosaic, sideBySide, encodePng, type Rgba } from "./model/mosaic.js";

export interface ExperimentResult {
  version: string;
  /** The complete, validated configuration: rerunning it reproduces every number. */
  config: Config;
  /** The kernel build that ran: part of the result's identity, like the seed. */
  backend: Backend;
  /** Present when the build that ran is not the one config.backend asked for. */
  backendWarning?: string;
  arms: ArmResult[];
  timingsMs: { total: number };
}

/**
 * Runs one experiment: pre-training (the arms named by config.train), purification metrics, the
 * clean downstream head, and robust evaluation. Throws ConfigError for an invalid configuration,
 * before anything runs. A Plan (planRun) is taken as it is.
 */
export async function runExperiment(config: DeepPartial<Config> | Config | Plan = {}, opts: RunOptions = {}): Promise<ExperimentResult> {
  const plan = isPlan(config) ? config : planRun(config, opts.checkpoint?.resume);
  const cfg = plan.config;
  const t0 = performance.now();
  const r = await runArms(plan, opts);
  return {
    version: VERSION,
    config: cfg,
    backend: r.backend,
    ...(r.backendWarning ? { backendWarning: r.backendWarning } : {}),
    arms: r.arms,
    timingsMs: { total: performance.now() - t0 },
  };
}

export { FileFormatError, MAGIC, FORMAT_VERSION } from "./files/container.js";
export { encodeEncoder, decodeEncoder, type Encoder } from "./io/encoderFile.js";
export { decodeCheckpoint, encodeCheckpoint, type RunCheckpoint } from "./io/checkpointFile.js";
export type { CheckpointOptions } from "./experiments/runCheckpoint.js";
export type { DownstreamOptions } from "./experiments/encoder.js";
export { estimateArenaBytes } from "./experiments/memoryBudget.js";
export { planRun, planEncoder, runnableConfig, CheckpointMismatchError, type Plan } from "./experiments/plan.js";
export { ENGINE_MEMORY_LIMIT_BYTES } from "./config/limits.js";

/** Pre-trains one arm (config.train must be clean or adv) and returns the encoder, ready to save or adapt. A Plan (planEncoder) is taken as it is. */
export async function pretrainEncoder(config: DeepPartial<Config> | Config | Plan = {}, opts: RunOptions = {}): Promise<Encoder> {
  return pretrainEncoderArm(isPlan(config) ? config : planEncoder(config, opts.checkpoint?.resume), opts);
}

function isPlan(x: unknown): x is Plan {
  return typeof x === "object" && x !== null && "config" in x && "resume" in x;
}

/** Writes an encoder file atomically (Node only). */
export async function saveEncoder(path: string, encoder: Encoder): Promise<void> {
  const { writeFileAtomic } = await import("./files/atomic.js");
  writeFileAtomic(path, encodeEncoder(encoder));
}

/** Reads and verifies an encoder file (Node only); a damaged or foreign file throws FileFormatError. */
export async function loadEncoder(path: string): Promise<Encoder> {
  const { readBytes } = await import("./files/readBytes.js");
  return decodeEncoder(readBytes(path));
}

export interface DownstreamResult {
  version: string;
  /** The encoder's configuration with the downstream overrides applied. */
  config: Config;
  backend: Backend;
  backendWarning?: string;
  encoder: { arm: Encoder["arm"]; version: string };
  /** seed null: the configuration's own downstream task, whose numbers equal those of runExperiment. */
  task: { seed: number | null; downstreamSubset: number };
  arm: ArmResult;
  timingsMs: { total: number };
}

/** Fits a new clean head on the frozen encoder for one downstream task and evaluates it, without retraining. */
export async function runDownstream(encoder: Encoder, opts: DownstreamOptions = {}): Promise<DownstreamResult> {
  const t0 = performance.now();
  const r = await adaptEncoder(encoder, opts);
  return {
    version: VERSION,
    config: r.config,
    backend: r.engine.backend,
    ...(r.engine.backendWarning ? { backendWarning: r.engine.backendWarning } : {}),
    encoder: { arm: encoder.arm, version: encoder.version },
    task: r.task,
    arm: r.result,
    timingsMs: { total: performance.now() - t0 },
  };
}
