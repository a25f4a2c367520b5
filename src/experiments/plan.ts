// The planning stage between resolving a configuration and running it: every "can this run?" check
// that needs more than the schema (the WASM memory budget, the checkpoint to continue from, the rules
// of a saved encoder) is made here, once, before anything is allocated. The run functions take the
// Plan and never re-resolve or re-decode.
import type { Config, DeepPartial } from "../config/types.js";
import { ConfigError, resolveConfig, type ConfigIssue } from "../config/validate.js";
import { ENGINE_MEMORY_LIMIT_BYTES } from "../config/limits.js";
import { arenaTerms, estimateArenaBytes, mib } from "./memoryBudget.js";
import { decodeCheckpoint, type RunCheckpoint } from "../io/checkpointFile.js";
import { configDifferences } from "./runCheckpoint.js";

export interface Plan {
  readonly config: Config;
  /** The checkpoint to continue from, decoded once and agreeing with config; null: start at step 1. */
  readonly resume: RunCheckpoint | null;
}

/** A checkpoint written with another configuration than the run's (each differing field named). */
export class CheckpointMismatchError extends ConfigError {}

/** Sizes that cannot fit one engine's WASM memory, refused before anything is allocated. */
export function memoryIssues(c: Config): ConfigIssue[] {
  const bytes = estimateArenaBytes(c);
  if (bytes <= ENGINE_MEMORY_LIMIT_BYTES) return [];
  const top = arenaTerms(c)[0];
  return [
    {
      path: top.path,
      message:
        `the run needs about ${mib(bytes)} of WASM memory, over the limit of ${mib(ENGINE_MEMORY_LIMIT_BYTES)}; ` +
        `the largest part is the ${top.what} (${mib(top.bytes)}): reduce ${top.path}`,
    },
  ];
}

/** resolveConfig, then the checks a configuration must pass to run at all. Throws ConfigError. */
export function runnableConfig(...layers: (DeepPartial<Config> | unknown)[]): Config {
  const config = resolveConfig(...layers);
  const issues = memoryIssues(config);
  if (issues.length) throw new ConfigError(issues);
  return config;
}

/**
 * The plan of a run: its configuration, checked, and the checkpoint it continues from (bytes are
 * decoded here; a decoded checkpoint is taken as it is), which must have been written with the same
 * configuration. Throws ConfigError, CheckpointMismatchError, or FileFormatError for a damaged checkpoint.
 */
export function planRun(config: DeepPartial<Config> | Config, resume?: Uint8Array | RunCheckpoint | null): Plan {
  const cfg = runnableConfig(config);
  const saved = resume instanceof Uint8Array ? decodeCheckpoint(resume) : (resume ?? null);
  if (saved) {
    const diff = configDifferences(saved.config, cfg);
    if (diff.length) {
      throw new CheckpointMismatchError(
        diff.map((d) => ({
          path: d.path,
          message: `the checkpoint was written with ${JSON.stringify(d.a)}, this run has ${JSON.stringify(d.b)}; resume with the checkpoint's configuration`,
        })),
      );
    }
  }
  return { config: cfg, resume: saved };
}

/** The plan of pre-training one encoder: one arm, on data with a known dictionary. */
export function planEncoder(config: DeepPartial<Config> | Config, resume?: Uint8Array | RunCheckpoint | null): Plan {
  const plan = planRun(config, resume);
  const cfg = plan.config;
  if (cfg.train === "both") {
    throw new ConfigError([
      { path: "train", message: 'an encoder is one pre-trained network: choose clean or adv (pre-train twice for both), got "both"' },
    ]);
  }
  if (cfg.data.source !== "sparse")
    throw new ConfigError([{ path: "data.source", message: "encoders are available for the sparse-coding data only" }]);
  return plan;
}
