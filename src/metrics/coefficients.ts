// The hidden layer seen through the dictionary: |c_ji| = |M_i . w_j| for every neuron j and feature i,
// the matrix the purification heatmaps draw (a pure neuron is one bright cell in its row).
import { coefficientsInto, type Dictionary } from "../data/dictionary.js";

/** |M^T w_j| for the m rows of W (m x d): m x D, row-major. f32 is plenty for display. */
export function coefficientMagnitudes(W: Float32Array, m: number, dict: Dictionary): Float32Array {
  const { d, D } = dict;
  if (W.length !== m * d) throw new RangeError(`coefficientMagnitudes: W must be m x d = ${m} x ${d} (${m * d} values), got ${W.length}`);
  const out = new Float32Array(m * D);
  const c = new Float64Array(D);
  for (let j = 0; j < m; j++) {
    coefficientsInto(dict, W, j * d, c);
    for (let i = 0; i < D; i++) out[j * D + i] = Math.abs(c[i]);
  }
  return out;
}
