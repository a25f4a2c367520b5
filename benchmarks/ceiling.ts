// What two threads can give on this machine right now, whatever the engine does: two one-thread
// training loops side by side, in worker threads with separate engines and memories (nothing shared,
// nothing to wait for), against one of them alone. On a dedicated 2-core machine that is 2x; on a
// shared VM the second core may deliver less, and it changes from minute to minute. The threaded
// engine's speed-up is read against this ceiling, measured in the same run.
import { Worker } from "node:worker_threads";
import type { Backend } from "../src/engine/wasm.js";
import { median } from "./timing.js";
import type { StepShape } from "./workload.js";

export interface Ceiling {
  /** Median wall ms per adversarial step of one loop alone, and of each of two side by side. */
  alone: number;
  sideBySide: number;
  /** Median over repetitions of 2 x alone / side by side. */
  ceiling: number;
}

export async function parallelCeiling(backend: Backend, shape: StepShape, steps: number, reps: number): Promise<Ceiling> {
  const url = new URL("./ceilingWorker.js", import.meta.url);
  const workers = [0, 1].map(() => new Worker(url, { workerData: { backend, shape } }));
  try {
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    })));
    const ask = (w: Worker) => new Promise<number>((resolve) => {
      w.once("message", resolve);
      w.postMessage(steps);
    });
    await Promise.all(workers.map(ask)); // warm-up
    const alone: number[] = [], pair: number[] = [], ratio: number[] = [];
    for (let r = 0; r < reps; r++) {
      const a = await ask(workers[0]);
      const both = await Promise.all(workers.map(ask));
      const side = (both[0] + both[1]) / 2;
      alone.push(a);
      pair.push(side);
      ratio.push((2 * a) / side);
    }
    return { alone: median(alone), sideBySide: median(pair), ceiling: median(ratio) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
