// --checkpoint FILE, --checkpoint-every N and --resume, shared by `featpure run` and `featpure pretrain`.
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { removeStaleTemporaries, writeFileAtomic } from "../files/atomic.js";
import type { CheckpointOptions } from "../experiments/runCheckpoint.js";
import type { Arm } from "../train/pretrainers.js";
import { decimalNumber } from "../config/flags.js";

export const DEFAULT_CHECKPOINT_EVERY = 100;

export function addCheckpointFlags(cmd: Command): Command {
  return cmd
    .option("--checkpoint <file>", "write training checkpoints to this file (atomically: a temporary file renamed over the last one)")
    .option(
      "--checkpoint-every <steps>",
      `steps between checkpoints (integer >= 0; 0: only on Ctrl-C and when an arm finishes; default ${DEFAULT_CHECKPOINT_EVERY})`,
    )
    .option("--resume", "continue from the --checkpoint file (its configuration is the default; a missing file starts from step 1)");
}

export interface CliCheckpoint {
  path: string;
  options: CheckpointOptions;
  /** The stored bytes when resuming from an existing file. */
  resumed: Uint8Array | null;
  /** The last checkpoint written by this process. */
  last: { arm: Arm; step: number } | null;
}

/** Problems with the checkpoint flags, as usage messages; null when fine. */
export function checkpointFlagProblem(opts: Record<string, unknown>): string | null {
  if (opts.resume === true && typeof opts.checkpoint !== "string")
    return "--resume needs --checkpoint FILE (the checkpoint to continue from)";
  if (opts.checkpointEvery !== undefined) {
    if (typeof opts.checkpoint !== "string") return "--checkpoint-every needs --checkpoint FILE";
    const n = decimalNumber(String(opts.checkpointEvery));
    if (!(n !== null && Number.isInteger(n) && n >= 0 && n <= 10_000_000)) {
      return `--checkpoint-every: must be an integer in [0, 10000000], got ${JSON.stringify(opts.checkpointEvery)}`;
    }
  }
  return null;
}

export function cliCheckpoint(opts: Record<string, unknown>): CliCheckpoint | null {
  if (typeof opts.checkpoint !== "string") return null;
  const path = opts.checkpoint;
  removeStaleTemporaries(path);
  const resumed = opts.resume === true && existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
  const ck: CliCheckpoint = {
    path,
    resumed,
    last: null,
    options: {
      every: opts.checkpointEvery === undefined ? DEFAULT_CHECKPOINT_EVERY : Number(opts.checkpointEvery),
      resume: resumed,
      write(bytes, at) {
        writeFileAtomic(path, bytes);
        ck.last = at;
      },
    },
  };
  return ck;
}
