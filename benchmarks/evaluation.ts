// What the robustness evaluation costs: evaluateModel (src/experiments/evaluate.ts) on a cleanly
// pre-trained network of the default shape, with PGD alone and with PGD and both APGD runs (config
// eval.apgd), per 1000 test samples, per thread count. The two take turns round by round, so that
// both see the same spells of a shared machine; medians of wall time.
import { resolveConfig } from "../src/config/validate.js";
import type { Backend } from "../src/engine/wasm.js";
import { allocWork } from "../src/engine/layout.js";
import { allocEvalScratch, type LabelledSet } from "../src/attacks/pgd.js";
import { makeDataset } from "../src/data/datasets.js";
import { evaluateModel } from "../src/experiments/evaluate.js";
import { pretrainArm } from "../src/experiments/experiment.js";
import { Rng } from "../src/rng.js";
import { median } from "./timing.js";

export interface EvaluationRow {
  threads: number;
  /** Test samples evaluated per run, radii of the grid (l2 + l-inf), and the settings that set the work. */
  n: number;
  radii: number;
  pgd: string;
  apgd: string;
  /** Median wall ms per 1000 samples: PGD (grid and strong check) alone, and with both APGD runs. */
  pgdOnly: number;
  withApgd: number;
  /** Median over rounds of withApgd / pgdOnly. */
  ratio: number;
  /** Robust accuracy at the headline radius, PGD alone and the worst case with APGD: what the extra time bought. */
  headline: { pgd: number; worstCase: number };
}

export async function evaluationBench(
  backend: Backend,
  threadCounts: number[],
  quick: boolean,
  log: (l: string) => void,
): Promise<EvaluationRow[]> {
  // The reproduce preset's evaluation (src/sweep/reproduce.ts) on the default model.
  const cfg = resolveConfig({
    backend,
    train: "clean",
    optim: { steps: quick ? 20 : 1000 },
    ...(quick ? { data: { dim: 20 }, model: { width: 24 } } : {}),
    eval: { n: quick ? 64 : 1000, epsL2: [0.1, 0.2, 0.5, 1], epsLinf: [0.02, 0.05, 0.1], strongSteps: 50, strongRestarts: 2 },
  });
  const rounds = quick ? 1 : 3;
  const rows: EvaluationRow[] = [];
  for (const threads of threadCounts) {
    log(`evaluation: ${threads} thread(s)`);
    const root = new Rng(cfg.seed);
    const data = await makeDataset(cfg, root);
    const { engine, net } = await pretrainArm({ ...cfg, threads }, data, root, "clean");
    try {
      const { arena } = engine;
      const scratch = allocEvalScratch(engine, allocWork(arena, net.shape, cfg.eval.chunk), net.shape.d, null, true);
      const x = arena.alloc(data.preTest.x.length),
        y = arena.alloc(data.preTest.n);
      arena.f32(x).set(data.preTest.x);
      arena.f32(y).set(data.preTest.y);
      const set: LabelledSet = { x, y, n: data.preTest.n };
      const run = async (apgd: boolean) => {
        const t0 = performance.now();
        const e = await evaluateModel(engine, net, set, { ...cfg, eval: { ...cfg.eval, apgd } }, data.box, scratch, new Rng(1));
        return { ms: ((performance.now() - t0) * 1000) / set.n, headline: e.eval.headline };
      };
      await run(true); // warm-up
      const off: number[] = [],
        on: number[] = [];
      let last = await run(true);
      for (let r = 0; r < rounds; r++) {
        off.push((await run(false)).ms);
        last = await run(true);
        on.push(last.ms);
      }
      const e = cfg.eval;
      rows.push({
        threads: engine.threads,
        n: set.n,
        radii: e.epsL2.length + e.epsLinf.length,
        pgd: `PGD-${e.steps} x ${e.restarts} per radius, PGD-${e.strongSteps} x ${e.strongRestarts} at ${e.radiusNorm} ${e.radius}`,
        apgd: `APGD-CE-${e.apgdSteps} and APGD-margin-${e.apgdSteps} per radius`,
        pgdOnly: median(off),
        withApgd: median(on),
        ratio: median(on.map((v, i) => v / off[i])),
        headline: { pgd: last.headline.attacks.pgd, worstCase: last.headline.accuracy },
      });
    } finally {
      engine.close();
    }
  }
  return rows;
}
