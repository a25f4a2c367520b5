// The hidden layer seen through the dictionary, in the flat f32 form the heatmaps draw (a pure
// neuron is one bright cell in its row).
import type { Dictionary } from "../data/dictionary.js";
import { coefficientMatrix } from "./purity.js";

/** |M^T w_j| for the m rows of W (m x d): m x D, row-major. f32 is plenty for display. */
export function coefficientMagnitudes(W: Float32Array, m: number, dict: Dictionary): Float32Array {
  const out = new Float32Array(m * dict.D);
  coefficientMatrix(W, m, dict).forEach((row, j) => row.forEach((v, i) => (out[j * dict.D + i] = Math.abs(v))));
  return out;
}
