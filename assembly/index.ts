// The featpure kernel module: every export is a kernel that works on caller-owned memory.
export { matmulForward, matmulBackward, accumulateRows, transpose, gramRows, gramMirrorRows, setScratch, scratchPtr, scratchBytes } from "./linear";
export { activationForward, activationBackward } from "./activation";
export { logisticForward, logisticBackward, countCorrect } from "./loss";
export { netForward, netBackward, netBackwardColumns } from "./net";
export { pgdAttack, pgdEval } from "./attack";
export { apgdEval } from "./apgd";
export {
  normalizeForward, normalizeBackward, ntxentForward, ntxentBackward, spectralForward, spectralBackward,
  contrastiveForward, contrastiveBackward, contrastiveAttack,
} from "./contrastive";
export { ntxentRows, symmetrizeRows } from "./ntxentRows";
export { adamStep, sgdStep, clampMin } from "./optim";
export { linfStart, randomDraws, l2StartRows } from "./random";
export { sparseCodingBatch } from "./sparseCoding";
export { hessianUpper } from "./logistic";
export { setPool, poolJobs, gramForward } from "./pool";
export { maddPeak } from "./peak";

// First free byte after static data: the TypeScript arena starts here.
export function heapBase(): usize {
  return __heap_base;
}
