// Purification proxies for image data, where no dictionary is known to measure c_j = M^T w_j against.
// A purified neuron reads few, nearby pixels (sparse, localised weights: a stroke, not a whole
// digit template) and responds to a part shared by several digits rather than to one class. Each
// weight proxy is scale invariant; a zero neuron gets zeros, never NaN.
import { summarize, type Summary } from "./purity.js";

export interface NeuronProxies {
  /** ||w_j||_2 */
  norm: number;
  /** ||w||_2^4 / ||w||_4^4 over pixels, in [1, d]: the effective number of pixels read. */
  participation: number;
  /** Share of ||w||^2 in the largest topFraction of pixels, in [topFraction, 1]. */
  topMass: number;
  /** Share of ||w||^2 inside the densest window x window square of the image, in [window^2/d, 1]. */
  windowMass: number;
  /** Root-mean-square distance in pixels of the w^2 mass from its centre: 0 for a single pixel. */
  spread: number;
  /** max_c E[|h_j| | class c] / sum_c E[|h_j| | class c], in [1/classes, 1]; 0 for a neuron never active. */
  selectivity: number;
  /** ||w_j|| >= liveFraction * max_j ||w_j|| and ||w_j|| > 0 */
  live: boolean;
}

export interface ProxyOptions {
  /** Side of the square window of windowMass. */
  window: number;
  /** Fraction of pixels counted by topMass. */
  topFraction: number;
  liveFraction: number;
}

export const DEFAULT_PROXIES: ProxyOptions = Object.freeze({ window: 7, topFraction: 0.05, liveFraction: 0.1 });

/** Summaries are over live neurons only. */
export interface ProxySummary {
  neurons: number;
  live: number;
  participation: Summary;
  topMass: Summary;
  windowMass: Summary;
  spread: Summary;
  selectivity: Summary;
  options: ProxyOptions;
}

/** The activations H (n, m) of a probe set of images and their classes, for selectivity. */
export interface ClassProbe {
  H: Float32Array;
  n: number;
  classes: Uint8Array;
  classCount: number;
}

/** Per-neuron proxies of W (m, side*side) row-major, each row a side x side image. */
export function neuronProxies(W: Float32Array, m: number, side: number, probe: ClassProbe, opts?: Partial<ProxyOptions>): NeuronProxies[] {
  const o = { ...DEFAULT_PROXIES, ...opts };
  const d = side * side;
  if (W.length !== m * d) throw new RangeError(`neuronProxies: W must be m x side^2 = ${m} x ${d} (${m * d} values), got ${W.length}`);
  if (!(Number.isInteger(o.window) && o.window >= 1 && o.window <= side))
    throw new RangeError(`neuronProxies: window must be an integer in [1, ${side}], got ${o.window}`);
  if (!(o.topFraction > 0 && o.topFraction <= 1))
    throw new RangeError(`neuronProxies: topFraction must be in (0, 1], got ${o.topFraction}`);
  if (probe.H.length !== probe.n * m || probe.classes.length !== probe.n)
    throw new RangeError(`neuronProxies: the probe must hold ${probe.n} x ${m} activations and ${probe.n} classes`);
  const selectivity = classSelectivity(probe, m);
  const sq = new Float64Array(d);
  const norms = new Float64Array(m);
  const out: NeuronProxies[] = new Array(m);
  for (let j = 0; j < m; j++) {
    let scale = 0;
    for (let i = 0; i < d; i++) scale = Math.max(scale, Math.abs(W[j * d + i]));
    // Squares of w / max|w| stay in [0, 1], so the fourth powers cannot underflow.
    let e2 = 0;
    let e4 = 0;
    for (let i = 0; i < d; i++) {
      const v = scale > 0 ? W[j * d + i] / scale : 0;
      sq[i] = v * v;
      e2 += sq[i];
      e4 += sq[i] * sq[i];
    }
    norms[j] = scale * Math.sqrt(e2);
    out[j] = {
      norm: norms[j],
      participation: e2 > 0 ? (e2 * e2) / e4 : 0,
      topMass: e2 > 0 ? topShare(sq, Math.max(1, Math.round(o.topFraction * d))) / e2 : 0,
      windowMass: e2 > 0 ? densestWindow(sq, side, o.window) / e2 : 0,
      spread: e2 > 0 ? spread(sq, side, e2) : 0,
      selectivity: selectivity[j],
      live: false,
    };
  }
  let maxNorm = 0;
  for (let j = 0; j < m; j++) maxNorm = Math.max(maxNorm, norms[j]);
  for (let j = 0; j < m; j++) out[j].live = norms[j] > 0 && norms[j] >= o.liveFraction * maxNorm;
  return out;
}

export function summarizeProxies(neurons: NeuronProxies[], opts?: Partial<ProxyOptions>): ProxySummary {
  const live = neurons.filter((n) => n.live);
  const pick = (f: (n: NeuronProxies) => number) => summarize(live.map(f));
  return {
    neurons: neurons.length,
    live: live.length,
    participation: pick((n) => n.participation),
    topMass: pick((n) => n.topMass),
    windowMass: pick((n) => n.windowMass),
    spread: pick((n) => n.spread),
    selectivity: pick((n) => n.selectivity),
    options: { ...DEFAULT_PROXIES, ...opts },
  };
}

/** Class selectivity of every neuron from the mean |h_j| per class. */
export function classSelectivity(probe: ClassProbe, m: number): Float64Array {
  const { H, n, classes, classCount } = probe;
  const sums = new Float64Array(classCount * m);
  const counts = new Float64Array(classCount);
  for (let r = 0; r < n; r++) {
    const c = classes[r];
    if (c >= classCount) throw new RangeError(`classSelectivity: class ${c} at row ${r} is not below ${classCount}`);
    counts[c]++;
    for (let j = 0; j < m; j++) sums[c * m + j] += Math.abs(H[r * m + j]);
  }
  const out = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let best = 0;
    let total = 0;
    for (let c = 0; c < classCount; c++) {
      if (counts[c] === 0) continue;
      const mean = sums[c * m + j] / counts[c];
      best = Math.max(best, mean);
      total += mean;
    }
    out[j] = total > 0 ? best / total : 0;
  }
  return out;
}

/** Sum of the k largest entries. */
function topShare(sq: Float64Array, k: number): number {
  const sorted = Float64Array.from(sq).sort();
  let s = 0;
  for (let i = sorted.length - k; i < sorted.length; i++) s += sorted[i];
  return s;
}

/** Largest sum of sq over a window x window square, by a summed-area table. */
function densestWindow(sq: Float64Array, side: number, window: number): number {
  const S = new Float64Array((side + 1) * (side + 1));
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++)
      S[(r + 1) * (side + 1) + c + 1] = sq[r * side + c] + S[r * (side + 1) + c + 1] + S[(r + 1) * (side + 1) + c] - S[r * (side + 1) + c];
  }
  let best = 0;
  for (let r = 0; r + window <= side; r++) {
    for (let c = 0; c + window <= side; c++) {
      const at = (rr: number, cc: number) => S[rr * (side + 1) + cc];
      best = Math.max(best, at(r + window, c + window) - at(r, c + window) - at(r + window, c) + at(r, c));
    }
  }
  return best;
}

function spread(sq: Float64Array, side: number, total: number): number {
  let cr = 0;
  let cc = 0;
  for (let i = 0; i < sq.length; i++) {
    cr += sq[i] * Math.floor(i / side);
    cc += sq[i] * (i % side);
  }
  cr /= total;
  cc /= total;
  let v = 0;
  for (let i = 0; i < sq.length; i++) v += sq[i] * ((Math.floor(i / side) - cr) ** 2 + ((i % side) - cc) ** 2);
  return Math.sqrt(Math.max(0, v / total));
}
