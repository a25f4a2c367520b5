// A sweep worker process: runs the cells its parent sends, one at a time, and answers with each
// result's summary line. With a full-results folder it also writes the whole result (per-neuron
// tables included) there, atomically, before answering.
import "../engine/relaxedSimdFlag.js";
import { join } from "node:path";
import { runExperiment } from "../api.js";
import { writeFileAtomic } from "../files/atomic.js";
import type { Config } from "../config/types.js";
import { summarizeResult } from "./results.js";
import type { ParentMessage, WorkerMessage } from "./protocol.js";

function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

// The parent decides when to stop (it kills workers on Ctrl-C or SIGTERM); a terminal's SIGINT and a
// scheduler's SIGTERM reach the whole process group, and a worker dying on its own would look like a
// failed cell.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
process.on("disconnect", () => process.exit(0));

process.on("message", (msg: ParentMessage) => {
  void runCell(msg.key, msg.config, msg.fullDir);
});

async function runCell(key: string, config: Config, fullDir: string | undefined): Promise<void> {
  try {
    const result = await runExperiment(config);
    if (fullDir) writeFileAtomic(join(fullDir, `${key}.json`), JSON.stringify(result) + "\n");
    send({ type: "done", key, line: summarizeResult(key, result) });
  } catch (e) {
    send({ type: "failed", key, message: e instanceof Error ? e.message : String(e) });
  }
}

send({ type: "ready" });
