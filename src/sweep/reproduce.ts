// The grid of `featpure reproduce`: every pre-training mode of this build x seeds, each cell running
// both arms (clean and adversarial, same init and data) with the default model and training, and a
// lighter evaluation than `featpure run`'s so that five seeds fit in minutes on two cores.
import { SCHEMA } from "../config/schema.js";
import type { Config, DeepPartial } from "../config/types.js";
import type { GridSpec } from "./grid.js";

/** The head penalties of the sensitivity sweep: none, the default, and ten and a hundred times it. */
export const SENSITIVITY_L2 = [0, 5e-4, 5e-3, 5e-2];

/**
 * Only evaluation and downstream fields differ from the defaults: 1000 test samples instead of 4000,
 * 4 l2 and 3 linf radii instead of 6 and 5, a PGD-50 x 2 strong check instead of PGD-100 x 5; the
 * adversarially trained head beside the clean one (the inheritance gap), and the clean head refitted
 * at each penalty of SENSITIVITY_L2. The clean head and every number it gives are those of the
 * defaults. Any cell reruns exactly with `featpure run --config` on its `config` from results.jsonl.
 */
export const REPRODUCE_PRESET: DeepPartial<Config> = {
  train: "both",
  downstream: { adapt: ["clean-linear", "adv-linear"], l2Sweep: SENSITIVITY_L2 },
  eval: { n: 1000, epsL2: [0.1, 0.2, 0.5, 1], epsLinf: [0.02, 0.05, 0.1], strongSteps: 50, strongRestarts: 2 },
};

export const DEFAULT_SEEDS = 5;

/** {every mode of SCHEMA} x seeds 1..seeds over the preset, overlaid by `overrides` (a config layer). */
export function reproduceGrid(seeds: number, overrides: unknown = {}): GridSpec {
  const base = mergeLayers(REPRODUCE_PRESET, overrides);
  return {
    base,
    grid: { mode: [...SCHEMA.mode.values], seed: Array.from({ length: seeds }, (_, i) => i + 1) },
  };
}

function mergeLayers(a: unknown, b: unknown): DeepPartial<Config> {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(a) || !isObj(b)) return (b === undefined ? a : b) as DeepPartial<Config>;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObj(out[k]) && isObj(v) ? mergeLayers(out[k], v) : v;
  return out as DeepPartial<Config>;
}
