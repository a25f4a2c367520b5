// The engine's PRNG stream inside WASM memory: kernels that draw (random starts, data batches) take
// a record of an Rng's state, advance it as the TypeScript Rng would, and the Rng takes it back, so
// the stream continues exactly as if TypeScript had drawn the numbers.
import type { Arena, Buf } from "./arena.js";
import type { Rng } from "../rng.js";
import { RngWord } from "../../assembly/contract.js";

/** f32 words of a record (RngWord, assembly/contract.ts). */
export const STREAM_WORDS = RngWord.count;

export function allocStream(arena: Arena): Buf {
  return arena.alloc(STREAM_WORDS, "random stream state");
}

/** Runs `draw` on the record at `rec` holding rng's state, then moves rng to where the record ends. */
export function drawInWasm<T>(arena: Arena, rec: Buf, rng: Rng, draw: (statePtr: number) => T): T {
  const st = rng.state();
  const u32 = () => new Uint32Array(arena.memory.buffer, rec.ptr, RngWord.spare);
  const spare = () => new Float64Array(arena.memory.buffer, rec.ptr + 4 * RngWord.spare, 1);
  u32().set([st.words[0], st.words[1], st.words[2], st.words[3]], RngWord.a);
  u32()[RngWord.hasSpare] = st.spare === null ? 0 : 1;
  spare()[0] = st.spare ?? 0;
  const out = draw(rec.ptr);
  const w = u32();
  rng.restore({
    key: st.key,
    words: [w[RngWord.a], w[RngWord.b], w[RngWord.c], w[RngWord.d]],
    spare: w[RngWord.hasSpare] ? spare()[0] : null,
  });
  return out;
}
