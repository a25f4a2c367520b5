// Parallel kernels: a pool of workers on the engine's shared memory, and wrappers that split the work
// into contiguous ranges, one per thread: batch rows for pgdAttack, pgdEval, apgdEval, netForward and the
// transform of an l2 random start, hidden units for the training backward pass (each thread owns
// its units' gradient rows, so no reduction is needed) and elements for Adam. Every output is
// computed by the same instructions whatever the split, so the results are bit-identical to one
// thread (tests/kernels/threads.test.ts checks it). The calling thread takes the first range itself and
// then blocks in Atomics.wait until the workers are done: the training loop stays synchronous.
// (Atomics.wait is allowed on Node's main thread and in a browser Web Worker, not on a browser's
// main thread.)
import { isNode } from "../runtime.js";
import type { Arena } from "./arena.js";
import type { Kernels } from "./kernels.js";
import { Ctrl, Job, MAX_ARGS, waitChange, type ThreadedKernel, type WorkerInit } from "./protocol.js";
import { ApgdRowWord, jobSplit, MIN_ELEMENTS_PER_THREAD, MIN_ITEMS_PER_THREAD, NetWord, Split, WorkWord } from "../../assembly/contract.js";

interface Handle {
  terminate(): unknown;
}

export interface Pool {
  readonly threads: number;
  /** Stops the workers (they otherwise wait for jobs until the process exits). */
  close(): void;
}

async function workerUrl(): Promise<URL> {
  // Not a literal: bundlers would inline the TypeScript source behind a literal URL. The browser
  // build emits the compiled worker.js beside the library (vite.config.ts).
  const file = "./worker.js";
  const here = new URL(file, import.meta.url);
  if (!isNode) return here;
  // Under vitest this module runs from src/engine/*.ts: the compiled worker is in dist/.
  const fs = await import("node:fs");
  return fs.existsSync(here) ? here : new URL("../../dist/src/engine/worker.js", import.meta.url);
}

async function spawn(url: URL, init: Omit<WorkerInit, "ready">): Promise<Handle> {
  if (isNode) {
    const { Worker } = await import("node:worker_threads");
    const w = new Worker(url);
    // Idle workers must not keep the process alive.
    w.unref();
    await new Promise<void>((resolve, reject) => {
      w.once("message", () => resolve());
      w.once("error", reject);
      w.postMessage(init);
    });
    return w;
  }
  const w = new Worker(url, { type: "module" });
  await new Promise<void>((resolve, reject) => {
    w.onmessage = () => resolve();
    w.onerror = (e) => reject(new Error(`featpure: kernel thread failed to start: ${e.message}`));
    w.postMessage(init);
  });
  return w;
}

/**
 * Starts threads - 1 workers on `memory` (shared) and returns kernels whose row-parallel entries
 * run across all of them, with the pool that owns the workers.
 */
export async function startPool(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  arena: Arena,
  kernels: Kernels,
  threads: number,
): Promise<{ kernels: Kernels; pool: Pool }> {
  const nw = threads - 1;
  const ctrlBuf = arena.alloc(Ctrl.count, "thread control block");
  const argsBuf = arena.alloc(2 * MAX_ARGS * threads, "thread arguments");
  const resultsBuf = arena.alloc(2 * threads, "thread results");
  const acksBuf = arena.alloc(threads, "thread acknowledgements");
  const recs = arena.alloc(WorkWord.count * threads, "per-thread work records");
  const scratchBytes = kernels.scratchBytes();
  const url = await workerUrl();
  const handles: Handle[] = [];
  try {
    for (let i = 1; i <= nw; i++) {
      const scratch = arena.alloc(scratchBytes / 4, "thread scratch");
      handles.push(
        await spawn(url, {
          module,
          memory,
          ctrl: ctrlBuf.ptr,
          args: argsBuf.ptr,
          results: resultsBuf.ptr,
          acks: acksBuf.ptr,
          scratch: scratch.ptr,
          index: i,
        }),
      );
    }
  } catch (e) {
    for (const h of handles) h.terminate();
    throw e;
  }
  const i32 = () => new Int32Array(memory.buffer);
  const ctrl = () => new Int32Array(memory.buffer, ctrlBuf.ptr, Ctrl.count);
  kernels.setPool(ctrlBuf.ptr, argsBuf.ptr, acksBuf.ptr, threads);

  // Runs `name` with per-thread argument lists (index 0: this thread); returns every thread's result.
  function run(name: ThreadedKernel, perThread: number[][]): number[] {
    const c = ctrl();
    const args = new Float64Array(memory.buffer, argsBuf.ptr, MAX_ARGS * threads);
    for (let t = 1; t < threads; t++) {
      const a = perThread[t] ?? [-1];
      args.set(a, t * MAX_ARGS);
    }
    Atomics.store(c, Ctrl.failed, 0);
    Atomics.store(c, Ctrl.kernel, Job[name]);
    Atomics.store(c, Ctrl.argc, perThread[0].length);
    const seq = Atomics.add(c, Ctrl.seq, 1) + 1;
    Atomics.notify(c, Ctrl.seq);
    const mine = (kernels[name] as (...a: number[]) => number)(...perThread[0]);
    // Every worker acknowledges this job by its seq; the count only wakes this thread.
    const acks = new Int32Array(memory.buffer, acksBuf.ptr, threads);
    for (let t = 1, v = Atomics.load(c, Ctrl.done); t < threads; t++) {
      while (Atomics.load(acks, t) !== seq) v = waitChange(c, Ctrl.done, v);
    }
    if (Atomics.load(c, Ctrl.failed)) throw new Error(`featpure: a kernel thread failed in ${name}`);
    const results = new Float64Array(memory.buffer, resultsBuf.ptr, threads);
    return [mine, ...Array.from(results.subarray(1, threads))];
  }

  // Contiguous ranges of n items of `job`, at least the split rule's minimum per thread, starting at
  // multiples of 4: the row tile of the forward kernel, and the vector width, so that a column or
  // element range keeps every item in the same (vector or scalar) lane as a whole call.
  function split(job: ThreadedKernel, n: number): [number, number][] {
    const least = jobSplit(Job[job]) === Split.elements ? MIN_ELEMENTS_PER_THREAD : MIN_ITEMS_PER_THREAD;
    const t = Math.max(1, Math.min(threads, Math.floor(n / least)));
    const per = Math.ceil(n / t / 4) * 4;
    const out: [number, number][] = [];
    for (let i0 = 0; i0 < n; i0 += per) out.push([i0, Math.min(n, i0 + per)]);
    return out;
  }

  // A work record for rows b0.. of `work`: the same buffers, offset by b0 rows.
  function subWork(net: number, work: number, t: number, b0: number): number {
    const m = i32();
    const n = net >> 2;
    const d = m[n + NetWord.d],
      hidden = m[n + NetWord.m],
      C = m[n + NetWord.C];
    const w = work >> 2;
    const widths = new Array<number>(WorkWord.count);
    widths[WorkWord.pre] = widths[WorkWord.h] = widths[WorkWord.dh] = widths[WorkWord.dpre] = hidden;
    widths[WorkWord.logits] = widths[WorkWord.dlogits] = C;
    widths[WorkWord.dx] = d;
    const rec = recs.ptr + 4 * WorkWord.count * t;
    for (let f = 0; f < WorkWord.count; f++) m[(rec >> 2) + f] = m[w + f] + 4 * b0 * widths[f];
    return rec;
  }

  function inputDim(net: number): number {
    return i32()[(net >> 2) + NetWord.d];
  }

  function hiddenWidth(net: number): number {
    return i32()[(net >> 2) + NetWord.m];
  }

  // A batch kernel (net, work, ...rows, B, ...rest) split by rows: each pointer of `rows` moves to the
  // range's first row by its floats per row in `widths` (0: a buffer every range reads whole; a 0
  // pointer stays 0); each range gets its own work record (subWork) and its row count as B. Returns
  // every range's result (one range: the plain call's).
  function byRows(
    name: "netForward" | "pgdAttack" | "pgdEval" | "apgdEval",
    net: number,
    work: number,
    rows: number[],
    widths: number[],
    B: number,
    rest: number[],
  ) {
    const parts = split(name, B);
    if (parts.length === 1) return [(kernels[name] as (...a: number[]) => number)(net, work, ...rows, B, ...rest)];
    return run(
      name,
      parts.map(([b0, b1], t) => [net, subWork(net, work, t, b0), ...rows.map((p, i) => p && p + 4 * b0 * widths[i]), b1 - b0, ...rest]),
    );
  }

  const sum = (results: number[]) => results.reduce((s, r) => s + r, 0);

  const threaded: Kernels = {
    ...kernels,
    netForward(net, work, x, B) {
      byRows("netForward", net, work, [x], [inputDim(net)], B, []);
    },
    netBackward(net, grad, work, x, dx, B, deadSlope) {
      // Attacks want dx, a sum over hidden units: they are split by rows inside pgdAttack instead.
      // Split, the pass leaves dh and dpre as per-range blocks (netBackwardColumns): no caller reads them.
      const parts = grad && !dx ? split("netBackwardColumns", hiddenWidth(net)) : [];
      if (parts.length < 2) return kernels.netBackward(net, grad, work, x, dx, B, deadSlope);
      run(
        "netBackwardColumns",
        parts.map(([j0, j1]) => [net, grad, work, x, B, deadSlope, j0, j1]),
      );
    },
    adamStep(p, g, m, v, n, ...rest) {
      const parts = split("adamStep", n);
      if (parts.length === 1) return kernels.adamStep(p, g, m, v, n, ...rest);
      run(
        "adamStep",
        parts.map(([i0, i1]) => [p + 4 * i0, g + 4 * i0, m + 4 * i0, v + 4 * i0, i1 - i0, ...rest]),
      );
    },
    l2StartRows(delta, points, radii, b0, b1, d, eps) {
      const parts = split("l2StartRows", b1 - b0);
      if (parts.length === 1) return kernels.l2StartRows(delta, points, radii, b0, b1, d, eps);
      run(
        "l2StartRows",
        parts.map(([r0, r1]) => [delta, points, radii, b0 + r0, b0 + r1, d, eps]),
      );
    },
    // Wᵀ is read by every thread; the incremental scratch xprev is split by rows like the iterates.
    pgdAttack(net, work, x, y, delta, xadv, xprev, wt, B, ...rest) {
      const d = inputDim(net);
      byRows("pgdAttack", net, work, [x, y, delta, xadv, xprev, wt], [d, 1, d, d, d, 0], B, rest);
    },
    pgdEval(net, work, x, y, delta, xadv, xprev, wt, best, bestMargin, B, ...rest) {
      const d = inputDim(net);
      return sum(byRows("pgdEval", net, work, [x, y, delta, xadv, xprev, wt, best, bestMargin], [d, 1, d, d, d, 0, d, 1], B, rest));
    },
    apgdEval(net, work, x, y, delta, xadv, best, bestMargin, aux, rows, B, ...rest) {
      const d = inputDim(net);
      const widths = [d, 1, d, d, d, 1, 3 * d, ApgdRowWord.count];
      return sum(byRows("apgdEval", net, work, [x, y, delta, xadv, best, bestMargin, aux, rows], widths, B, rest));
    },
  };
  const pool: Pool = {
    threads,
    close() {
      kernels.setPool(0, 0, 0, 1);
      const c = ctrl();
      Atomics.store(c, Ctrl.kernel, -1);
      Atomics.add(c, Ctrl.seq, 1);
      Atomics.notify(c, Ctrl.seq);
      for (const h of handles) h.terminate();
    },
  };
  return { kernels: threaded, pool };
}
