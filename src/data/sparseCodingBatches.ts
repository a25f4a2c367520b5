// Population batches of the sparse-coding data drawn by the engine (assembly/sparseCoding.ts): the
// batches of batchSource's fresh draws (source.ts), bit for bit and with the stream left where the
// TypeScript draws leave it, in about a quarter of the time (a default batch: 0.8-0.9 ms in
// TypeScript, which the training step waits for on one thread; docs/speed.md).
import type { Engine } from "../engine/wasm.js";
import { allocStream, drawInWasm } from "../engine/stream.js";
import type { Rng } from "../rng.js";
import { MAX_TIE_REDRAWS, tiesError, type Task } from "./sparseCoding.js";
import { SparseTaskWord as T } from "../../assembly/contract.js";

// f32 words of the task record (assembly/sparseCoding.ts SparseTask)
const TASK_WORDS = T.count;

/** f32 words the source takes from the arena for batches of B (src/experiments/memoryBudget.ts counts them). */
export function sparseCodingBatchWords(B: number, d: number, D: number): number {
  return TASK_WORDS + 2 * D + 2 * D * d + 2 * B * D + B * d + B + 2 * d + 8;
}

/** A population batch drawn into the arena: draw() advances rng; x, y, z view its inputs, labels and codes. */
export interface KernelDraws {
  draw(): void;
  x(): Float32Array;
  y(): Float32Array;
  z(): Float64Array;
}

export function kernelDraws(engine: Engine, task: Task, B: number, rng: Rng): KernelDraws {
  const { arena, kernels } = engine;
  const { dict, spec, theta, noise } = task;
  const { d, D } = dict;
  const f64 = (n: number, what: string) => arena.alloc(2 * n, what);
  const rec = arena.alloc(TASK_WORDS, "data task");
  const thetaBuf = f64(D, "label direction");
  const atoms = dict.kind === "identity" ? null : f64(D * d, "dictionary atoms");
  const z = f64(B * D, "batch codes"),
    row = f64(d, "encoding row");
  const x = arena.alloc(B * d, "batch inputs"),
    y = arena.alloc(B, "batch labels");
  const stream = allocStream(arena);
  new Float64Array(arena.memory.buffer, thetaBuf.ptr, D).set(theta);
  if (atoms) new Float64Array(arena.memory.buffer, atoms.ptr, D * d).set(dict.atoms);
  const words = arena.i32(rec);
  words[T.theta] = thetaBuf.ptr;
  words[T.atoms] = atoms?.ptr ?? 0;
  words[T.D] = D;
  words[T.d] = d;
  words[T.uniformMagnitude] = spec.magnitude === "uniform" ? 1 : 0;
  const setF64 = (word: T, v: number) => (new Float64Array(arena.memory.buffer, rec.ptr + 4 * word, 1)[0] = v);
  setF64(T.threshold, (spec.k / D) * 4294967296);
  setF64(T.magnitudeLow, spec.magnitudeLow);
  setF64(T.noise, noise);
  return {
    draw() {
      const failed = drawInWasm(arena, stream, rng, (st) =>
        kernels.sparseCodingBatch(rec.ptr, z.ptr, x.ptr, y.ptr, row.ptr, B, MAX_TIE_REDRAWS, st),
      );
      if (failed >= 0) throw tiesError(spec);
    },
    x: () => arena.f32(x),
    y: () => arena.f32(y),
    z: () => new Float64Array(arena.memory.buffer, z.ptr, B * D),
  };
}

/** Fills x (B,d) and y (B) with the next population batch of the task, drawn from rng by the engine. */
export function kernelBatches(engine: Engine, task: Task, B: number, rng: Rng): (x: Float32Array, y: Float32Array) => void {
  const draws = kernelDraws(engine, task, B, rng);
  return (xOut, yOut) => {
    draws.draw();
    xOut.set(draws.x());
    yOut.set(draws.y());
  };
}
