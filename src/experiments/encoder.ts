// Pre-train once, adapt many times: an encoder (one pre-trained arm) is kept as plain arrays, and
// any number of downstream tasks put new clean heads on its frozen hidden layer.
import type { Config, DeepPartial } from "../config/types.js";
import { ConfigError, featureCount, walkSchema, type ConfigIssue } from "../config/validate.js";
import { createEngine, type Engine } from "../engine/wasm.js";
import { makeDataset } from "../data/datasets.js";
import { downstreamTask, tasksDataset } from "../data/sparseCodingDataset.js";
import type { Task } from "../data/sparseCoding.js";
import { allocTwoLayer, snapshot } from "../model/twoLayer.js";
import type { Encoder } from "../io/encoderFile.js";
import type { Arm } from "../train/pretrainers.js";
import { Rng } from "../rng.js";
import { VERSION } from "../version.js";
import { adaptAndEvaluate, networkShape, pretrainArm, type ArmResult, type RunOptions } from "./experiment.js";
import { runCheckpointer } from "./runCheckpoint.js";
import { runnableConfig, type Plan } from "./plan.js";

/** Pre-trains the one arm the plan's config.train names (clean or adv; planEncoder checks it) and returns it as an encoder. */
export async function pretrainEncoderArm(plan: Plan, opts: RunOptions = {}): Promise<Encoder> {
  const cfg = plan.config;
  const root = new Rng(cfg.seed);
  const dataset = await makeDataset(cfg, root);
  const arm = cfg.train as Arm;
  const checkpointer = opts.checkpoint ? runCheckpointer(cfg, opts.checkpoint, plan.resume) : null;
  const pre = await pretrainArm(cfg, dataset, root, arm, opts, checkpointer?.forArm(arm));
  return {
    version: VERSION,
    config: cfg,
    arm,
    shape: pre.net.shape,
    params: snapshot(pre.engine.arena, pre.net),
    curve: pre.curve,
    pretrainMs: pre.ms,
    truth: dataset.truth!,
  };
}

/** The downstream command may change how the encoder is adapted and evaluated, never how it was trained. */
const ADAPTABLE = ["eval.", "downstream.", "metrics.", "data.downstreamSubset", "backend"];

export function downstreamOverrideIssues(layer: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const allowed = (path: string) => ADAPTABLE.some((p) => (p.endsWith(".") ? path.startsWith(p) : path === p));
  walkSchema((path) => {
    const value = path
      .split(".")
      .reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), layer);
    if (value !== undefined && !allowed(path)) {
      issues.push({
        path,
        message: `is fixed by the encoder's pre-training; a downstream task may change only ${ADAPTABLE.map((p) => (p.endsWith(".") ? p + "*" : p)).join(", ")}`,
      });
    }
  });
  return issues;
}

export interface DownstreamOptions extends RunOptions {
  /** Draw a new downstream label direction theta' (and new samples) from this seed; omitted: the config's own downstream task. */
  taskSeed?: number | null;
  /** Changes to the evaluation, the downstream head, the metrics or data.downstreamSubset. */
  overrides?: DeepPartial<Config>;
}

export interface DownstreamRun {
  config: Config;
  task: { seed: number | null; downstreamSubset: number };
  result: ArmResult;
  engine: Engine;
}

export async function adaptEncoder(enc: Encoder, opts: DownstreamOptions = {}): Promise<DownstreamRun> {
  const overrideIssues = downstreamOverrideIssues(opts.overrides ?? {});
  if (overrideIssues.length) throw new ConfigError(overrideIssues);
  const taskSeed = opts.taskSeed ?? null;
  if (taskSeed !== null && !(Number.isInteger(taskSeed) && taskSeed >= 0 && taskSeed <= 2 ** 31 - 1)) {
    throw new ConfigError([{ path: "taskSeed", message: `must be an integer in [0, 2147483647], got ${taskSeed}` }]);
  }
  const cfg = runnableConfig(enc.config, opts.overrides ?? {});
  const root = new Rng(cfg.seed);
  const taskRoot = taskSeed === null ? root : root.fork(`task-${taskSeed}`);
  const { dict, theta } = enc.truth;
  const pre: Task = {
    dict,
    spec: { D: featureCount(cfg), k: cfg.data.sparsity, magnitude: cfg.data.magnitude, magnitudeLow: cfg.data.magnitudeLow },
    theta,
    noise: cfg.data.noise,
  };
  const dataset = tasksDataset(cfg, root, { pre, down: downstreamTask(cfg, pre, taskRoot) }, taskRoot);
  const engine = await createEngine({ backend: cfg.backend, threads: cfg.threads });
  const net = allocTwoLayer(engine.arena, networkShape(cfg, dataset), cfg.model.outputBias);
  const { arena } = engine;
  arena.f32(net.params.W).set(enc.params.W);
  arena.f32(net.params.thr).set(enc.params.thr);
  arena.f32(net.params.A).set(enc.params.A);
  if (net.params.c && enc.params.c) arena.f32(net.params.c).set(enc.params.c);
  const adapted = await adaptAndEvaluate({ arm: enc.arm, engine, net, curve: enc.curve, ms: enc.pretrainMs }, cfg, dataset, root, opts);
  return { config: cfg, task: { seed: taskSeed, downstreamSubset: cfg.data.downstreamSubset }, result: adapted.result, engine };
}
