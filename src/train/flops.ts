// Training cost counted analytically from shapes and steps: 2 flops per multiply-add of the
// products (forward, backward and attack gradients), which dominate; element-wise work is left out.
import type { NetShape } from "../engine/layout.js";

/** One forward pass of B samples through the network: the hidden product and the head. */
export function forwardFlops(s: NetShape, B: number): number {
  return 2 * B * s.m * (s.d + s.C);
}

/**
 * One step of (adversarial) supervised training on a batch of B: pgdSteps attack gradients (a forward
 * pass and a backward pass to the input each), the training forward pass, and its backward pass
 * (dh and the head's gradient always; W's gradient unless the encoder is frozen).
 */
export function trainingStepFlops(s: NetShape, B: number, pgdSteps: number, trainEncoder: boolean): number {
  const attackStep = forwardFlops(s, B) + 2 * B * s.m * (s.C + s.d);
  const backward = 4 * B * s.m * s.C + (trainEncoder ? 2 * B * s.m * s.d : 0);
  return pgdSteps * attackStep + forwardFlops(s, B) + backward;
}

/**
 * The clean head's Newton solve on n samples (src/train/logisticRegression.ts): the features (one
 * forward product), then per iteration the Hessian's upper half n p (p + 1), its Cholesky factor p^3/3,
 * and four score/gradient products of 2 n p, with p = m + 1 parameters.
 */
export function headFitFlops(s: NetShape, n: number, iterations: number): number {
  const p = s.m + 1;
  return 2 * n * s.m * s.d + iterations * (n * p * (p + 1) + (p * p * p) / 3 + 8 * n * p);
}
