// What the sweep CLI tests share: the built CLI, run to its end in a child process, and a tiny base config
// whose cells take a fraction of a second.
import { spawnSync } from "node:child_process";

export const bin = new URL("../../dist/bin/featpure.js", import.meta.url).pathname;

export const tinyBase = {
  data: { dim: 12, sparsity: 2 },
  model: { width: 16 },
  optim: { steps: 30, batch: 32 },
  downstream: { n: 200 },
  eval: { n: 100, epsL2: [0.1, 1], epsLinf: [0.05], strongSteps: 10, strongRestarts: 1 },
};

export function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });
}
