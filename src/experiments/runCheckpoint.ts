// Checkpoints of a whole run: one file holds the training state of every arm started so far, so a
// run with train = both resumes inside the second arm without retraining the first.
import type { Config } from "../config/types.js";
import { walkSchema } from "../config/validate.js";
import { encodeCheckpoint, type RunCheckpoint } from "../io/checkpointFile.js";
import type { Arm } from "../train/pretrainers.js";
import type { TrainingCheckpoints, TrainState } from "../train/trainState.js";

export interface CheckpointOptions {
  /** Save after every this many training steps; 0 saves only when interrupted and when an arm finishes. */
  every: number;
  /** A checkpoint file (bytes) written by an earlier run of the same configuration, to continue from (decoded by the plan, src/experiments/plan.ts). */
  resume?: Uint8Array | null;
  /** Receives every checkpoint; store it atomically (the CLI renames a temporary file over the previous one). */
  write(bytes: Uint8Array, at: { arm: Arm; step: number }): void;
}

/** Paths whose values differ between two configurations. */
export function configDifferences(a: Config, b: Config): { path: string; a: unknown; b: unknown }[] {
  const out: { path: string; a: unknown; b: unknown }[] = [];
  const at = (c: Config, path: string) => path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);
  walkSchema((path) => {
    const x = at(a, path),
      y = at(b, path);
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ path, a: x, b: y });
  });
  return out;
}

/** Saves every arm's training state into one file, starting from the plan's checkpoint (already checked against cfg). */
export function runCheckpointer(cfg: Config, o: CheckpointOptions, resume: RunCheckpoint | null) {
  const arms: Partial<Record<Arm, TrainState>> = { ...resume?.arms };
  return {
    forArm(arm: Arm): TrainingCheckpoints {
      return {
        every: o.every,
        resume: arms[arm] ?? null,
        save(state) {
          arms[arm] = state;
          o.write(encodeCheckpoint({ config: cfg, arms }), { arm, step: state.step });
        },
      };
    },
  };
}
