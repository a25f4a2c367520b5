// The page's settings live in the URL query, written with the CLI's flag names and values, so a
// shared link and `npx featpure run --flag value ...` describe the same experiment. A link holds
// the flags that differ from what the CLI gives for its mode and data source, plus the backend,
// which is always written: the kernel build is part of a result's identity, like the seed.
import {
  checkValue,
  ConfigError,
  flagSpecs,
  parseFlag,
  resolveConfig,
  type Config,
  type DeepPartial,
  type FieldSpec,
  type FlagSpec,
} from "../src/api.js";

/** The options the form shows first, by flag; every other flag is under "More options". */
export const FORM_FLAGS = ["mode", "train", "norm", "eps", "width", "dim", "sparsity", "seed", "steps", "n-eval"];

/**
 * What a first visit (empty query) runs: the CLI's model and training, with a lighter evaluation
 * (fewer test samples, a shorter grid, a lighter strong-attack check) so it finishes in seconds.
 */
export const PAGE_PRESET: DeepPartial<Config> = {
  eval: { n: 1000, epsL2: [0.1, 0.2, 0.5, 1], epsLinf: [0.02, 0.05, 0.1], strongSteps: 20, strongRestarts: 1 },
};

const BY_FLAG = new Map(flagSpecs().map((f) => [f.flag, f]));
const FLAG_OF = new Map(flagSpecs().map((f) => [f.path, f.flag]));

export function allFlags(): string[] {
  return [...BY_FLAG.keys()];
}

export function flagSpec(flag: string): FlagSpec {
  const f = BY_FLAG.get(flag);
  if (!f) throw new Error(`no option has the flag --${flag}`);
  return f;
}

/** The flag of a config path, for messages ("model.width" -> "width"). */
export function flagOf(path: string): string {
  return FLAG_OF.get(path) ?? path;
}

export function valueAt(cfg: Config, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], cfg);
}

export function formatValue(spec: FieldSpec, v: unknown): string {
  return spec.kind === "list" || spec.kind === "choices" ? (v as unknown[]).join(",") : String(v);
}

export interface FlagIssue {
  flag: string;
  message: string;
}

/**
 * Flag/value pairs checked one by one: the layer of the good ones and an issue for each bad one,
 * so one bad parameter of a link costs only itself.
 */
export function checkPairs(pairs: Iterable<[string, string]>): { layer: Record<string, unknown>; issues: FlagIssue[] } {
  const layer: Record<string, unknown> = {};
  const issues: FlagIssue[] = [];
  for (const [flag, raw] of pairs) {
    const f = BY_FLAG.get(flag);
    if (!f) {
      issues.push({ flag, message: "unknown URL parameter (use the CLI's flag names, e.g. eps=0.3)" });
      continue;
    }
    // parseFlag reads plain decimals only, as the CLI does: "0x10" stays a string and is refused here.
    const value = parseFlag(f.spec, raw);
    const problem = checkValue(f.spec, value);
    if (problem) {
      issues.push({ flag, message: problem });
      continue;
    }
    const keys = f.path.split(".");
    let o = layer;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[keys[keys.length - 1]] = value;
  }
  return { layer, issues };
}

/** The issues of a failed resolution, named by flag. */
export function flagIssues(err: ConfigError): FlagIssue[] {
  return err.issues.map((i) => ({ flag: flagOf(i.path), message: i.message }));
}

/** The configuration of flag/value pairs; any bad pair or combination is a ConfigError naming its flag. */
export function configFromPairs(pairs: Iterable<[string, string]>): Config {
  const { layer, issues } = checkPairs(pairs);
  if (issues.length) throw new ConfigError(issues.map((i) => ({ path: i.flag, message: i.message })));
  try {
    return resolveConfig(layer);
  } catch (e) {
    throw e instanceof ConfigError ? new ConfigError(flagIssues(e).map((i) => ({ path: i.flag, message: i.message }))) : e;
  }
}

/** The experiment a query describes; an empty query is the page preset. Throws ConfigError. */
export function configFromQuery(query: URLSearchParams): Config {
  const pairs = [...query.entries()];
  return pairs.length === 0 ? resolveConfig(PAGE_PRESET) : configFromPairs(pairs);
}

// The flags that pick other flags' defaults: compared with the schema's own defaults.
const SELECTORS = new Set(["mode", "data"]);

/** What the CLI gives for this configuration's mode and data source before any other flag. */
function baseOf(cfg: Config): Config {
  return resolveConfig({ mode: cfg.mode, data: { source: cfg.data.source } });
}

/** The flags that differ from the CLI's defaults for the config's mode and source, in schema order, and the backend. */
export function changedFlags(cfg: Config): [string, string][] {
  const base = baseOf(cfg);
  const out: [string, string][] = [];
  for (const f of BY_FLAG.values()) {
    const v = formatValue(f.spec, valueAt(cfg, f.path));
    const d = SELECTORS.has(f.flag) ? formatValue(f.spec, f.spec.default) : formatValue(f.spec, valueAt(base, f.path));
    if (f.flag === "backend" || v !== d) out.push([f.flag, v]);
  }
  return out;
}

export function queryFromConfig(cfg: Config): URLSearchParams {
  return new URLSearchParams(changedFlags(cfg));
}

export function cliCommand(cfg: Config): string {
  return ["npx featpure run", ...changedFlags(cfg).map(([f, v]) => `--${f} ${v}`)].join(" ");
}

/** Which flags two configurations set differently (the page highlights them when comparing runs). */
export function differingFlags(a: Config, b: Config): string[] {
  return [...BY_FLAG.values()]
    .filter((f) => f.flag !== "threads" && formatValue(f.spec, valueAt(a, f.path)) !== formatValue(f.spec, valueAt(b, f.path)))
    .map((f) => f.flag);
}

/** FNV-1a of a string, 8 hex digits: names files apart when their short names agree. */
function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** A file name stem that names the run: mode, data, seed, backend and a hash of every other setting but threads. */
export function fileStem(cfg: Config): string {
  const query = changedFlags(cfg)
    .filter(([f]) => f !== "threads")
    .map(([f, v]) => `${f}=${v}`)
    .join("&");
  return `featpure-${cfg.mode}-${cfg.data.source}-seed${cfg.seed}-${cfg.backend}-${hash8(query)}`;
}
