// Messages between the page and the worker that runs the experiment.
import type { Config, ExperimentResult, Progress, Snapshot } from "../src/api.js";

export interface RunRequest {
  config: Config;
  /** Int32Array flag the page sets to 1 to stop the run; only where SharedArrayBuffer exists. */
  stop: SharedArrayBuffer | null;
}

export type WorkerMessage =
  | { type: "progress"; progress: Progress }
  | { type: "snapshot"; snapshot: Snapshot }
  | { type: "done"; result: ExperimentResult }
  | { type: "stopped" }
  | { type: "error"; message: string };
