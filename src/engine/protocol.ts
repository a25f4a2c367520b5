// The contract between the thread pool (threads.ts, and assembly/pool.ts inside WASM) and its
// workers (worker.ts): the layout of the control block in shared memory and the kernels a job may name.

/** Int32 words of the control block (assembly/pool.ts names the same words). */
export const CTRL = {
  /** Bumped by the main thread to start a job; workers wait on it. */
  seq: 0,
  /** Bumped by each worker that finished a job, after its acknowledgement: the main thread sleeps on it. */
  done: 1,
  /** Index into KERNEL_IDS, or -1 to stop. */
  kernel: 2,
  /** Number of arguments per thread. */
  argc: 3,
  /** Set by a worker whose kernel threw. */
  failed: 4,
  words: 5,
} as const;

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

/** f64 argument slots per thread (pointers, sizes and f32 values are all exact in f64). */
export const MAX_ARGS = 18;

/** Jobs posted from inside WASM (assembly/pool.ts names them by their place here), by the contrastive objectives. */
export const WASM_JOBS = ["matmulForward", "gramRows", "ntxentRows", "matmulBackward", "accumulateRows", "gramMirrorRows", "symmetrizeRows"] as const;

/** The kernels that run split across threads: each works on a range of rows, hidden units or elements. */
export const KERNEL_IDS = ["pgdAttack", "pgdEval", "netForward", "netBackwardColumns", "adamStep", "l2StartRows", "apgdEval", ...WASM_JOBS] as const;
export type ThreadedKernel = (typeof KERNEL_IDS)[number];

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
