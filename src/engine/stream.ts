// The engine's PRNG stream inside WASM memory: kernels that draw (random starts, data batches) take
// a record of an Rng's state, advance it as the TypeScript Rng would, and the Rng takes it back, so
// the stream continues exactly as if TypeScript had drawn the numbers.
import type { Arena, Buf } from "./arena.js";
import type { Rng } from "../rng.js";

/** f32 words of a record: u32 a, b, c, d; i32 hasSpare; i32 padding; f64 spare (assembly/random.ts RngState). */
export const STREAM_WORDS = 8;

export function allocStream(arena: Arena): Buf {
  return arena.alloc(STREAM_WORDS, "random stream state");
}

/** Runs `draw` on the record at `rec` holding rng's state, then moves rng to where the record ends. */
export function drawInWasm<T>(arena: Arena, rec: Buf, rng: Rng, draw: (statePtr: number) => T): T {
  const st = rng.state();
  new Uint32Array(arena.memory.buffer, rec.ptr, 6).set([...st.words, st.spare === null ? 0 : 1]);
  new Float64Array(arena.memory.buffer, rec.ptr + 24, 1)[0] = st.spare ?? 0;
  const out = draw(rec.ptr);
  const words = new Uint32Array(arena.memory.buffer, rec.ptr, 6);
  const spare = new Float64Array(arena.memory.buffer, rec.ptr + 24, 1)[0];
  rng.restore({ key: st.key, words: [words[0], words[1], words[2], words[3]], spare: words[4] ? spare : null });
  return out;
}
