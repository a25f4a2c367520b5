// featpure benchmarks: GFLOP/s of the matrix kernels per backend, and milliseconds per training step.
// Medians over repeated runs after warm-up (V8 compiles WASM in two tiers), all in one process.
// Usage: node dist/benchmarks/run.js [--json FILE] [--quick]
import { createEngine, resolveConfig, type Backend } from "../src/api.js";
import { BACKENDS } from "../src/engine/wasm.js";
import { allocTwoLayer, initTwoLayer } from "../src/model/twoLayer.js";
import { pretrainSupervised } from "../src/train/pretrain.js";
import { batchSource } from "../src/data/source.js";
import { makeDictionary } from "../src/data/dictionary.js";
import { labelDirection } from "../src/data/sparseCoding.js";
import { Rng } from "../src/rng.js";
import { writeFileAtomic } from "../src/io/atomic.js";
import { median, timeIt } from "./timing.js";
import { contrastiveStepBench } from "./contrastiveStep.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const jsonAt = args.indexOf("--json");
const jsonPath = jsonAt >= 0 ? args[jsonAt + 1] : undefined;

interface MatmulRow { backend: Backend; kernel: string; shape: string; ms: number; gflops: number }
interface StepRow { backend: Backend; kind: string; ms: number }

async function matmulBench(backend: Backend, B: number, C: number, OC: number): Promise<MatmulRow[]> {
  const { arena, kernels: k } = await createEngine({ backend });
  const rng = new Rng(7);
  const inp = arena.alloc(B * C), w = arena.alloc(OC * C), out = arena.alloc(B * OC);
  const din = arena.alloc(B * C), dw = arena.alloc(OC * C);
  rng.fillNormal(arena.f32(inp));
  rng.fillNormal(arena.f32(w));
  rng.fillNormal(arena.f32(out));
  const flops = 2 * B * C * OC;
  const shape = `${B}x${C} . (${OC}x${C})^T`;
  const reps = quick ? 3 : 9;
  const fwd = median(timeIt(() => k.matmulForward(out.ptr, inp.ptr, w.ptr, 0, B, C, OC), reps));
  const bwd = median(timeIt(() => k.matmulBackward(din.ptr, dw.ptr, 0, out.ptr, inp.ptr, w.ptr, B, C, OC), reps));
  return [
    { backend, kernel: "matmulForward", shape, ms: fwd, gflops: flops / fwd / 1e6 },
    { backend, kernel: "matmulBackward (dinp + dweight)", shape, ms: bwd, gflops: (2 * flops) / bwd / 1e6 },
  ];
}

async function stepBench(backend: Backend, adversarial: boolean, steps: number): Promise<StepRow> {
  const cfg = resolveConfig({ backend, optim: { steps } });
  const engine = await createEngine({ backend });
  const root = new Rng(cfg.seed);
  const dict = makeDictionary(cfg.data.dictionary, cfg.data.dim, cfg.data.dim, root.fork("dictionary"));
  const task = { dict, spec: { D: cfg.data.dim, k: cfg.data.sparsity, magnitude: cfg.data.magnitude, magnitudeLow: cfg.data.magnitudeLow }, theta: labelDirection(cfg.data.dim, 1, root.fork("theta")), noise: 0 };
  const shape = { d: cfg.data.dim, m: cfg.model.width, C: 1, activation: cfg.model.activation };
  const runs: number[] = [];
  for (let r = 0; r < (quick ? 3 : 7); r++) {
    const mark = engine.arena.mark();
    const net = allocTwoLayer(engine.arena, shape, false);
    initTwoLayer(engine.arena, net, cfg.model, root.fork("init"));
    const source = batchSource(task, 0, cfg.optim.batch, root.fork("batches"));
    const t0 = performance.now();
    pretrainSupervised(engine, net, cfg, source, root.fork("attack"), { adversarial, box: null });
    runs.push((performance.now() - t0) / steps);
    engine.arena.reset(mark);
  }
  // The first run warms up V8's optimising tier; it is not counted.
  const kind = adversarial ? `adversarial step (PGD-${cfg.adv.steps}, ${cfg.adv.norm})` : "clean step";
  return { backend, kind: `${kind}, d=${cfg.data.dim} m=${cfg.model.width} B=${cfg.optim.batch}`, ms: median(runs.slice(1)) };
}

async function main() {
  const shapes: [number, number, number][] = quick ? [[256, 100, 200]] : [[256, 100, 200], [256, 512, 1024], [1024, 1000, 2000]];
  const matmul: MatmulRow[] = [];
  for (const [B, C, OC] of shapes) for (const b of BACKENDS) matmul.push(...(await matmulBench(b, B, C, OC)));
  const steps: StepRow[] = [];
  for (const b of BACKENDS) for (const adv of [false, true]) steps.push(await stepBench(b, adv, quick ? 20 : 100));
  for (const b of BACKENDS) for (const adv of [false, true]) steps.push(await contrastiveStepBench(b, adv, quick ? 5 : 20, quick ? 2 : 5));

  console.log("Matrix kernels (one thread)");
  console.table(matmul.map((r) => ({ ...r, ms: +r.ms.toFixed(3), gflops: +r.gflops.toFixed(2) })));
  console.log("Training steps, default size (median ms per step)");
  console.table(steps.map((r) => ({ ...r, ms: +r.ms.toFixed(3) })));
  const meta = { node: process.version, platform: `${process.platform} ${process.arch}`, date: new Date().toISOString(), quick };
  if (jsonPath) writeFileAtomic(jsonPath, JSON.stringify({ meta, matmul, steps }, null, 1) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
