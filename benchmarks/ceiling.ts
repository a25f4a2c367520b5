// What n threads can give on this machine right now, whatever the engine does: n one-thread
// training loops side by side, in worker threads with separate engines and memories (nothing shared,
// nothing to wait for), against one of them alone. On n dedicated cores that is n x; on a shared VM
// the other cores may deliver less, and it changes from minute to minute; past the physical cores
// (hyper-threads) or the memory bandwidth it is less too. The threaded engine's speed-up on n threads
// is read against this ceiling, measured in the same run.
import { Worker } from "node:worker_threads";
import type { Backend } from "../src/engine/wasm.js";
import { median } from "./timing.js";
import type { StepShape } from "./workload.js";

export interface Ceiling {
  threads: number;
  /** Median wall ms per adversarial step of one loop alone, and of each of n side by side. */
  alone: number;
  sideBySide: number;
  /** Median over repetitions of n x alone / side by side. */
  ceiling: number;
}

export async function parallelCeiling(backend: Backend, shape: StepShape, n: number, steps: number, reps: number): Promise<Ceiling> {
  const url = new URL("./ceilingWorker.js", import.meta.url);
  const workers = Array.from({ length: n }, () => new Worker(url, { workerData: { backend, shape } }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve, reject) => {
            w.once("message", resolve);
            w.once("error", reject);
          }),
      ),
    );
    const ask = (w: Worker) =>
      new Promise<number>((resolve) => {
        w.once("message", resolve);
        w.postMessage(steps);
      });
    await Promise.all(workers.map(ask)); // warm-up
    const alone: number[] = [],
      side: number[] = [],
      ratio: number[] = [];
    for (let r = 0; r < reps; r++) {
      const a = await ask(workers[0]);
      const all = await Promise.all(workers.map(ask));
      const each = all.reduce((s, t) => s + t, 0) / n;
      alone.push(a);
      side.push(each);
      ratio.push((n * a) / each);
    }
    return { threads: n, alone: median(alone), sideBySide: median(side), ceiling: median(ratio) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
