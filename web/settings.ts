// The page's settings live in the URL query, written with the CLI's flag names and values, so a
// shared link and `npx featpure run --flag value ...` describe the same experiment.
import { ConfigError, defaultConfig, flagSpecs, parseFlag, resolveConfig, type Config, type DeepPartial, type FieldSpec, type FlagSpec } from "../src/api.js";

/** The options the form shows, by flag; every other flag still works in the URL. */
export const FORM_FLAGS = ["mode", "train", "norm", "eps", "width", "dim", "sparsity", "seed", "steps", "n-eval"];

/**
 * What a first visit (empty query) runs: the CLI's model and training, with a lighter evaluation
 * (fewer test samples, a shorter grid, a lighter strong-attack check) so it finishes in about a minute.
 */
export const PAGE_PRESET: DeepPartial<Config> = {
  eval: { n: 1000, epsL2: [0.1, 0.2, 0.5, 1], epsLinf: [0.02, 0.05, 0.1], strongSteps: 20, strongRestarts: 1 },
};

const BY_FLAG = new Map(flagSpecs().map((f) => [f.flag, f]));

export function flagSpec(flag: string): FlagSpec {
  const f = BY_FLAG.get(flag);
  if (!f) throw new Error(`no option has the flag --${flag}`);
  return f;
}

export function valueAt(cfg: Config, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], cfg);
}

export function formatValue(spec: FieldSpec, v: unknown): string {
  return spec.kind === "list" || spec.kind === "choices" ? (v as unknown[]).join(",") : String(v);
}

/** A config layer from flag/value pairs; a flag no option has is a ConfigError naming it. */
export function layerFromFlags(pairs: Iterable<[string, string]>): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [flag, raw] of pairs) {
    const f = BY_FLAG.get(flag);
    if (!f) {
      unknown.push(flag);
      continue;
    }
    const keys = f.path.split(".");
    let o = layer;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[keys[keys.length - 1]] = parseFlag(f.spec, raw);
  }
  if (unknown.length) throw new ConfigError(unknown.map((flag) => ({ path: flag, message: "unknown URL parameter (use the CLI's flag names, e.g. eps=0.3)" })));
  return layer;
}

/** The experiment a query describes; an empty query is the page preset. Throws ConfigError. */
export function configFromQuery(query: URLSearchParams): Config {
  const pairs = [...query.entries()];
  return pairs.length === 0 ? resolveConfig(PAGE_PRESET) : resolveConfig(layerFromFlags(pairs));
}

/** The flags whose values differ from the defaults, in schema order. */
export function changedFlags(cfg: Config): [string, string][] {
  const defaults = defaultConfig();
  const out: [string, string][] = [];
  for (const f of BY_FLAG.values()) {
    const v = formatValue(f.spec, valueAt(cfg, f.path));
    if (v !== formatValue(f.spec, valueAt(defaults, f.path))) out.push([f.flag, v]);
  }
  return out;
}

/** Never empty (an empty query means the page preset): the defaults themselves are written as seed=N. */
export function queryFromConfig(cfg: Config): URLSearchParams {
  const flags = changedFlags(cfg);
  return new URLSearchParams(flags.length ? flags : [["seed", String(cfg.seed)]]);
}

export function cliCommand(cfg: Config): string {
  return ["npx featpure run", ...changedFlags(cfg).map(([f, v]) => `--${f} ${v}`)].join(" ");
}
