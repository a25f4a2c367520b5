// The registry of datasets, keyed by config.data.source.
import type { Config } from "../config/types.js";
import type { Dataset, DatasetFactory } from "./dataset.js";
import { sparseCodingDataset } from "./sparseCodingDataset.js";
import type { Rng } from "../rng.js";

const DATASETS: Record<Config["data"]["source"], DatasetFactory> = {
  sparse: sparseCodingDataset,
};

export function makeDataset(cfg: Config, root: Rng): Dataset {
  return DATASETS[cfg.data.source](cfg, root);
}
