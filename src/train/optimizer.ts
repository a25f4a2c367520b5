// Optimiser state per parameter tensor and the WASM step over all trainable tensors.
import type { Engine } from "../engine/wasm.js";
import type { Buf } from "../engine/arena.js";
import type { Config } from "../config/types.js";

export interface ParamGroup {
  param: Buf;
  grad: Buf;
  /** Keep the tensor >= 0 after every step (thresholds). */
  nonNegative?: boolean;
}

export interface Optimizer {
  step(): void;
  zeroGrad(): void;
  /** Step count and moment buffers (m, then v for Adam, per group), for checkpoints. */
  save(): OptimizerState;
  load(s: OptimizerState): void;
}

export interface OptimizerState {
  t: number;
  moments: Float32Array[];
}

export function makeOptimizer(engine: Engine, groups: ParamGroup[], o: Config["optim"]): Optimizer {
  const { arena, kernels: k } = engine;
  const state = groups.map((g) => ({
    ...g,
    m: arena.alloc(g.param.len, "optimiser state"),
    v: o.optimizer === "adam" ? arena.alloc(g.param.len, "optimiser state") : null,
  }));
  let t = 0;
  const buffers = () => state.flatMap((s) => (s.v ? [s.m, s.v] : [s.m]));
  return {
    step() {
      t++;
      for (const s of state) {
        if (s.v) k.adamStep(s.param.ptr, s.grad.ptr, s.m.ptr, s.v.ptr, s.param.len, o.lr, o.beta1, o.beta2, o.adamEps, o.weightDecay, t);
        else k.sgdStep(s.param.ptr, s.grad.ptr, s.m.ptr, s.param.len, o.lr, o.momentum, o.weightDecay);
        if (s.nonNegative) k.clampMin(s.param.ptr, s.param.len, 0);
      }
    },
    zeroGrad() {
      for (const s of state) arena.f32(s.grad).fill(0);
    },
    save: () => ({ t, moments: buffers().map((b) => arena.f32(b).slice()) }),
    load(s) {
      const bufs = buffers();
      if (!Number.isInteger(s.t) || s.t < 0) throw new TypeError(`optimiser state: step count must be an integer >= 0, got ${s.t}`);
      if (s.moments.length !== bufs.length || s.moments.some((m, i) => m.length !== bufs[i].len)) {
        throw new TypeError(`optimiser state: expected ${bufs.length} moment buffers of lengths ${bufs.map((b) => b.len).join(", ")}`);
      }
      bufs.forEach((b, i) => arena.f32(b).set(s.moments[i]));
      t = s.t;
    },
  };
}
