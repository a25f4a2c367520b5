// The registry of datasets, keyed by config.data.source.
import type { Config } from "../config/types.js";
import type { Dataset, DatasetFactory } from "./dataset.js";
import { sparseCodingDataset } from "./sparseCodingDataset.js";
import { mnistDataset } from "./mnistDataset.js";
import type { Rng } from "../rng.js";

const DATASETS: Record<Config["data"]["source"], DatasetFactory> = {
  sparse: sparseCodingDataset,
  mnist: mnistDataset,
};

/** Async because real data may have to be read or fetched first. */
export async function makeDataset(cfg: Config, root: Rng): Promise<Dataset> {
  return DATASETS[cfg.data.source](cfg, root);
}
