// Handwritten digits as a Dataset: one pre-training task and a different downstream task, both
// labelling all ten digits, on three disjoint pools of images drawn from the seed.
import type { Config } from "../config/types.js";
import type { Dataset, LabelledData } from "./dataset.js";
import { CLASSES, PIXELS, SIDE, type MnistDigits } from "./mnist.js";
import { loadMnist } from "./mnistLoad.js";
import { taskLabels } from "./mnistTasks.js";
import { shuffledBatches } from "./source.js";
import { DEFAULT_VIEWS, twoViews } from "./imageViews.js";
import type { Rng } from "../rng.js";

export interface PoolSizes {
  test: number;
  downTrain: number;
  /** 0: every image not in the other two pools. */
  pretrain: number;
}

/** Indices of the three disjoint pools: a seeded shuffle of all images, cut in order. */
export interface Pools {
  test: Int32Array;
  downTrain: Int32Array;
  pretrain: Int32Array;
}

export function splitPools(total: number, sizes: PoolSizes, rng: Rng): Pools {
  const pretrain = sizes.pretrain || total - sizes.test - sizes.downTrain;
  if (sizes.test + sizes.downTrain + pretrain > total || pretrain < 1) {
    throw new RangeError(`splitPools: pools of ${sizes.test} + ${sizes.downTrain} + ${sizes.pretrain} images do not fit in ${total}`);
  }
  const order = Int32Array.from({ length: total }, (_, i) => i);
  rng.shuffle(order);
  const a = sizes.test;
  const b = a + sizes.downTrain;
  return { test: order.slice(0, a), downTrain: order.slice(a, b), pretrain: order.slice(b, b + pretrain) };
}

/** Pixels in [0, 1] and digit classes of the images at `idx`. */
export function gatherImages(digits: MnistDigits, idx: Int32Array): { x: Float32Array; classes: Uint8Array } {
  const x = new Float32Array(idx.length * PIXELS);
  const classes = new Uint8Array(idx.length);
  for (let r = 0; r < idx.length; r++) {
    const src = idx[r] * PIXELS;
    for (let i = 0; i < PIXELS; i++) x[r * PIXELS + i] = digits.pixels[src + i] / 255;
    classes[r] = digits.labels[idx[r]];
  }
  return { x, classes };
}

/** The dataset over already loaded digits (tests pass small synthetic ones). */
export function mnistDatasetFrom(digits: MnistDigits, cfg: Config, root: Rng): Dataset {
  const pools = splitPools(
    digits.n,
    { test: cfg.eval.n, downTrain: cfg.downstream.n, pretrain: cfg.mnist.nPretrain },
    root.fork("mnist-split"),
  );
  const labelled = (idx: Int32Array, task: Config["mnist"]["pretrainTask"]): LabelledData => {
    const { x, classes } = gatherImages(digits, idx);
    return { x, y: taskLabels(task, classes), n: idx.length };
  };
  const pre = labelled(pools.pretrain, cfg.mnist.pretrainTask);
  const test = gatherImages(digits, pools.test);
  const n = pools.test.length;
  return {
    d: PIXELS,
    truth: null,
    box: [0, 1],
    pretrainBatches: (B, rng) => shuffledBatches(pre, B, rng),
    // Images get image augmentations (shifts, pixel noise, masking) whatever contrastive.views says;
    // contrastive.viewNoise sets the pixel noise.
    pairBatches: (B, views, rng) => {
      const batches = shuffledBatches(pre, B, rng);
      const x = new Float32Array(B * PIXELS),
        y = new Float32Array(B);
      const opts = { ...DEFAULT_VIEWS, noise: views.viewNoise };
      // The views draw from the batches' own generator, so its state is the whole source's.
      return {
        next(x1, x2) {
          batches.next(x, y);
          twoViews(x, B, SIDE, rng, opts, x1, x2);
        },
        save: batches.save,
        load: batches.load,
      };
    },
    preTest: { x: test.x, y: taskLabels(cfg.mnist.pretrainTask, test.classes), n },
    preTrain: pre,
    downTrain: labelled(pools.downTrain, cfg.mnist.downstreamTask),
    downTest: { x: test.x, y: taskLabels(cfg.mnist.downstreamTask, test.classes), n },
    images: { side: SIDE, classes: test.classes, classCount: CLASSES },
  };
}

export async function mnistDataset(cfg: Config, root: Rng): Promise<Dataset> {
  return mnistDatasetFrom(await loadMnist(), cfg, root);
}
