// Messages between a sweep and its worker processes.
import type { Config } from "../config/types.js";
import type { ResultLine } from "./results.js";

export interface ParentMessage {
  key: string;
  config: Config;
  /** Folder for the full result of the cell, or undefined to keep only the summary line. */
  fullDir?: string;
}

export type WorkerMessage =
  { type: "ready" } | { type: "done"; key: string; line: ResultLine } | { type: "failed"; key: string; message: string };
