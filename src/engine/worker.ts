// A kernel thread: instantiates the module on the shared memory, then serves jobs posted by the
// pool (src/engine/threads.ts) through the control block, blocking in Atomics.wait between them.
// Runs as a Node worker_thread or a browser module Web Worker; it never returns to its event loop.
import { Ctrl, JOB_KERNELS, MAX_ARGS, waitChange, type WorkerInit } from "./protocol.js";
import { isNode } from "../runtime.js";

function serve(init: WorkerInit): void {
  const instance = new WebAssembly.Instance(init.module, {
    env: {
      memory: init.memory,
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`featpure: WASM abort at ${line}:${col} in a kernel thread`);
      },
    },
  });
  const exports = instance.exports as unknown as Record<string, (...a: number[]) => number>;
  exports.setScratch(init.scratch);
  const ctrl = new Int32Array(init.memory.buffer, init.ctrl, Ctrl.count);
  const fns = JOB_KERNELS.map((name) => exports[name]);
  // Read the job counter before saying ready: the first job may be posted the moment we do.
  let seen = Atomics.load(ctrl, Ctrl.seq);
  init.ready();
  for (;;) {
    const seq = waitChange(ctrl, Ctrl.seq, seen);
    // A job runs once, whatever woke this thread.
    if (seq === seen) continue;
    seen = seq;
    const kernel = Atomics.load(ctrl, Ctrl.kernel);
    if (kernel < 0) return;
    // The memory may have grown since the last job: take fresh views.
    const args = new Float64Array(init.memory.buffer, init.args + init.index * MAX_ARGS * 8, MAX_ARGS);
    const n = Atomics.load(ctrl, Ctrl.argc);
    const a = Array.from(args.subarray(0, n));
    let result = 0;
    try {
      if (a[0] !== -1) result = fns[kernel](...a);
    } catch (e) {
      // Report and keep serving: the main thread must never wait for a job that died.
      Atomics.store(ctrl, Ctrl.failed, 1);
      console.error(`featpure: kernel thread ${init.index}: ${(e as Error).message}`);
    }
    const results = new Float64Array(init.memory.buffer, init.results, init.index + 1);
    results[init.index] = result;
    // The acknowledgement names the job, so that the main thread waits for this one and no other.
    Atomics.store(new Int32Array(init.memory.buffer, init.acks, init.index + 1), init.index, seq);
    Atomics.add(ctrl, Ctrl.done, 1);
    Atomics.notify(ctrl, Ctrl.done);
  }
}

if (isNode) {
  const { parentPort } = await import("node:worker_threads");
  parentPort!.once("message", (init: Omit<WorkerInit, "ready">) => serve({ ...init, ready: () => parentPort!.postMessage("ready") }));
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
  scope.onmessage = (e: MessageEvent) => {
    scope.onmessage = null;
    serve({ ...(e.data as Omit<WorkerInit, "ready">), ready: () => scope.postMessage("ready") });
  };
}
