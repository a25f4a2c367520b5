// Pre-training batches of the sparse-coding data (population training draws one every step, on the
// calling thread, before the step's kernels run): drawn in TypeScript (src/data/sparseCoding.ts) and
// by the engine (assembly/sparseCoding.ts), which give the same batches bit for bit. The two take
// turns run by run and the speed-up is the median of the paired ratios of CPU time.
import { resolveConfig } from "../src/config/validate.js";
import { createEngine, type Backend } from "../src/engine/wasm.js";
import { batchSource } from "../src/data/source.js";
import { sparseCodingTasks } from "../src/data/sparseCodingDataset.js";
import { Rng } from "../src/rng.js";
import { median } from "./timing.js";

export interface DataBatchRow {
  d: number;
  B: number;
  /** Median ms CPU per batch drawn in TypeScript, and by the engine's kernel. */
  typescript: number;
  engine: number;
  /** Median over runs of typescript / engine. */
  speedup: number;
}

export async function dataBatchBench(
  backend: Backend,
  shapes: { d: number; B: number }[],
  batches: number,
  reps: number,
): Promise<DataBatchRow[]> {
  const engine = await createEngine({ backend, threads: 1 });
  try {
    const rows: DataBatchRow[] = [];
    for (const { d, B } of shapes) {
      const { pre } = sparseCodingTasks(resolveConfig({ data: { dim: d }, optim: { batch: B } }), new Rng(1));
      const x = new Float32Array(B * d),
        y = new Float32Array(B);
      const mark = engine.arena.mark();
      const sources = [batchSource(pre, 0, B, new Rng(2)), batchSource(pre, 0, B, new Rng(2), engine)];
      const ms = (which: number) => {
        const c0 = process.cpuUsage();
        for (let i = 0; i < batches; i++) sources[which].next(x, y);
        const c = process.cpuUsage(c0);
        return (c.user + c.system) / 1000 / batches;
      };
      const ts: number[] = [],
        wasm: number[] = [];
      for (let r = 0; r <= reps; r++) {
        const a = ms(0),
          b = ms(1);
        // the first round warms both up
        if (r > 0) {
          ts.push(a);
          wasm.push(b);
        }
      }
      engine.arena.reset(mark);
      rows.push({ d, B, typescript: median(ts), engine: median(wasm), speedup: median(ts.map((t, r) => t / wasm[r])) });
    }
    return rows;
  } finally {
    engine.close();
  }
}
