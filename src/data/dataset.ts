// What an experiment draws its data from. The synthetic sparse-coding model is one dataset; real
// images are another. Experiments see only this interface, so a new source touches one place.
import type { Config } from "../config/types.js";
import type { Dictionary } from "./dictionary.js";
import type { Rng, RngState } from "../rng.js";
import type { Engine } from "../engine/wasm.js";

/** A labelled set: x (n,d) row-major, y (n) in {-1,+1}. */
export interface LabelledData {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

/** Labelled pre-training batches (src/data/source.ts makes them). */
export interface BatchSource {
  /** Fills x (B,d) and y (B) with the next batch. */
  next(x: Float32Array, y: Float32Array): void;
  /** Where the source stands (for checkpoints): loading it into a freshly built source continues the same batches. */
  save(): SourceState;
  load(s: SourceState): void;
}

/** The generator's state and, for a fixed training set, the epoch's order and the position in it. */
export interface SourceState {
  rng: RngState;
  order: Int32Array | null;
  pos: number;
}

/** How the two views of a sample are made (config.contrastive, see src/data/views.ts). */
export type ViewSpec = Pick<Config["contrastive"], "views" | "viewNoise" | "keepProb" | "sharedDense">;

/** Positive pairs: two views of the same B samples. */
export interface PairSource {
  /** Fills x1 and x2 (B,d each): row b of both is a view of sample b. */
  next(x1: Float32Array, x2: Float32Array): void;
  /** Where the source stands (for checkpoints), as BatchSource. */
  save(): SourceState;
  load(s: SourceState): void;
}

export interface Dataset {
  /** Input dimension d. */
  d: number;
  /**
   * The ground-truth dictionary and pre-training label direction, for the purification metrics
   * c_j = M^T w_j; null for real data, where only proxies are available.
   */
  truth: { dict: Dictionary; theta: Float64Array } | null;
  /** Inputs live in this box ([lo, hi], e.g. pixel values); attacks clamp to it. null: unbounded. */
  box: [number, number] | null;
  /** Labelled pre-training batches of size B; a dataset may draw them with the engine's kernels (arena memory). */
  pretrainBatches(B: number, rng: Rng, engine?: Engine): BatchSource;
  /** Held-out set of the pre-training task. */
  preTest: LabelledData;
  /**
   * Labelled training set of the pre-training task (downstream.n samples). Objectives without a
   * task head (contrastive) are scored on the pre-training task through a clean linear probe fitted here.
   */
  preTrain: LabelledData;
  /** Unlabelled positive pairs for contrastive pre-training; absent where the data cannot make views. */
  pairBatches?(B: number, views: ViewSpec, rng: Rng, engine?: Engine): PairSource;
  /** Clean training and test sets of the downstream task. */
  downTrain: LabelledData;
  downTest: LabelledData;
  /**
   * Present when inputs are square images: their side, and the class (e.g. the digit) of every
   * downTest image, for the purification proxies that need no dictionary (src/metrics/proxies.ts).
   */
  images?: { side: number; classes: Uint8Array; classCount: number };
}

/** Builds a dataset from the config; one entry per value of config.data.source. */
export type DatasetFactory = (cfg: Config, root: Rng) => Dataset | Promise<Dataset>;
