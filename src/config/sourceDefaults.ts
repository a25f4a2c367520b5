// Defaults that depend on the dataset. Images in [0, 1] with 784 pixels need other radii, sizes and
// step counts than the synthetic model, whose defaults the schema holds. resolveConfig lays the
// chosen source's entry over the schema defaults and under every user layer, so an explicit value
// always wins and the synthetic defaults never change.
import type { Config, DeepPartial } from "./types.js";
import type { ConfigIssue } from "./issues.js";
import { TOTAL_DIGITS } from "./limits.js";

type Source = Config["data"]["source"];

export const SOURCE_DEFAULTS: Readonly<Record<Source, DeepPartial<Config>>> = {
  sparse: {},
  mnist: {
    model: { width: 100 },
    // Decoupled weight decay shrinks weights that no gradient holds up (Adam moves rarely lit
    // pixels as far as busy ones), in both arms alike; it widened the gap in docs/mnist.md's sweep.
    optim: { batch: 128, steps: 500, weightDecay: 0.5 },
    adv: { norm: "linf", eps: 0.1 },
    // On standardised features a weak penalty lets the head lean on near-constant features.
    downstream: { n: 2000, l2: 0.1 },
    eval: { n: 1000, epsL2: [0.5, 1, 2], epsLinf: [0.05, 0.1, 0.2], radius: 0.1, radiusNorm: "linf" },
  },
};

/** Pool sizes must fit in the 10,000 digits, and the pre-training pool must fill a batch. */
export function checkSource(c: Config, issues: ConfigIssue[]): void {
  if (c.data.source !== "mnist") return;
  const held = c.eval.n + c.downstream.n;
  const left = TOTAL_DIGITS - held;
  if (c.mnist.nPretrain > left) {
    issues.push({
      path: "mnist.nPretrain",
      message: `must be at most ${Math.max(0, left)}: the pools must fit in the ${TOTAL_DIGITS} digits, and eval.n (${c.eval.n}) + downstream.n (${c.downstream.n}) take ${held}, got ${c.mnist.nPretrain}`,
    });
  } else if ((c.mnist.nPretrain || left) < c.optim.batch) {
    issues.push({
      path: "mnist.nPretrain",
      message: `the pre-training pool (${Math.max(0, c.mnist.nPretrain || left)} digits) must hold at least one batch (optim.batch = ${c.optim.batch}); raise it, or lower eval.n or downstream.n`,
    });
  }
}
