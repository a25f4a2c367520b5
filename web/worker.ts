// Runs one experiment off the page's thread. The run loop never yields to the event loop, so a stop
// request cannot arrive as a message: the page sets a shared flag instead, which every progress
// callback reads, turning it into the AbortSignal the library checks between training steps.
import { runExperiment } from "../src/api.js";
import type { RunRequest, WorkerMessage } from "./protocol.js";

function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

self.onmessage = async (e: MessageEvent<RunRequest>) => {
  const { config, stop } = e.data;
  const flag = stop ? new Int32Array(stop) : null;
  const controller = new AbortController();
  try {
    const result = await runExperiment(config, {
      signal: controller.signal,
      onProgress: (progress) => {
        if (flag && Atomics.load(flag, 0) !== 0) controller.abort();
        post({ type: "progress", progress });
      },
      onSnapshot: (snapshot) => post({ type: "snapshot", snapshot }, [snapshot.coefficients.buffer]),
    });
    post({ type: "done", result });
  } catch (err) {
    post(controller.signal.aborted ? { type: "stopped" } : { type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
