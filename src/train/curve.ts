// A training curve: what every pre-training objective records on its logging steps.

export interface CurvePoint {
  step: number;
  /** Training loss of the batch the step trained on (adversarial inputs for adversarial training). */
  loss: number;
  /** Accuracy of the network on the clean batch (contrastive objectives: retrieval of the positive). */
  cleanAccuracy: number;
  /** Accuracy on the attacked batch (adversarial training only). */
  adversarialAccuracy: number | null;
}

/** Whether `step` of `steps` is a logging step: every `logEvery`-th, the first and the last. */
export function isLoggingStep(step: number, steps: number, logEvery: number): boolean {
  return step % logEvery === 0 || step === 1 || step === steps;
}
