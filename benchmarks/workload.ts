// The one workload every contender runs: the default supervised model at a given size, with the
// same initial parameters and the same pre-drawn batches, so only the implementation differs.
import { makeDictionary } from "../src/data/dictionary.js";
import { encode, labels, labelDirection, sampleCodes } from "../src/data/sparseCoding.js";
import type { BatchSource, PairSource } from "../src/data/dataset.js";
import { sparseCodingDataset } from "../src/data/sparseCodingDataset.js";
import { resolveConfig } from "../src/config/validate.js";
import type { Config } from "../src/config/types.js";
import { Rng } from "../src/rng.js";

export interface StepShape {
  d: number;
  m: number;
  B: number;
  /** PGD steps of the adversarial step (l2, eps 0.2, step 2.5 eps / steps, random start). */
  pgd: number;
}

export const DEFAULT_SHAPE: StepShape = { d: 100, m: 200, B: 256, pgd: 5 };
export const EPS = 0.2;
/** l-inf radius of the same order for inputs with 5 active unit-size features out of d = 100: eps·√d = EPS. */
export const EPS_LINF = 0.02;
export const LR = 0.01;

export interface Workload {
  shape: StepShape;
  /** Pre-drawn batches: x (B,d) and y (B) each. */
  xs: Float32Array[];
  ys: Float32Array[];
  /** Initial parameters: W (m,d), thresholds (m), head (m). */
  W: Float32Array;
  thr: Float32Array;
  A: Float32Array;
}

/** A few batches of sparse-coding data (orthogonal dictionary, k = 5) and a Gaussian initialisation (std 0.01). */
export function makeWorkload(shape: StepShape, batches = 4, seed = 1): Workload {
  const { d, m, B } = shape;
  const rng = new Rng(seed);
  const dict = makeDictionary("orthogonal", d, d, rng.fork("dictionary"));
  const theta = labelDirection(d, 1, rng.fork("theta"));
  const spec = { D: d, k: Math.min(5, d), magnitude: "sign" as const, magnitudeLow: 0.5 };
  const xs: Float32Array[] = [],
    ys: Float32Array[] = [];
  const data = rng.fork("data");
  for (let i = 0; i < batches; i++) {
    const z = sampleCodes(B, spec, theta, data);
    xs.push(encode(z, B, dict, 0, data));
    ys.push(labels(z, B, theta));
  }
  const init = rng.fork("init");
  const W = new Float32Array(m * d),
    A = new Float32Array(m);
  init.fillNormal(W, 0.01);
  init.fillNormal(A, 0.01);
  return { shape, xs, ys, W, thr: new Float32Array(m), A };
}

/** Cycles through the pre-drawn batches: a copy per step, so data generation is not timed. */
export function cyclingSource(w: Workload): BatchSource {
  let i = 0;
  return {
    next(x, y) {
      x.set(w.xs[i]);
      y.set(w.ys[i]);
      i = (i + 1) % w.xs.length;
    },
    // The cycle draws nothing at random: its position is its whole state.
    save: () => ({ rng: new Rng(0).state(), order: null, pos: i }),
    load(s) {
      i = s.pos;
    },
  };
}

/** Floating-point work of one step: forward 2Bdm, backward 4Bdm (dx and dW), and per PGD step a forward and a dx. */
export function stepFlops(s: StepShape, adversarial: boolean): number {
  const layer = 2 * s.B * s.d * s.m;
  return 3 * layer + (adversarial ? s.pgd * 2 * layer : 0);
}

/** The contrastive step's workload: the default contrastive experiment's data, model and attack (mode contrastive). */
export interface ContrastiveWorkload {
  cfg: Config;
  shape: StepShape;
  /** Pre-drawn pairs: view 1 in rows 0..B-1, view 2 in rows B..2B-1 (2B,d) each. */
  xs: Float32Array[];
  /** Initial W (m,d) and the fixed thresholds (m). */
  W: Float32Array;
  thr: Float32Array;
}

/** A few pair batches of the default contrastive experiment (or a smaller shape), its initialisation. */
export function makeContrastiveWorkload(shape?: Partial<StepShape>, batches = 4): ContrastiveWorkload {
  const cfg = resolveConfig({
    mode: "contrastive",
    eval: { n: 1 },
    downstream: { n: 2 },
    ...(shape ? { data: { dim: shape.d }, model: { width: shape.m }, optim: { batch: shape.B }, adv: { steps: shape.pgd } } : {}),
  });
  const root = new Rng(cfg.seed);
  const B = cfg.optim.batch,
    d = cfg.data.dim,
    m = cfg.model.width;
  const pairs = sparseCodingDataset(cfg, root).pairBatches!(B, cfg.contrastive, root.fork("pairs"));
  const xs: Float32Array[] = [];
  for (let i = 0; i < batches; i++) {
    const x = new Float32Array(2 * B * d);
    pairs.next(x.subarray(0, B * d), x.subarray(B * d));
    xs.push(x);
  }
  const W = new Float32Array(m * d);
  root.fork("init").fillNormal(W, cfg.model.initStd);
  return { cfg, shape: { d, m, B, pgd: cfg.adv.steps }, xs, W, thr: new Float32Array(m).fill(cfg.model.thresholdInit) };
}

/** Cycles through the pre-drawn pairs, as cyclingSource does for labelled batches. */
export function cyclingPairs(w: ContrastiveWorkload): PairSource {
  let i = 0;
  const n = w.shape.B * w.shape.d;
  return {
    next(x1, x2) {
      x1.set(w.xs[i].subarray(0, n));
      x2.set(w.xs[i].subarray(n));
      i = (i + 1) % w.xs.length;
    },
    // As cyclingSource: the position is the whole state.
    save: () => ({ rng: new Rng(0).state(), order: null, pos: i }),
    load(s) {
      i = s.pos;
    },
  };
}

/** A random start in the l2 ball of radius eps for B rows of d (the peers' checks start every attack from it). */
export function l2Start(B: number, d: number, eps: number, rng: Rng): Float32Array {
  const delta = new Float32Array(B * d);
  rng.fillNormal(delta, 1);
  for (let b = 0; b < B; b++) {
    const row = delta.subarray(b * d, (b + 1) * d);
    let n = 0;
    for (const v of row) n += v * v;
    const s = (eps * Math.pow(rng.uniform(), 1 / d)) / Math.sqrt(n);
    for (let i = 0; i < d; i++) row[i] *= s;
  }
  return delta;
}
