// Options that a configuration sets but that cannot change its result, given the rest of it
// (`--eps` when only the clean arm trains, `--momentum` with Adam, ...): each becomes a warning, so
// that a user who meant to change something learns that nothing changed.
import type { Config } from "./types.js";
import type { ConfigIssue } from "./issues.js";

interface Rule {
  /** Field paths, or prefixes ending in "." */
  paths: string[];
  /** Why the fields have no effect in `c`, or null when they do. */
  unused(c: Config): string | null;
}

const RULES: Rule[] = [
  {
    paths: ["adv."],
    unused: (c) => (c.train === "clean" ? "only the clean arm trains (train clean); adversarial pre-training is not run" : null),
  },
  {
    paths: ["contrastive."],
    unused: (c) => (c.mode === "supervised" ? "these settings belong to mode contrastive; the run is supervised" : null),
  },
  {
    paths: ["contrastive.viewNoise"],
    unused: (c) =>
      c.mode === "contrastive" && c.contrastive.views !== "noise" ? `it applies to views noise; views is ${c.contrastive.views}` : null,
  },
  {
    paths: ["contrastive.keepProb"],
    unused: (c) =>
      c.mode === "contrastive" && c.contrastive.views !== "dropout" ? `it applies to views dropout; views is ${c.contrastive.views}` : null,
  },
  {
    paths: ["contrastive.tau"],
    unused: (c) =>
      c.mode === "contrastive" && c.contrastive.loss !== "ntxent"
        ? `it is the NT-Xent temperature; contrastive.loss is ${c.contrastive.loss}`
        : null,
  },
  { paths: ["optim.momentum"], unused: (c) => (c.optim.optimizer === "adam" ? "it is SGD's momentum; the optimiser is adam" : null) },
  {
    paths: ["optim.beta1", "optim.beta2", "optim.adamEps"],
    unused: (c) => (c.optim.optimizer === "sgd" ? "it is an Adam setting; the optimiser is sgd" : null),
  },
  {
    paths: ["adv.steps", "adv.stepSize", "adv.randomStart"],
    unused: (c) => (c.train !== "clean" && c.adv.attack === "fgm" ? "fgm is one step of size eps from the clean input" : null),
  },
  { paths: ["threads"], unused: (c) => (c.backend === "scalar" && c.threads !== 1 ? "the scalar backend runs on one thread" : null) },
  {
    paths: ["data.magnitudeLow"],
    unused: (c) => (c.data.magnitude === "sign" ? "it applies to magnitude uniform; magnitude is sign" : null),
  },
  { paths: ["mnist."], unused: (c) => (c.data.source !== "mnist" ? "these settings belong to data mnist; the data are sparse" : null) },
];

/** The leaf paths a layer sets. */
function setPaths(layer: unknown, prefix = ""): string[] {
  if (typeof layer !== "object" || layer === null || Array.isArray(layer)) return prefix ? [prefix] : [];
  return Object.entries(layer).flatMap(([k, v]) => setPaths(v, prefix ? `${prefix}.${k}` : k));
}

/**
 * The fields that `layer` (what a user wrote: flags, a config file) sets and that have no effect in
 * the resolved configuration `c`, each with the reason; one issue per field, the first rule that applies.
 */
export function ineffectiveOptions(layer: unknown, c: Config): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const path of setPaths(layer)) {
    for (const rule of RULES) {
      if (!rule.paths.some((p) => (p.endsWith(".") ? path.startsWith(p) : path === p))) continue;
      const why = rule.unused(c);
      if (why) {
        out.push({ path, message: `has no effect: ${why}` });
        break;
      }
    }
  }
  return out;
}
