// How much WASM memory a configuration needs, computed from the config alone, so that sizes that
// cannot fit are refused before anything is allocated (the arena would only fail mid-run). It
// mirrors the allocations of one arm's engine: network, training buffers, evaluation scratch and sets.
import type { Config } from "../config/types.js";
import { randomStartWords } from "../attacks/randomStart.js";
import { apgdWords, incrementalWords } from "../attacks/pgd.js";
import { sparseCodingBatchWords } from "../data/sparseCodingBatches.js";
import { ctrWords } from "../engine/layout.js";
import { AUTO_THREADS_MAX, KERNEL_SCRATCH_BYTES } from "../config/limits.js";
import { WorkWord } from "../../assembly/contract.js";

/** The module's static data below the arena's base, with room to spare. */
const STATIC_BYTES = 65536;
/** Worst-case padding of one allocation to the arena's 16-byte alignment. */
const ALIGN_SLACK = 16;

export interface MemoryTerm {
  what: string;
  /** The config field to reduce to shrink this term. */
  path: string;
  bytes: number;
}

/** Each part of one engine's memory, largest first. */
export function arenaTerms(c: Config): MemoryTerm[] {
  const d = c.data.dim,
    m = c.model.width,
    B = c.optim.batch;
  // featureCount's rule (config/validate.ts, which imports this module)
  const D = c.data.features || d;
  const bias = c.model.outputBias ? 1 : 0;
  const params = m * d + 2 * m + bias;
  const trainable = m * d + (c.model.trainThreshold ? m : 0) + (c.model.trainHead ? m : 0) + bias;
  const moments = c.optim.optimizer === "adam" ? 2 : 1;
  const work = (n: number) => n * (4 * m + 2 + d) + WorkWord.count;
  const chunk = Math.min(c.eval.chunk, Math.max(c.eval.n, c.downstream.n));
  const f = (n: number, allocs: number) => 4 * n + ALIGN_SLACK * allocs;
  const inc = (rows: number) => (c.incrementalForward ? incrementalWords(rows, d, m) : 0);
  const batchData = sparseCodingBatchWords(B, d, D);
  // Contrastive: both views (and the attacked pair) in 2B rows, and the objective's buffers.
  const training =
    c.mode === "contrastive"
      ? f(work(2 * B) + 5 * B * d + randomStartWords(B, d) + ctrWords(c.contrastive, m, B) + batchData, 30)
      : f(work(B) + 3 * B * d + B + randomStartWords(B, d) + inc(B) + batchData, 25);
  return [
    {
      what: "kernel scratch (one block per thread)",
      path: "threads",
      bytes: f(((c.threads || AUTO_THREADS_MAX) * KERNEL_SCRATCH_BYTES) / 4, c.threads || AUTO_THREADS_MAX),
    },
    {
      what: "network, gradients and optimiser state",
      path: "model.width",
      bytes: f(params + 16 + params + trainable * moments + m + 1 + 8, 16),
    },
    { what: "training batch buffers", path: "optim.batch", bytes: training },
    // One adversarial adaptation at a time (src/experiments/adapt.ts gives its memory back): its
    // network (with an output bias), gradients, Adam moments and supervised training buffers.
    ...(c.downstream.adapt.some((a) => a !== "clean-linear")
      ? [
          {
            what: "downstream adaptation training",
            path: "optim.batch",
            bytes: f(4 * (params + 1) + 32 + work(B) + 3 * B * d + B + randomStartWords(B, d) + inc(B), 40),
          },
        ]
      : []),
    {
      what: "evaluation attack scratch",
      path: "eval.chunk",
      bytes: f(
        work(chunk) + 4 * chunk * d + 2 * chunk + randomStartWords(chunk, d) + inc(chunk) + (c.eval.apgd ? apgdWords(chunk, d) : 0),
        21,
      ),
    },
    { what: "evaluation sets (pre-training and downstream)", path: "eval.n", bytes: f(2 * c.eval.n * (d + 1), 4) },
    { what: "downstream training set", path: "downstream.n", bytes: f(c.downstream.n * (d + 1), 2) },
    // The head's Newton solve, one block while it runs: f64 S and Sᵀ (p x n each, p = m + 1) and
    // three n-vectors, and the p x p Hessian.
    { what: "downstream head solve: features", path: "downstream.n", bytes: f(2 * (2 * (m + 1) + 3) * c.downstream.n, 1) },
    { what: "downstream head solve: Hessian", path: "model.width", bytes: f(2 * (m + 1) ** 2, 0) },
  ].sort((a, b) => b.bytes - a.bytes);
}

/** Upper bound on the bytes of linear memory one arm's engine uses. */
export function estimateArenaBytes(c: Config): number {
  return STATIC_BYTES + arenaTerms(c).reduce((s, t) => s + t.bytes, 0);
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
