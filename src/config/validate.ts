// Turns untrusted input (JSON files, CLI flags, API calls, URL parameters) into a checked Config.
import { MODE_DEFAULTS, SCHEMA, type EnumSpec, type FieldSpec } from "./schema.js";
import type { Config, DeepPartial } from "./types.js";
import { checkSource, SOURCE_DEFAULTS } from "./sourceDefaults.js";
import { ConfigError, type ConfigIssue } from "./issues.js";

export { ConfigError, type ConfigIssue } from "./issues.js";

type Node = FieldSpec | { [key: string]: Node };

function isSpec(n: Node): n is FieldSpec {
  return typeof (n as FieldSpec).kind === "string" && "doc" in n;
}

/** Calls visit for every field of the schema with its dotted path. */
export function walkSchema(visit: (path: string, spec: FieldSpec) => void, node: Node = SCHEMA as unknown as Node, prefix = ""): void {
  for (const [key, child] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isSpec(child)) visit(path, child);
    else walkSchema(visit, child, path);
  }
}

export function defaultConfig(): Config {
  const out: Record<string, unknown> = {};
  walkSchema((path, spec) => setPath(out, path, Array.isArray(spec.default) ? [...spec.default] : spec.default));
  return out as unknown as Config;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
}

function describe(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(describe).join(", ")}]` : String(v);
}

function range(spec: { min: number; max: number; minExclusive?: boolean }): string {
  return `${spec.minExclusive ? "(" : "["}${spec.min}, ${spec.max}]`;
}

/** Problem with one value, or null when it is acceptable. */
export function checkValue(spec: FieldSpec, v: unknown): string | null {
  const inRange = (x: number, s: { min: number; max: number; minExclusive?: boolean }) =>
    Number.isFinite(x) && (s.minExclusive ? x > s.min : x >= s.min) && x <= s.max;
  switch (spec.kind) {
    case "int":
      return typeof v === "number" && Number.isInteger(v) && inRange(v, spec)
        ? null
        : `must be an integer in ${range(spec)}, got ${describe(v)}`;
    case "number":
      return typeof v === "number" && inRange(v, spec) ? null : `must be a number in ${range(spec)}, got ${describe(v)}`;
    case "enum":
      return typeof v === "string" && spec.values.includes(v) ? null : `must be one of ${spec.values.join(", ")}, got ${describe(v)}`;
    case "bool":
      return typeof v === "boolean" ? null : `must be true or false, got ${describe(v)}`;
    case "list":
      return Array.isArray(v) && v.length <= spec.maxLength && v.every((x) => typeof x === "number" && inRange(x, spec))
        ? null
        : `must be a list of at most ${spec.maxLength} numbers in ${range(spec)}, got ${describe(v)}`;
    case "choices":
      return Array.isArray(v) &&
        v.length > 0 &&
        v.every((x) => typeof x === "string" && spec.values.includes(x)) &&
        new Set(v).size === v.length
        ? null
        : `must be a non-empty list of distinct names from ${spec.values.join(", ")}, got ${describe(v)}`;
  }
}

function merge(target: Record<string, unknown>, layer: unknown, node: Node, prefix: string, issues: ConfigIssue[]): void {
  if (layer === undefined) return;
  if (typeof layer !== "object" || layer === null || Array.isArray(layer)) {
    issues.push({ path: prefix || "config", message: `must be an object, got ${describe(layer)}` });
    return;
  }
  const known = node as Record<string, Node>;
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const spec = known[key];
    if (!Object.hasOwn(known, key)) {
      issues.push({ path, message: `unknown option (accepted here: ${Object.keys(known).join(", ")})` });
    } else if (isSpec(spec)) {
      const problem = checkValue(spec, value);
      if (problem) issues.push({ path, message: problem });
      else target[key] = Array.isArray(value) ? [...value] : value;
    } else {
      merge(target[key] as Record<string, unknown>, value, spec, path, issues);
    }
  }
}

/** Combinations that are individually in range but impossible together. */
function checkCombinations(c: Config, issues: ConfigIssue[]): void {
  const D = featureCount(c);
  if (c.data.dictionary !== "overcomplete" && D !== c.data.dim) {
    issues.push({
      path: "data.features",
      message: `must equal data.dim (${c.data.dim}) or be 0 for the ${c.data.dictionary} dictionary, got ${D}; use dictionary overcomplete for D > d`,
    });
  }
  if (c.data.dictionary === "overcomplete" && D < c.data.dim) {
    issues.push({ path: "data.features", message: `must be at least data.dim (${c.data.dim}) for an over-complete dictionary, got ${D}` });
  }
  if (c.data.sparsity > D)
    issues.push({ path: "data.sparsity", message: `must be at most the number of features D = ${D}, got ${c.data.sparsity}` });
  if (c.data.nTrain > 0 && c.data.nTrain < c.optim.batch) {
    issues.push({ path: "data.nTrain", message: `must be 0 or at least optim.batch (${c.optim.batch}), got ${c.data.nTrain}` });
  }
  if (c.data.magnitude === "uniform" && c.data.magnitudeLow <= 0) {
    issues.push({ path: "data.magnitudeLow", message: "must be in (0, 1] when data.magnitude is uniform, got 0" });
  }
  if (c.metrics.topR > D)
    issues.push({ path: "metrics.topR", message: `must be at most the number of features D = ${D}, got ${c.metrics.topR}` });
}

/** Number of dictionary atoms D. */
export function featureCount(c: Config): number {
  return c.data.features || c.data.dim;
}

/** The value the layers select for an enum field (the last valid one wins), else its default. */
function selected<T extends string>(layers: unknown[], spec: EnumSpec<T>, read: (layer: Record<string, unknown>) => unknown): T {
  let value = spec.default;
  for (const layer of layers) {
    if (typeof layer !== "object" || layer === null) continue;
    const v = read(layer as Record<string, unknown>);
    if (checkValue(spec, v) === null) value = v as T;
  }
  return value;
}

/**
 * Defaults, then the defaults of the selected data source and of the selected mode, overlaid by each
 * layer in turn (later wins), then checked as a whole.
 */
export function resolveConfig(...layers: (DeepPartial<Config> | unknown)[]): Config {
  const config = defaultConfig();
  const issues: ConfigIssue[] = [];
  const source = selected(layers, SCHEMA.data.source, (l) => (l.data as { source?: unknown } | undefined)?.source);
  const mode = selected(layers, SCHEMA.mode, (l) => l.mode);
  for (const defaults of [SOURCE_DEFAULTS[source], MODE_DEFAULTS[mode]])
    merge(config as unknown as Record<string, unknown>, defaults, SCHEMA as unknown as Node, "", issues);
  for (const layer of layers) merge(config as unknown as Record<string, unknown>, layer, SCHEMA as unknown as Node, "", issues);
  if (issues.length === 0) checkCombinations(config, issues);
  if (issues.length === 0) checkSource(config, issues);
  if (issues.length) throw new ConfigError(issues);
  return config;
}
