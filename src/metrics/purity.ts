// Feature-purification metrics of the hidden layer (docs/model.md, "Purification metrics"), all read from c_j = M^T w_j.
//
// The paper's own metric is unknown, so this reports the candidates side by side. Each one is scale
// invariant, and is computed on c_j / max|c_j| so that tiny or huge weights neither underflow nor
// overflow in the fourth powers. A zero neuron gets zeros (and topFeature -1), never NaN.
import { coefficientsInto, synthesize, type Dictionary } from "../data/dictionary.js";

export interface NeuronPurity {
  /** ||w_j||_2 */
  norm: number;
  /** max_i |c_ji| / ||c_j||_2, in [1/sqrt(D), 1]; 1 when pure. */
  top1: number;
  /** Participation ratio ||c_j||_2^4 / ||c_j||_4^4, in [1, D]: the effective number of features. */
  participation: number;
  /** ||c_j - top_r(c_j)||_2 / ||c_j||_2: the l2 share outside the r largest |c_ji|. */
  outsideTopR: number;
  /** |<w_j, M theta>| / (||w_j|| ||M theta||): alignment with the label direction (the dense mixture). */
  cosLabel: number;
  /** #{i : |c_ji| >= significance * max_i |c_ji|} */
  significant: number;
  /** argmax_i |c_ji| (the first on ties), -1 for a zero neuron. */
  topFeature: number;
  /** ||w_j|| >= liveFraction * max_j ||w_j|| and ||w_j|| > 0 */
  live: boolean;
}

export interface Summary {
  mean: number;
  median: number;
  min: number;
  max: number;
}

/** Summaries are over live neurons only; with no live neuron every summary field is NaN. */
export interface PuritySummary {
  neurons: number;
  live: number;
  top1: Summary;
  participation: Summary;
  outsideTopR: Summary;
  cosLabel: Summary;
  significant: Summary;
  /** histogram[i] = live neurons with i+1 significant features; the last bin counts all >= histogram.length. */
  histogram: number[];
}

export interface PurityOptions {
  topR: number;
  significance: number;
  liveFraction: number;
  histogramBins: number;
}

export const DEFAULT_PURITY: PurityOptions = Object.freeze({ topR: 1, significance: 0.5, liveFraction: 0.1, histogramBins: 10 });

/** Per-neuron purity of W (m x d, row-major) against the dictionary and the label direction theta. */
export function neuronPurity(
  W: Float32Array,
  m: number,
  dict: Dictionary,
  theta: Float64Array,
  opts?: Partial<PurityOptions>,
): NeuronPurity[] {
  const o = resolve(opts);
  const { d, D } = dict;
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`neuronPurity: m must be an integer >= 0, got ${m}`);
  if (W.length !== m * d) throw new RangeError(`neuronPurity: W must be m x d = ${m} x ${d} (${m * d} values), got ${W.length}`);
  if (theta.length !== D) throw new RangeError(`neuronPurity: theta must have length D=${D}, got ${theta.length}`);

  const u = synthesize(dict, theta);
  const uNorm = Math.sqrt(dot(u, u, 0, d));
  const c = new Float64Array(D);
  const sq = new Float64Array(D);
  const r = Math.min(o.topR, D);

  const norms = new Float64Array(m);
  for (let j = 0; j < m; j++) norms[j] = rowNorm(W, j * d, d);
  let maxNorm = 0;
  for (let j = 0; j < m; j++) maxNorm = Math.max(maxNorm, norms[j]);

  const out: NeuronPurity[] = new Array(m);
  for (let j = 0; j < m; j++) {
    const norm = norms[j];
    const live = norm > 0 && norm >= o.liveFraction * maxNorm;
    coefficientsInto(dict, W, j * d, c);
    let maxAbs = 0;
    let topFeature = -1;
    for (let i = 0; i < D; i++) {
      const a = Math.abs(c[i]);
      if (a > maxAbs) {
        maxAbs = a;
        topFeature = i;
      }
    }
    if (maxAbs === 0 || !Number.isFinite(maxAbs)) {
      out[j] = { norm, top1: 0, participation: 0, outsideTopR: 0, cosLabel: 0, significant: 0, topFeature, live };
      continue;
    }
    // Normalised so the largest |c| is 1: every metric below is scale invariant.
    const inv = 1 / maxAbs;
    let l2 = 0;
    let l4 = 0;
    let significant = 0;
    for (let i = 0; i < D; i++) {
      const a = Math.abs(c[i]) * inv;
      const a2 = a * a;
      sq[i] = a2;
      l2 += a2;
      l4 += a2 * a2;
      if (a >= o.significance) significant++;
    }
    // Summing the smallest D - r squares directly (ascending) keeps a near-pure neuron's tiny residue accurate.
    sq.sort();
    let rest = 0;
    for (let i = 0; i < D - r; i++) rest += sq[i];
    const wu = dot(W, u, j * d, d);
    out[j] = {
      norm,
      top1: 1 / Math.sqrt(l2),
      participation: (l2 * l2) / l4,
      outsideTopR: Math.sqrt(rest / l2),
      cosLabel: uNorm > 0 && norm > 0 ? Math.min(1, Math.abs(wu) / (norm * uNorm)) : 0,
      significant,
      topFeature,
      live,
    };
  }
  return out;
}

/** Rows c_j = M^T w_j of every neuron (m x D), for heatmaps of which features each neuron reads. */
export function coefficientMatrix(W: Float32Array, m: number, dict: Dictionary): number[][] {
  if (W.length !== m * dict.d)
    throw new RangeError(`coefficientMatrix: W must be m x d = ${m} x ${dict.d} (${m * dict.d} values), got ${W.length}`);
  const c = new Float64Array(dict.D);
  const rows: number[][] = [];
  for (let j = 0; j < m; j++) {
    coefficientsInto(dict, W, j * dict.d, c);
    rows.push(Array.from(c));
  }
  return rows;
}

export function summarizePurity(neurons: NeuronPurity[], opts?: Partial<PurityOptions>): PuritySummary {
  const o = resolve(opts);
  const live = neurons.filter((n) => n.live);
  const histogram = new Array<number>(o.histogramBins).fill(0);
  for (const n of live) {
    if (n.significant < 1) continue; // cannot happen for a live neuron on a spanning dictionary
    histogram[Math.min(n.significant, o.histogramBins) - 1]++;
  }
  const pick = (f: (n: NeuronPurity) => number) => summarize(live.map(f));
  return {
    neurons: neurons.length,
    live: live.length,
    top1: pick((n) => n.top1),
    participation: pick((n) => n.participation),
    outsideTopR: pick((n) => n.outsideTopR),
    cosLabel: pick((n) => n.cosLabel),
    significant: pick((n) => n.significant),
    histogram,
  };
}

/** mean, median (average of the middle two for an even count), min, max; NaN for no values. */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return { mean: NaN, median: NaN, min: NaN, max: NaN };
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  const median = n % 2 ? s[(n - 1) >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  return { mean: sum / n, median, min: s[0], max: s[n - 1] };
}

function resolve(opts?: Partial<PurityOptions>): PurityOptions {
  const o: PurityOptions = {
    topR: opts?.topR ?? DEFAULT_PURITY.topR,
    significance: opts?.significance ?? DEFAULT_PURITY.significance,
    liveFraction: opts?.liveFraction ?? DEFAULT_PURITY.liveFraction,
    histogramBins: opts?.histogramBins ?? DEFAULT_PURITY.histogramBins,
  };
  if (!Number.isInteger(o.topR) || o.topR < 1) throw new RangeError(`purity: topR must be an integer >= 1, got ${o.topR}`);
  if (!(o.significance > 0 && o.significance <= 1)) throw new RangeError(`purity: significance must be in (0, 1], got ${o.significance}`);
  if (!(o.liveFraction >= 0 && o.liveFraction <= 1)) throw new RangeError(`purity: liveFraction must be in [0, 1], got ${o.liveFraction}`);
  if (!Number.isInteger(o.histogramBins) || o.histogramBins < 1)
    throw new RangeError(`purity: histogramBins must be an integer >= 1, got ${o.histogramBins}`);
  return o;
}

function rowNorm(W: Float32Array, off: number, d: number): number {
  // f32 entries squared cannot overflow or underflow in f64, so no scaling is needed here.
  let s = 0;
  for (let r = 0; r < d; r++) s += W[off + r] * W[off + r];
  return Math.sqrt(s);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>, offA: number, d: number): number {
  let s = 0;
  for (let r = 0; r < d; r++) s += a[offA + r] * b[r];
  return s;
}
