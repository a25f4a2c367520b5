// Do the peers compute what featpure computes? Each peer returns the loss and the parameter gradients
// at the workload's initial parameters on its first batch, clean and after the PGD attack from one
// given start (so no random draws differ); featpure computes the same with its kernels, and a peer
// whose numbers differ by more than f32 rounding is not a result (a BLAS kernel that miscomputes on
// this processor, say), whatever its speed.
import { NORM } from "../src/engine/kernels.js";
import { allocCtr, allocWork, writeNet } from "../src/engine/layout.js";
import type { Engine } from "../src/engine/wasm.js";
import { allocTwoLayer } from "../src/model/twoLayer.js";
import { EPS, type ContrastiveWorkload, type Workload } from "./workload.js";
import type { CheckResult } from "./peers/torch.js";

/**
 * Largest error allowed, relative to the largest magnitude of each quantity. Observed between
 * featpure and the peers: about 1e-6 for the losses and 1e-5 for the gradients (f32 sums in other
 * orders, through a 5-step attack whose ascent normalises each row); a wrong product is off by O(1).
 */
export const AGREEMENT_TOLERANCE = 1e-3;

export interface Agreement {
  /** Worst relative error over the losses and the gradients, clean and adversarial. */
  worst: number;
  tolerance: number;
  ok: boolean;
  /** Per quantity ("clean loss", "adversarial grad W", ...): relative error. */
  errors: Record<string, number>;
}

function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0,
    scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  // NaN anywhere makes diff NaN, which must not pass.
  return Number.isNaN(diff) ? Infinity : scale > 0 ? diff / scale : diff;
}

export function compareChecks(peer: CheckResult, mine: CheckResult, tolerance = AGREEMENT_TOLERANCE): Agreement {
  const errors: Record<string, number> = {};
  for (const kind of ["clean", "adversarial"] as const) {
    errors[`${kind} loss`] = relError([peer[kind].loss], [mine[kind].loss]);
    for (const [name, g] of Object.entries(mine[kind].grads)) errors[`${kind} grad ${name}`] = relError(peer[kind].grads[name] ?? [], g);
  }
  const worst = Math.max(...Object.values(errors));
  return { worst, tolerance, ok: worst <= tolerance, errors };
}

/** featpure's loss and gradients (W, thresholds, head) of the supervised step, clean and after PGD from delta. */
export function featpureSupervisedCheck(engine: Engine, w: Workload, delta: Float32Array): CheckResult {
  const { arena, kernels: k } = engine;
  const { d, m, B, pgd } = w.shape;
  const mark = arena.mark();
  try {
    const shape = { d, m, C: 1, activation: "symrelu" as const };
    const net = allocTwoLayer(arena, shape, false);
    arena.f32(net.params.W).set(w.W);
    arena.f32(net.params.thr).set(w.thr);
    arena.f32(net.params.A).set(w.A);
    const g = { W: arena.alloc(m * d, "grad W"), thr: arena.alloc(m, "grad thresholds"), A: arena.alloc(m, "grad head") };
    const gradRec = writeNet(arena, { ...g, c: null }, shape);
    const work = allocWork(arena, shape, B);
    const [x, y, dl, xadv] = [arena.alloc(B * d, "x"), arena.alloc(B, "y"), arena.alloc(B * d, "delta"), arena.alloc(B * d, "xadv")];
    arena.f32(x).set(w.xs[0]);
    arena.f32(y).set(w.ys[0]);
    arena.f32(dl).set(delta);
    const at = (input: typeof x) => {
      k.netForward(net.rec.ptr, work.rec.ptr, input.ptr, B);
      const loss = k.logisticForward(work.logits.ptr, y.ptr, B);
      arena.f32(work.dlogits).fill(0);
      k.logisticBackward(work.dlogits.ptr, work.logits.ptr, y.ptr, B, 1 / B);
      for (const b of Object.values(g)) arena.f32(b).fill(0);
      k.netBackward(net.rec.ptr, gradRec.ptr, work.rec.ptr, input.ptr, 0, B, 0);
      return { loss, grads: { W: Array.from(arena.f32(g.W)), thr: Array.from(arena.f32(g.thr)), A: Array.from(arena.f32(g.A)) } };
    };
    const clean = at(x);
    k.pgdAttack(net.rec.ptr, work.rec.ptr, x.ptr, y.ptr, dl.ptr, xadv.ptr, 0, 0, B, NORM.l2, EPS, (2.5 * EPS) / pgd, pgd, 0, 0, 0);
    return { clean, adversarial: at(xadv) };
  } finally {
    arena.reset(mark);
  }
}

/** featpure's NT-Xent loss and gradient of W of the contrastive step, clean and after PGD on view 1 from delta. */
export function featpureContrastiveCheck(engine: Engine, w: ContrastiveWorkload, delta: Float32Array): CheckResult {
  const { arena, kernels: k } = engine;
  const { d, m, B, pgd } = w.shape;
  const { cfg } = w;
  const mark = arena.mark();
  try {
    const shape = { d, m, C: 1, activation: cfg.model.activation };
    const net = allocTwoLayer(arena, shape, false);
    arena.f32(net.params.W).set(w.W);
    arena.f32(net.params.thr).set(w.thr);
    const gW = arena.alloc(m * d, "grad W");
    const gradRec = writeNet(arena, { W: gW, thr: null, A: null, c: null }, shape);
    const work = allocWork(arena, shape, 2 * B);
    const ctr = allocCtr(arena, cfg.contrastive, m, B);
    const [x, dl, xadv] = [arena.alloc(2 * B * d, "x"), arena.alloc(B * d, "delta"), arena.alloc(2 * B * d, "xadv")];
    arena.f32(x).set(w.xs[0]);
    arena.f32(dl).set(delta);
    const at = (input: typeof x) => {
      const loss = k.contrastiveForward(net.rec.ptr, work.rec.ptr, ctr.rec.ptr, input.ptr, B);
      arena.f32(gW).fill(0);
      k.contrastiveBackward(net.rec.ptr, gradRec.ptr, work.rec.ptr, ctr.rec.ptr, input.ptr, 0, B, 0, 1);
      return { loss, grads: { W: Array.from(arena.f32(gW)) } };
    };
    const clean = at(x);
    const eps = cfg.adv.eps;
    k.contrastiveAttack(net.rec.ptr, work.rec.ptr, ctr.rec.ptr, x.ptr, dl.ptr, xadv.ptr, B, NORM.l2, eps, (2.5 * eps) / pgd, pgd, 0, 0, 0);
    return { clean, adversarial: at(xadv) };
  } finally {
    arena.reset(mark);
  }
}
