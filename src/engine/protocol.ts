// The thread pool's side of the contract between the pool (threads.ts, and assembly/pool.ts inside
// WASM) and its workers (worker.ts): how a thread waits on the control block, and what a worker is
// handed. The control block's words and the jobs are those of assembly/contract.ts.
import { Job } from "../../assembly/contract.js";

export { Ctrl, Job, MAX_ARGS } from "../../assembly/contract.js";

/**
 * Polls of a shared word before a thread blocks in Atomics.wait: about 0.1-0.2 ms. A training step
 * posts jobs a few microseconds of JavaScript apart, and a thread that sleeps in the kernel is slow
 * to wake, slower still on a virtual machine, where an idle virtual CPU is halted by the host:
 * measured on the 2-core VM of docs/speed.md, the 2-thread adversarial step took 4.74 ms with
 * workers that slept at once and 3.15 ms with this spin. Past it the thread sleeps and costs nothing.
 */
export const SPIN_POLLS = 100000;

/** Waits until word `index` of `ctrl` differs from `seen` (spinning first), and returns its new value. */
export function waitChange(ctrl: Int32Array, index: number, seen: number): number {
  for (let i = 0; i < SPIN_POLLS; i++) {
    const v = Atomics.load(ctrl, index);
    if (v !== seen) return v;
  }
  Atomics.wait(ctrl, index, seen);
  return Atomics.load(ctrl, index);
}

/** A job by its kernel's name: every job runs the exported kernel of that name on a thread's share. */
export type ThreadedKernel = Exclude<keyof typeof Job, "count">;

/** The kernels' names in job order (a TypeScript enum maps each number back to its name). */
export const JOB_KERNELS: readonly ThreadedKernel[] = Array.from({ length: Job.count }, (_, j) => Job[j] as ThreadedKernel);

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /**
   * Byte offsets of the control block, the argument slots (MAX_ARGS f64 per thread), the f64
   * results, the acknowledgements (Int32 per thread: the seq of the last job the thread finished)
   * and this thread's scratch.
   */
  ctrl: number;
  args: number;
  results: number;
  acks: number;
  scratch: number;
  /** 1-based: the main thread is thread 0. */
  index: number;
  ready(): void;
}
