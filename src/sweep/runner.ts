// Runs the cells of a sweep in worker processes and appends each finished cell's line to the results
// file, and a failure line for each cell that failed. Cells with a result line in the file are skipped,
// so rerunning an interrupted sweep resumes it and retries the failed cells. Aborting stops the
// workers at once: finished lines stay, the cells in flight restart from scratch later.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Cell } from "./grid.js";
import type { WorkerMessage } from "./protocol.js";
import { appendResult, prepareForAppend, type ResultLine } from "./results.js";
import { VERSION } from "../version.js";

export interface SweepOptions {
  cells: Cell[];
  /** JSON-lines results file, created or resumed. */
  out: string;
  workers: number;
  /** Folder for the full result of every cell (per-neuron tables included). */
  fullDir?: string;
  signal?: AbortSignal;
  onEvent?: (e: SweepEvent) => void;
}

export type SweepEvent =
  | { type: "start"; total: number; skipped: number; pending: number; workers: number }
  | { type: "done"; cell: Cell; line: ResultLine; finished: number; pending: number }
  | { type: "failed"; cell: Cell; message: string };

export interface SweepSummary {
  total: number;
  /** Cells already in the results file when the sweep started. */
  skipped: number;
  done: number;
  failed: { key: string; message: string }[];
  interrupted: boolean;
}

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));

export function runSweep(opts: SweepOptions): Promise<SweepSummary> {
  const finished = new Set(prepareForAppend(opts.out).map((l) => l.key));
  const byKey = new Map<string, Cell>();
  for (const c of opts.cells) if (!byKey.has(c.key)) byKey.set(c.key, c);
  const queue = [...byKey.values()].filter((c) => !finished.has(c.key));
  const summary: SweepSummary = { total: byKey.size, skipped: byKey.size - queue.length, done: 0, failed: [], interrupted: false };
  const workers = Math.max(1, Math.min(opts.workers, queue.length));
  opts.onEvent?.({ type: "start", total: summary.total, skipped: summary.skipped, pending: queue.length, workers });
  if (queue.length === 0 || opts.signal?.aborted) {
    summary.interrupted = opts.signal?.aborted === true && queue.length > 0;
    return Promise.resolve(summary);
  }

  return new Promise((resolveSweep) => {
    const live = new Set<ChildProcess>();
    const inFlight = new Map<ChildProcess, Cell>();
    let stopping = false;
    const fail = (cell: Cell, message: string) => {
      appendResult(opts.out, { key: cell.key, version: VERSION, seed: cell.config.seed, config: cell.config, failed: message });
      summary.failed.push({ key: cell.key, message });
      opts.onEvent?.({ type: "failed", cell, message });
    };

    const finish = () => {
      if (live.size > 0) return;
      opts.signal?.removeEventListener("abort", stop);
      resolveSweep(summary);
    };
    const next = (child: ChildProcess) => {
      const cell = stopping ? undefined : queue.shift();
      if (!cell) {
        inFlight.delete(child);
        child.disconnect();
        return;
      }
      inFlight.set(child, cell);
      child.send({ key: cell.key, config: cell.config, fullDir: opts.fullDir });
    };
    const spawn = () => {
      const child = fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      live.add(child);
      child.on("message", (msg: WorkerMessage) => {
        if (msg.type === "done") {
          const cell = inFlight.get(child)!;
          appendResult(opts.out, msg.line);
          summary.done++;
          opts.onEvent?.({
            type: "done",
            cell,
            line: msg.line,
            finished: summary.skipped + summary.done,
            pending: queue.length + inFlight.size - 1,
          });
        } else if (msg.type === "failed") {
          fail(inFlight.get(child)!, msg.message);
        }
        next(child);
      });
      child.on("exit", (code, signal) => {
        live.delete(child);
        const cell = inFlight.get(child);
        inFlight.delete(child);
        if (cell && !stopping) {
          fail(cell, `worker exited (${signal ?? `code ${code}`}) while running the cell`);
          if (queue.length > 0) spawn();
        }
        finish();
      });
    };
    function stop() {
      stopping = true;
      summary.interrupted = queue.length > 0 || inFlight.size > 0;
      // Workers ignore SIGINT and SIGTERM (a terminal or a scheduler signals the whole group): only this
      // process decides, and a cell in flight has nothing worth keeping.
      for (const child of live) child.kill("SIGKILL");
    }
    opts.signal?.addEventListener("abort", stop, { once: true });
    for (let i = 0; i < workers; i++) spawn();
  });
}
