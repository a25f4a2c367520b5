// GFLOP/s of the matrix kernels, per backend, on the shapes of the experiments and larger ones.
// The backward pass is timed for each gradient alone (dinp is what attacks need) and, on the
// experiment shape, at the sparsity that thresholded activations give it.
import { createEngine, type Backend } from "../src/engine/wasm.js";
import { Rng } from "../src/rng.js";
import { medians, timeIt } from "./timing.js";

export interface KernelRow {
  backend: Backend;
  kernel: string;
  shape: string;
  /** Fraction of non-zero entries of dout (1: dense). */
  density: number;
  /** Median wall and CPU time per call. */
  ms: number;
  cpuMs: number;
  /** Dense-equivalent, from the CPU time: 2·B·C·OC flops per call whatever the density, so skipped zeros show as speed. */
  gflops: number;
  /** Relaxed build: gflops over those of the register-only multiply-add loop (maddPeak) timed just before this shape. */
  shareOfLoop?: number;
}

/** Name of the rows of the register-only multiply-add loop. */
export const MADD_LOOP = "fused multiply-add loop, registers only";
// Rounds of the loop per call: about 100 MFLOP, a few milliseconds.
const LOOP_ROUNDS = 1_000_000;

/** B x C times (OC x C)^T, as the forward pass computes it. */
export type MatShape = [B: number, C: number, OC: number];

export async function kernelRows(backend: Backend, shapes: MatShape[], densities: number[], reps: number): Promise<KernelRow[]> {
  const { arena, kernels: k, close } = await createEngine({ backend });
  const rows: KernelRow[] = [];
  const rng = new Rng(`kernels-${backend}`);
  try {
    const loopFlops = k.maddPeak(LOOP_ROUNDS, arena.alloc(1).ptr);
    for (const [B, C, OC] of shapes) {
      const mark = arena.mark();
      const inp = arena.alloc(B * C),
        w = arena.alloc(OC * C),
        out = arena.alloc(B * OC),
        dout = arena.alloc(B * OC);
      const din = arena.alloc(B * C),
        dw = arena.alloc(OC * C);
      rng.fillNormal(arena.f32(inp));
      rng.fillNormal(arena.f32(w));
      const flops = 2 * B * C * OC;
      const shape = `${B}x${C} . (${OC}x${C})^T`;
      const big = flops > 1e9;
      const n = big ? Math.max(3, reps >> 2) : reps;
      // What the FMA pipes give right now (relaxed build only), against which this shape's kernels are read.
      const loop = medians(timeIt(() => k.maddPeak(LOOP_ROUNDS, out.ptr), reps));
      const loopGflops = loopFlops > 0 ? loopFlops / loop.cpuMs / 1e6 : 0;
      if (loopFlops > 0)
        rows.push({
          backend,
          kernel: MADD_LOOP,
          shape: `12 chains, before ${B}x${C}x${OC}`,
          density: 1,
          ...loop,
          gflops: loopGflops,
          shareOfLoop: 1,
        });
      const add = (kernel: string, density: number, t: { ms: number; cpuMs: number }) => {
        const gflops = flops / t.cpuMs / 1e6;
        rows.push({ backend, kernel, shape, density, ...t, gflops, ...(loopFlops > 0 ? { shareOfLoop: gflops / loopGflops } : {}) });
      };
      add("matmulForward", 1, medians(timeIt(() => k.matmulForward(out.ptr, inp.ptr, w.ptr, 0, B, C, OC), n, big ? 1 : 3)));
      for (const density of densities) {
        const g = arena.f32(dout);
        rng.fillNormal(g);
        // Zero whole entries at random, as thresholded activations do.
        if (density < 1) for (let i = 0; i < g.length; i++) if (rng.uniform() >= density) g[i] = 0;
        add(
          "matmulBackward dinp",
          density,
          medians(timeIt(() => k.matmulBackward(din.ptr, 0, 0, dout.ptr, inp.ptr, w.ptr, B, C, OC), n, big ? 1 : 3)),
        );
        add(
          "matmulBackward dweight",
          density,
          medians(timeIt(() => k.matmulBackward(0, dw.ptr, 0, dout.ptr, inp.ptr, w.ptr, B, C, OC), n, big ? 1 : 3)),
        );
      }
      arena.reset(mark);
    }
  } finally {
    close();
  }
  return rows;
}
