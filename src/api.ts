// The public API of featpure. The CLI is a thin layer over it, and browsers use it unchanged.
import type { Config, DeepPartial } from "./config/types.js";
import { resolveConfig } from "./config/validate.js";
import { runArms, type ArmResult, type RunOptions } from "./experiments/experiment.js";
import type { Backend } from "./engine/wasm.js";
import { VERSION } from "./version.js";

export type { Config, DeepPartial } from "./config/types.js";
export { SCHEMA, MODE_DEFAULTS, type FieldSpec } from "./config/schema.js";
export { ConfigError, resolveConfig, defaultConfig, walkSchema, type ConfigIssue } from "./config/validate.js";
export type { ArmResult, Progress, RunOptions, Arm, HeadFit, Pretrained } from "./experiments/experiment.js";
export { pretrainArm, adaptAndEvaluate, fitHead } from "./experiments/experiment.js";
export { makeDataset } from "./data/datasets.js";
export type { Dataset, LabelledData, PairSource, ViewSpec } from "./data/dataset.js";
export type { ModelEval, GridPoint, Headline } from "./experiments/evaluate.js";
export type { CurvePoint } from "./train/pretrain.js";
export { DivergenceError } from "./train/pretrain.js";
export type { PuritySummary, NeuronPurity } from "./metrics/purity.js";
export { createEngine, type Engine, type EngineOptions, type Backend } from "./engine/wasm.js";
export { VERSION } from "./version.js";

export interface ExperimentResult {
  version: string;
  /** The complete, validated configuration: rerunning it reproduces every number. */
  config: Config;
  backend: Backend;
  arms: ArmResult[];
  timingsMs: { total: number };
}

/**
 * Runs one experiment: pre-training (the arms named by config.train), purification metrics, the
 * clean downstream head, and robust evaluation. Throws ConfigError for an invalid configuration.
 */
export async function runExperiment(config: DeepPartial<Config> | Config = {}, opts: RunOptions = {}): Promise<ExperimentResult> {
  const cfg = resolveConfig(config);
  const t0 = performance.now();
  const r = await runArms(cfg, opts);
  return { version: VERSION, config: cfg, backend: r.backend, arms: r.arms, timingsMs: { total: performance.now() - t0 } };
}
