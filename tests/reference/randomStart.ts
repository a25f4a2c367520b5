// Reference for assembly/random.ts: the random starts as drawn in TypeScript from an Rng.
import type { Norm } from "../../src/engine/kernels.js";
import { exp, log } from "../../src/math/portable.js";
import type { Rng } from "../../src/rng.js";

/** A uniform draw from the eps-ball of the norm for each of the B rows of delta (B,d). */
export function fillRandomStart(delta: Float32Array, B: number, d: number, norm: Norm, eps: number, rng: Rng): void {
  if (norm === "linf") {
    for (let i = 0; i < B * d; i++) delta[i] = (2 * rng.uniform() - 1) * eps;
    return;
  }
  for (let b = 0; b < B; b++) {
    const row = delta.subarray(b * d, (b + 1) * d);
    rng.fillNormal(row);
    let n = 0;
    for (let i = 0; i < d; i++) n += row[i] * row[i];
    // Radius eps * U^(1/d) makes the draw uniform in the ball, not on its sphere.
    const s = n > 0 ? (eps * exp(log(rng.uniform()) / d)) / Math.sqrt(n) : 0;
    for (let i = 0; i < d; i++) row[i] *= s;
  }
}
