// PGD and FGM on the input of a two-layer network: random starts in TypeScript (from the seeded
// PRNG), the whole iterative attack on a batch in one WASM call.
import type { Config } from "../config/types.js";
import type { Arena, Buf } from "../engine/arena.js";
import { APGD_ROW_WORDS, NORM, type Norm } from "../engine/kernels.js";
import type { Work } from "../engine/layout.js";
import type { Engine } from "../engine/wasm.js";
import type { TwoLayer } from "../model/twoLayer.js";
import type { Rng } from "../rng.js";
import { allocRandomStart, fillRandomStart, type RandomStartScratch } from "./randomStart.js";

export interface AttackSpec {
  norm: Norm;
  eps: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  /** Valid input range [lo, hi] that perturbed inputs are clamped to; null: unbounded. */
  box: [number, number] | null;
}

/** The attack of adversarial pre-training (config.adv): FGM is one full step to the ball's surface. */
export function trainingAttack(a: Config["adv"], box: [number, number] | null): AttackSpec {
  if (a.attack === "fgm") return { norm: a.norm, eps: a.eps, steps: 1, stepSize: a.eps, randomStart: false, box };
  return { norm: a.norm, eps: a.eps, steps: a.steps, stepSize: a.stepSize || (2.5 * a.eps) / a.steps, randomStart: a.randomStart, box };
}

/** lo, hi arguments of the attack kernels: lo = hi switches the clamp off. */
export function boxArgs(box: [number, number] | null): [number, number] {
  return box ?? [0, 0];
}

/** Workspace of incremental forward passes (iterateForward in assembly/attack.ts): Wᵀ and the last iterate. */
export interface IncrementalScratch {
  wt: Buf;
  xprev: Buf;
}

/** f32 words of an IncrementalScratch for attacks on up to `rows` samples (the memory budget counts them). */
export function incrementalWords(rows: number, d: number, m: number): number {
  return d * m + rows * d;
}

export function allocIncremental(arena: Arena, rows: number, d: number, m: number): IncrementalScratch {
  return { wt: arena.alloc(d * m, "transposed weights"), xprev: arena.alloc(rows * d, "last attack iterates") };
}

/**
 * The attack kernels' xprev and wt: 0, 0 for full forward passes, else after Wᵀ is taken of `net` as
 * it is now. Only l-inf attacks take incremental ones: an l2 step changes every input, so the update
 * costs what the full pass does (measured in benchmarks/incremental.ts) and would only change the rounding.
 */
function incrementalArgs(engine: Engine, net: TwoLayer, inc: IncrementalScratch | null, norm: Norm): [number, number] {
  if (!inc || norm !== "linf") return [0, 0];
  engine.kernels.transpose(inc.wt.ptr, net.params.W.ptr, net.shape.m, net.shape.d);
  return [inc.xprev.ptr, inc.wt.ptr];
}

/** Training-time attack on a batch: leaves x + delta in xadv. */
export function attackBatch(
  engine: Engine,
  net: TwoLayer,
  work: Work,
  x: Buf,
  y: Buf,
  delta: Buf,
  xadv: Buf,
  B: number,
  spec: AttackSpec,
  starts: RandomStartScratch,
  rng: Rng,
  inc: IncrementalScratch | null = null,
): void {
  const { arena, kernels } = engine;
  const d = net.shape.d;
  if (spec.randomStart) fillRandomStart(engine, starts, delta.ptr, B, d, spec.norm, spec.eps, rng);
  else arena.f32(delta).fill(0, 0, B * d);
  kernels.pgdAttack(
    net.rec.ptr,
    work.rec.ptr,
    x.ptr,
    y.ptr,
    delta.ptr,
    xadv.ptr,
    ...incrementalArgs(engine, net, inc, spec.norm),
    B,
    NORM[spec.norm],
    spec.eps,
    spec.stepSize,
    spec.steps,
    0,
    ...boxArgs(spec.box),
  );
}

/** A labelled set living in the arena: x (n,d), y (n). */
export interface LabelledSet {
  x: Buf;
  y: Buf;
  n: number;
}

export interface EvalAttack {
  norm: Norm;
  eps: number;
  steps: number;
  restarts: number;
  /** Step size = stepScale * eps / steps. */
  stepScale: number;
  /** Dead-zone gradient slope used by odd-numbered restarts. */
  surrogateSlope: number;
  box: [number, number] | null;
}

/** Scratch buffers for evaluation attacks on chunks of up to `chunk` samples. */
export interface EvalScratch {
  chunk: number;
  work: Work;
  x: Buf;
  y: Buf;
  delta: Buf;
  xadv: Buf;
  best: Buf;
  margin: Buf;
  starts: RandomStartScratch;
  /** Incremental forward passes of the attacks (config incrementalForward), or null. */
  incremental: IncrementalScratch | null;
  /** APGD's per-row state (apgdEval in assembly/apgd.ts), or null without APGD (config eval.apgd). */
  apgd: ApgdScratch | null;
  /** Rows one attack call takes through all its steps (EVAL_ROWS_PER_THREAD per kernel thread). */
  callRows: number;
}

/** APGD's state for up to `rows` samples: per row the previous iterate, the best one and its gradient (aux, 3d), and its scalars. */
export interface ApgdScratch {
  aux: Buf;
  rows: Buf;
}

/** f32 words of an ApgdScratch for `rows` samples of d (the memory budget counts them). */
export function apgdWords(rows: number, d: number): number {
  return rows * (3 * d + APGD_ROW_WORDS);
}

/**
 * `incremental`: with the workspace of incremental forward passes, for a network of that many hidden
 * units; `apgd`: with APGD's state.
 */
export function allocEvalScratch(
  engine: Engine,
  work: Work,
  d: number,
  incremental: { m: number } | null = null,
  apgd = false,
): EvalScratch {
  const { arena } = engine;
  const B = work.B;
  return {
    chunk: B,
    work,
    x: arena.alloc(B * d, "attack inputs"),
    y: arena.alloc(B, "attack labels"),
    delta: arena.alloc(B * d, "perturbations"),
    xadv: arena.alloc(B * d, "adversarial inputs"),
    best: arena.alloc(B * d, "worst perturbations"),
    margin: arena.alloc(B, "worst margins"),
    starts: allocRandomStart(arena, B, d),
    incremental: incremental && allocIncremental(arena, B, d, incremental.m),
    apgd: apgd
      ? { aux: arena.alloc(3 * B * d, "APGD iterates and gradients"), rows: arena.alloc(B * APGD_ROW_WORDS, "APGD step sizes and losses") }
      : null,
    callRows: EVAL_ROWS_PER_THREAD * engine.threads,
  };
}

/** How a long evaluation lets the rest of the program in: a stop request, and turns of the event loop. */
export interface EvalControl {
  signal?: AbortSignal;
  /** Returns a promise when the event loop should get a turn (src/train/pacer.ts). */
  pace?: () => Promise<void> | null;
}

/**
 * Rows per kernel thread in one evaluation attack call. A whole chunk (1000 rows by default) keeps
 * about 5 MB of inputs, perturbations and activations in play at d = 100, m = 200, more than a
 * core's L2 (2 MB here); a block of this many rows per thread stays there through all the attack's
 * steps: PGD-20 on 1000 rows 4-8 % faster in blocks of 125-250 (docs/speed.md), the same bits.
 */
const EVAL_ROWS_PER_THREAD = 256;

/** Between two attack calls: give the event loop its turn, then honour a stop request. */
async function between(control: EvalControl): Promise<void> {
  const turn = control.pace?.();
  if (turn) await turn;
  if (control.signal?.aborted) throw control.signal.reason ?? new Error("aborted");
}

export interface RobustResult {
  /** Fraction of samples classified correctly at every point the attack tried (the clean point included). */
  accuracy: number;
  /** Per sample, the perturbation with the lowest margin found (n,d): reused by transfer attacks. */
  worst: Float32Array;
  /** Per sample, the lowest margin y*f found; <= 0 means the attack succeeded. */
  margins: Float32Array;
}

/**
 * One pass of an attack on the B samples gathered at the front of scratch (x, y, best, margin set):
 * pass r = -1 is the clean pass (pass `cleanPass` for it), r >= 0 attack restarts.
 */
export type AttackPass = (r: number, B: number) => void;

/**
 * The scaffolding every evaluation attack shares. Each sample starts at its clean margin (so a
 * misclassified sample is never counted robust), or at `prior`'s; per chunk, each pass attacks only
 * the samples that survived so far and keeps their worst iterate. `passes` restarts after the clean
 * pass (which a prior replaces); `single`: the passes after the first would change nothing (eps = 0).
 */
export async function attackSurvivors(
  engine: Engine,
  set: LabelledSet,
  d: number,
  scratch: EvalScratch,
  passes: number,
  single: boolean,
  pass: AttackPass,
  prior?: RobustResult,
  control: EvalControl = {},
): Promise<RobustResult> {
  const { arena } = engine;
  const worst = prior ? prior.worst.slice() : new Float32Array(set.n * d);
  const margins = prior ? prior.margins.slice() : new Float32Array(set.n).fill(Infinity);
  const X = arena.f32(set.x);
  const Y = arena.f32(set.y);
  for (let start = 0; start < set.n; start += scratch.chunk) {
    const end = Math.min(set.n, start + scratch.chunk);
    let idx = Array.from({ length: end - start }, (_, i) => start + i).filter((s) => margins[s] > 0);
    for (let r = prior ? 0 : -1; r < passes && idx.length > 0; r++) {
      const B = idx.length;
      const xs = arena.f32(scratch.x),
        ys = arena.f32(scratch.y);
      const best = arena.f32(scratch.best),
        bm = arena.f32(scratch.margin);
      idx.forEach((s, i) => {
        xs.set(X.subarray(s * d, (s + 1) * d), i * d);
        ys[i] = Y[s];
        bm[i] = margins[s];
        best.set(worst.subarray(s * d, (s + 1) * d), i * d);
      });
      pass(r, B);
      idx.forEach((s, i) => {
        margins[s] = bm[i];
        worst.set(best.subarray(i * d, (i + 1) * d), s * d);
      });
      await between(control);
      if (single) break;
      idx = idx.filter((s) => margins[s] > 0);
    }
  }
  let robust = 0;
  for (let i = 0; i < set.n; i++) if (margins[i] > 0) robust++;
  return { accuracy: robust / set.n, worst, margins };
}

/** The clean pass of attackSurvivors: each gathered sample scored at zero perturbation. */
export function cleanPass(engine: Engine, net: TwoLayer, scratch: EvalScratch, B: number): void {
  engine.arena.f32(scratch.delta).fill(0, 0, B * net.shape.d);
  pgdBlocks(engine, net, scratch, B, 0, 0, 0, 0, 0, null, 0, 0);
}

/**
 * pgdEval on the B gathered samples. Rows are attacked independently, so a call may take a block of
 * them through all its steps, each block's rows of the work buffers reused from row 0.
 */
function pgdBlocks(
  engine: Engine,
  net: TwoLayer,
  scratch: EvalScratch,
  B: number,
  norm: number,
  eps: number,
  alpha: number,
  steps: number,
  slope: number,
  box: [number, number] | null,
  xprev: number,
  wt: number,
): void {
  const d = net.shape.d,
    block = scratch.callRows;
  for (let b0 = 0; b0 < B; b0 += block) {
    const o = 4 * b0 * d;
    engine.kernels.pgdEval(
      net.rec.ptr,
      scratch.work.rec.ptr,
      scratch.x.ptr + o,
      scratch.y.ptr + 4 * b0,
      scratch.delta.ptr + o,
      scratch.xadv.ptr + o,
      xprev && xprev + o,
      wt,
      scratch.best.ptr + o,
      scratch.margin.ptr + 4 * b0,
      Math.min(block, B - b0),
      norm,
      eps,
      alpha,
      steps,
      slope,
      ...boxArgs(box),
    );
  }
}

/**
 * Robust accuracy under PGD with restarts (attackSurvivors), each restart from a fresh random start.
 * Odd restarts follow a surrogate gradient in the activation dead zone, where the exact gradient is
 * zero and would stall the attack.
 *
 * With `prior`, the result of an attack in a smaller or equal ball of the same norm, the attack
 * continues from it: its perturbations are feasible here too, so samples it already broke stay
 * broken without being attacked again, and only its survivors are attacked.
 */
export async function robustAccuracy(
  engine: Engine,
  net: TwoLayer,
  set: LabelledSet,
  attack: EvalAttack,
  scratch: EvalScratch,
  rng: Rng,
  prior?: RobustResult,
  control: EvalControl = {},
): Promise<RobustResult> {
  const d = net.shape.d;
  const alpha = (attack.stepScale * attack.eps) / attack.steps;
  const norm = NORM[attack.norm];
  return attackSurvivors(
    engine,
    set,
    d,
    scratch,
    attack.restarts,
    attack.eps === 0,
    (r, B) => {
      if (r < 0) return cleanPass(engine, net, scratch, B);
      if (attack.eps === 0) engine.arena.f32(scratch.delta).fill(0, 0, B * d);
      else fillRandomStart(engine, scratch.starts, scratch.delta.ptr, B, d, attack.norm, attack.eps, rng);
      const [xprev, wt] = incrementalArgs(engine, net, scratch.incremental, attack.norm);
      pgdBlocks(
        engine,
        net,
        scratch,
        B,
        norm,
        attack.eps,
        alpha,
        attack.steps,
        r % 2 === 1 ? attack.surrogateSlope : 0,
        attack.box,
        xprev,
        wt,
      );
    },
    prior,
    control,
  );
}

/** Per sample, the margin y*f of `net` at x + perturbations (n,d) crafted elsewhere: the transfer attack. */
export function marginsUnder(
  engine: Engine,
  net: TwoLayer,
  set: LabelledSet,
  perturbations: Float32Array,
  scratch: EvalScratch,
): Float32Array {
  const { arena, kernels } = engine;
  const d = net.shape.d;
  const X = arena.f32(set.x),
    Y = arena.f32(set.y);
  const margins = new Float32Array(set.n);
  for (let start = 0; start < set.n; start += scratch.chunk) {
    const B = Math.min(set.n, start + scratch.chunk) - start;
    arena.f32(scratch.x).set(X.subarray(start * d, (start + B) * d));
    arena.f32(scratch.y).set(Y.subarray(start, start + B));
    arena.f32(scratch.delta).set(perturbations.subarray(start * d, (start + B) * d));
    arena.f32(scratch.margin).fill(Infinity, 0, B);
    // No steps: one forward pass, nothing for an incremental one to reuse.
    kernels.pgdEval(
      net.rec.ptr,
      scratch.work.rec.ptr,
      scratch.x.ptr,
      scratch.y.ptr,
      scratch.delta.ptr,
      scratch.xadv.ptr,
      0,
      0,
      scratch.best.ptr,
      scratch.margin.ptr,
      B,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    );
    margins.set(arena.f32(scratch.margin).subarray(0, B), start);
  }
  return margins;
}
