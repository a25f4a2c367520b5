// The typed surface of the WASM module (assembly/index.ts): its kernels' signatures, generated from
// the module's exports (kernelSignatures.ts), and the enumerations they take.
import {
  Activation as ActivationId,
  ApgdLoss as ApgdLossId,
  ApgdRowWord,
  ContrastiveLoss as ContrastiveLossId,
  Norm as NormId,
} from "../../assembly/contract.js";
export type { Kernels } from "./kernelSignatures.js";

// The enumerations the kernels take, by name (assembly/contract.ts).
export const ACTIVATION = ActivationId;
export const NORM = NormId;
export const APGD_LOSS = ApgdLossId;
export type ApgdLoss = keyof typeof ApgdLossId;
/** f32 words of APGD's per-row state. */
export const APGD_ROW_WORDS = ApgdRowWord.count;
export const CONTRASTIVE_LOSS = ContrastiveLossId;
export type ContrastiveLoss = keyof typeof ContrastiveLossId;
export type Activation = keyof typeof ActivationId;
export type Norm = keyof typeof NormId;
