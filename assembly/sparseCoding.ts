// Population batches of the sparse-coding data model x = M z + xi, y = sign(theta·z) (docs/model.md, "Data"),
// drawn inside WASM from the engine's one PRNG stream. Every operation of src/data/sparseCoding.ts
// (sampleCodes, then encode: the reference's order of draws; labels from sampleCodes' sums) is
// repeated one for one, so the batches and the stream afterwards are bit-identical to it
// (tests/data/sparseCodingBatches.test.ts); only the time a batch takes changes (docs/speed.md).
import { RngState, enterStream, leaveStream, nextU32, uniform, normal } from "./random";
import { SparseTaskWord } from "./contract";

// The task, written by src/data/sparseCodingBatches.ts.
@unmanaged export class SparseTask {
  theta: usize; // (D) f64
  atoms: usize; // (D,d) f64, row i the atom M_i; 0: the identity dictionary (D = d)
  D: i32; d: i32;
  uniformMagnitude: i32; pad: i32;
  threshold: f64; // (k / D) 2^32: coordinate i is active when its draw is below it
  magnitudeLow: f64;
  noise: f64;
}
// The layout TypeScript writes (SparseTaskWord, assembly/contract.ts), checked when this file compiles.
// @ts-ignore: ERROR is a compile-time diagnostic
if (offsetof<SparseTask>("theta") != <usize>SparseTaskWord.theta * 4 ||
    offsetof<SparseTask>("atoms") != <usize>SparseTaskWord.atoms * 4 ||
    offsetof<SparseTask>("D") != <usize>SparseTaskWord.D * 4 ||
    offsetof<SparseTask>("d") != <usize>SparseTaskWord.d * 4 ||
    offsetof<SparseTask>("uniformMagnitude") != <usize>SparseTaskWord.uniformMagnitude * 4 ||
    offsetof<SparseTask>("pad") != <usize>SparseTaskWord.pad * 4 ||
    offsetof<SparseTask>("threshold") != <usize>SparseTaskWord.threshold * 4 ||
    offsetof<SparseTask>("magnitudeLow") != <usize>SparseTaskWord.magnitudeLow * 4 ||
    offsetof<SparseTask>("noise") != <usize>SparseTaskWord.noise * 4 ||
    offsetof<SparseTask>() != <usize>SparseTaskWord.count * 4) ERROR("class SparseTask does not match SparseTaskWord of assembly/contract.ts");

// z (B,D) f64 codes, x (B,d) f32 inputs, y (B) f32 labels; row (d) f64 scratch; the stream record at
// statePtr. Returns -1, or the first sample whose codes gave theta·z = 0 on maxRedraws draws in a row
// (the batch is then unusable and the stream is left where the draws stopped).
export function sparseCodingBatch(taskPtr: usize, z: usize, x: usize, y: usize, row: usize, B: i32, maxRedraws: i32, statePtr: usize): i32 {
  const t = changetype<SparseTask>(taskPtr);
  const st = changetype<RngState>(statePtr);
  enterStream(st);
  const failed = sampleCodes(t, z, y, B, maxRedraws);
  if (failed < 0) encode(t, z, x, row, B, st);
  leaveStream(st);
  return failed;
}

// Every sample's codes, each redrawn whole until theta·z != 0 (the reference's loop), and its label
// y = sign(theta·z) as ±1 from the same sum. The reference's labels() sums again skipping zero
// codes, which changes nothing: the sum starts at +0 and never becomes -0 (x + y = -0 needs both -0),
// and adding ±0 to anything else leaves it as it is.
function sampleCodes(t: SparseTask, z: usize, y: usize, B: i32, maxRedraws: i32): i32 {
  const D = t.D;
  const span = 1 - t.magnitudeLow;
  for (let s = 0; s < B; s++) {
    const base = z + (<usize>s * <usize>D << 3);
    for (let attempt = 0; ; attempt++) {
      if (attempt >= maxRedraws) return s;
      let dot: f64 = 0;
      // One fill, then only the few active codes are stored.
      memory.fill(base, 0, <usize>D << 3);
      for (let i = 0; i < D; i++) {
        if (<f64>nextU32() >= t.threshold) continue;
        const p = base + (<usize>i << 3);
        const mag: f64 = t.uniformMagnitude ? t.magnitudeLow + span * uniform() : 1;
        const v = nextU32() & 1 ? -mag : mag;
        store<f64>(p, v);
        dot += load<f64>(t.theta + (<usize>i << 3)) * v;
      }
      if (dot != 0) {
        store<f32>(y + (<usize>s << 2), dot < 0 ? -1 : 1);
        break;
      }
    }
  }
  return -1;
}

// x = M z + noise N(0, I), summed in f64 per row (noise first, then the active atoms in order) and
// rounded once to f32.
function encode(t: SparseTask, z: usize, x: usize, row: usize, B: i32, st: RngState): void {
  const D = t.D, d = t.d;
  const rowBytes = <usize>d << 3;
  for (let s = 0; s < B; s++) {
    if (t.noise > 0) for (let r = 0; r < d; r++) store<f64>(row + (<usize>r << 3), t.noise * normal(st));
    else memory.fill(row, 0, rowBytes);
    const zb = z + (<usize>s * <usize>D << 3);
    for (let i = 0; i < D; i++) {
      const zi = load<f64>(zb + (<usize>i << 3));
      if (zi == 0) continue;
      if (!t.atoms) {
        const p = row + (<usize>i << 3);
        store<f64>(p, load<f64>(p) + zi);
        continue;
      }
      const atom = t.atoms + <usize>i * rowBytes;
      let r = 0;
      if (ASC_FEATURE_SIMD) {
        // Two rows' entries per vector, each the reference's multiply then add.
        const c = f64x2.splat(zi);
        for (; r + 2 <= d; r += 2) {
          const off = <usize>r << 3;
          v128.store(row + off, f64x2.add(v128.load(row + off), f64x2.mul(c, v128.load(atom + off))));
        }
      }
      for (; r < d; r++) {
        const off = <usize>r << 3;
        store<f64>(row + off, load<f64>(row + off) + zi * load<f64>(atom + off));
      }
    }
    const xb = x + (<usize>s * <usize>d << 2);
    for (let r = 0; r < d; r++) store<f32>(xb + (<usize>r << 2), <f32>load<f64>(row + (<usize>r << 3)));
  }
}
