// The sbatch script of a sweep on a Slurm cluster: one job array, one task per shard, each task a
// `featpure sweep --shard i/n` into its own results file. Requeued or restarted tasks resume their
// file, and the lock of the file refuses two tasks of one shard at once.

export interface SlurmScriptOptions {
  /** Grid file, as the tasks will open it (relative paths: from the folder sbatch is run in). */
  grid: string;
  /** Cells of the grid, for the script's own description. */
  cells: number;
  shards: number;
  cpusPerTask: number;
  /** Folder of the shard files shard-<i>.jsonl. */
  outDir: string;
  jobName: string;
  /** Slurm time limit per task (as sbatch --time takes it), or undefined for the partition's default. */
  time?: string;
  /** How a task starts featpure, e.g. "npx featpure". */
  featpure: string;
  /** The command that wrote the script, recorded in it. */
  writtenBy: string;
}

/** Slurm's forms of a time limit: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S. */
export const SLURM_TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2})$/;

/** A word for the shell: as it is when it is plain, else in single quotes. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./=:,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function slurmScript(o: SlurmScriptOptions): string {
  const dir = o.outDir.replace(/\/+$/, "") || "/";
  const shard = (i: string) => `${dir}/shard-${i}.jsonl`;
  return [
    "#!/bin/bash",
    `# A featpure sweep as a Slurm job array: the ${o.cells} cells of ${o.grid} in ${o.shards} shards, one array task each.`,
    `# Written by: ${o.writtenBy}`,
    "# Submit it from the folder that holds the grid (relative paths start there):",
    "#   sbatch <this file>",
    `# Each task appends its cells to ${shard("<task>")} and skips those already there, so a task that`,
    "# is cancelled, preempted or requeued resumes its shard; the cells it was running restart from scratch.",
    "# When every task has ended:",
    `#   ${o.featpure} merge ${shellWord(dir)}/shard-*.jsonl --grid ${shellWord(o.grid)} --out ${shellWord(`${dir}/all.jsonl`)}`,
    `#SBATCH --job-name=${o.jobName}`,
    `#SBATCH --array=0-${o.shards - 1}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    ...(o.time === undefined ? [] : [`#SBATCH --time=${o.time}`]),
    "#SBATCH --requeue",
    "#SBATCH --open-mode=append",
    "#SBATCH --output=slurm-%A_%a.out",
    "set -euo pipefail",
    `mkdir -p ${shellWord(dir)}`,
    `exec ${o.featpure} sweep --grid ${shellWord(o.grid)} --shard "$SLURM_ARRAY_TASK_ID/${o.shards}" \\`,
    `  --out ${shellWord(dir)}/"shard-$SLURM_ARRAY_TASK_ID.jsonl" --workers "$SLURM_CPUS_PER_TASK"`,
    "",
  ].join("\n");
}
