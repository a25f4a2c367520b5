// What incremental forward passes in the attacks buy (config incrementalForward, iterateForward in
// assembly/attack.ts): the adversarial training step with and without them on the benchmark's
// workload, one thread. The two take turns run by run and the speed-up is the median of the paired
// ratios of CPU time, so that both see the same spells of a shared machine.
import { createEngine, type Backend } from "../src/engine/wasm.js";
import { runSteps } from "./steps.js";
import { median } from "./timing.js";
import { makeWorkload, type StepShape } from "./workload.js";

export interface IncrementalRow {
  norm: "l2" | "linf";
  shape: StepShape;
  /** Median ms CPU per adversarial step with full forward passes, and with incremental ones. */
  full: number;
  incremental: number;
  /** Median over runs of full / incremental. */
  speedup: number;
}

export async function incrementalBench(
  backend: Backend,
  cases: { norm: "l2" | "linf"; shape: StepShape }[],
  steps: number,
  reps: number,
): Promise<IncrementalRow[]> {
  const engine = await createEngine({ backend, threads: 1 });
  try {
    const rows: IncrementalRow[] = [];
    for (const { norm, shape } of cases) {
      const w = makeWorkload(shape);
      const ms = async (incrementalForward: boolean, seed: number) => {
        const c0 = process.cpuUsage();
        await runSteps(engine, w, steps, true, seed, { norm, incrementalForward });
        const c = process.cpuUsage(c0);
        return (c.user + c.system) / 1000 / steps;
      };
      const full: number[] = [],
        inc: number[] = [];
      for (let r = 0; r <= reps; r++) {
        const f = await ms(false, r),
          i = await ms(true, r);
        // the first round warms both up
        if (r > 0) {
          full.push(f);
          inc.push(i);
        }
      }
      rows.push({ norm, shape, full: median(full), incremental: median(inc), speedup: median(full.map((f, r) => f / inc[r])) });
    }
    return rows;
  } finally {
    engine.close();
  }
}
