// Random starts of the attacks, drawn by the kernels of assembly/random.ts from the caller's Rng: its
// state goes into WASM memory and comes back, so the stream continues exactly as if the TypeScript
// reference (tests/reference/randomStart.ts) had drawn the numbers. An l2 start takes two calls per
// block of rows: the sequential draws, then the row-parallel transform that the engine's threads split.
import type { Arena, Buf } from "../engine/arena.js";
import type { Norm } from "../engine/kernels.js";
import type { Engine } from "../engine/wasm.js";
import type { Rng } from "../rng.js";
import { allocStream, drawInWasm, STREAM_WORDS } from "../engine/stream.js";

// f32 words per entry of the points buffer (three f64)
const ENTRY_WORDS = 6;
/** Rows drawn per block: the draws of a block wait in memory for the transform (about 12 bytes a coordinate). */
export const RANDOM_START_ROWS = 256;

/** The kernels' workspace for starts of up to `rows` rows of d at a time (allocate with the other buffers). */
export interface RandomStartScratch {
  rows: number;
  state: Buf;
  points: Buf;
  radii: Buf;
}

const blockRows = (B: number) => Math.max(1, Math.min(B, RANDOM_START_ROWS));

/** Float words of a RandomStartScratch for batches of up to B rows of d (src/experiments/memoryBudget.ts counts them). */
export function randomStartWords(B: number, d: number): number {
  const rows = blockRows(B);
  return STREAM_WORDS + ENTRY_WORDS * (1 + Math.ceil((rows * d) / 2)) + 2 * rows;
}

export function allocRandomStart(arena: Arena, B: number, d: number): RandomStartScratch {
  const rows = blockRows(B);
  return {
    rows,
    state: allocStream(arena),
    points: arena.alloc(ENTRY_WORDS * (1 + Math.ceil((rows * d) / 2)), "random start draws"),
    radii: arena.alloc(2 * rows, "random start radii"),
  };
}

/** Fills delta (B,d) at byte offset deltaPtr with uniform draws from the eps-ball of the norm. */
export function fillRandomStart(
  engine: Engine,
  scratch: RandomStartScratch,
  deltaPtr: number,
  B: number,
  d: number,
  norm: Norm,
  eps: number,
  rng: Rng,
): void {
  const { arena, kernels } = engine;
  drawInWasm(arena, scratch.state, rng, (rec) => {
    if (norm === "linf") kernels.linfStart(deltaPtr, B * d, eps, rec);
    else {
      for (let b0 = 0; b0 < B; b0 += scratch.rows) {
        const rows = Math.min(scratch.rows, B - b0);
        kernels.randomDraws(scratch.points.ptr, scratch.radii.ptr, rows, d, rec);
        kernels.l2StartRows(deltaPtr + 4 * b0 * d, scratch.points.ptr, scratch.radii.ptr, 0, rows, d, eps);
      }
    }
  });
}
