// The one flag grammar: from flag/value strings (CLI flags, the web page's URL parameters, an API
// caller's pairs) to a config layer and a resolved configuration, with errors that name the flag.
// bin/featpure.ts, web/ and the API all go through here.
import { ConfigError, resolveConfig, setPath, walkSchema, type ConfigIssue } from "./validate.js";
import { MODE_DEFAULTS, type FieldSpec } from "./schema.js";
import type { Config, DeepPartial } from "./types.js";

export interface FlagSpec {
  flag: string;
  path: string;
  spec: FieldSpec;
}

export function flagSpecs(): FlagSpec[] {
  const out: FlagSpec[] = [];
  walkSchema((path, spec) => {
    if (spec.flag) out.push({ flag: spec.flag, path, spec });
  });
  return out;
}

/** commander stores `--n-train` as `nTrain`. */
export function optionKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/** Plain decimal numerals only (`16`, `-0.5`, `.2`, `1e-3`): Number() would also read `0x10`, `0b1` and `0o7`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a decimal numeral writes, or null for anything else (hex, binary, empty, Infinity). */
export function decimalNumber(raw: string): number | null {
  const s = raw.trim();
  return DECIMAL.test(s) && Number.isFinite(Number(s)) ? Number(s) : null;
}

/** Parses one flag's string; numbers that do not parse stay strings so validation reports them. */
export function parseFlag(spec: FieldSpec, raw: string): unknown {
  const num = (s: string) => decimalNumber(s) ?? s;
  switch (spec.kind) {
    case "int":
    case "number":
      return num(raw);
    case "list":
      // An empty item (`0.1,,0.2`) stays in the list, so validation names it; an empty flag is an empty list.
      return raw.trim() === "" ? [] : raw.split(",").map((s) => num(s.trim()));
    case "choices":
      return raw.trim() === "" ? [] : raw.split(",").map((s) => s.trim());
    case "bool":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "enum":
      return raw;
  }
}

/** The values a field accepts, as a user would type them. */
export function accepted(spec: FieldSpec): string {
  if (spec.kind === "enum") return spec.values.join("|");
  if (spec.kind === "choices") return `${spec.values.join("|")}, comma-separated`;
  if (spec.kind === "bool") return "true|false";
  const lo = "minExclusive" in spec && spec.minExclusive ? "(" : "[";
  return `${spec.kind === "int" ? "integer " : ""}${lo}${spec.min}, ${spec.max}]${spec.kind === "list" ? ", comma-separated" : ""}`;
}

export function defaultText(spec: FieldSpec): string {
  return Array.isArray(spec.default) ? spec.default.join(",") : String(spec.default);
}

/** The mode-dependent defaults of a field, e.g. "contrastive: 0.3"; empty when no mode changes it. */
export function modeDefaultText(path: string): string {
  const out: string[] = [];
  for (const [mode, layer] of Object.entries(MODE_DEFAULTS)) {
    const v = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], layer);
    if (v !== undefined) out.push(`${mode}: ${Array.isArray(v) ? v.join(",") : String(v)}`);
  }
  return out.join("; ");
}

export function flagHelp(spec: FieldSpec): string {
  return `${spec.doc} (${accepted(spec)}; default ${defaultText(spec)})`;
}

/** A config layer from flag/value pairs (`["eps-l2", "0.1,0.2"]`); a flag no option has is a ConfigError naming it. */
export function layerFromFlags(pairs: Iterable<[string, string]>): Record<string, unknown> {
  const byFlag = new Map(flagSpecs().map((f) => [f.flag, f]));
  const layer: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [name, raw] of pairs) {
    const f = byFlag.get(name);
    if (f) setPath(layer, f.path, parseFlag(f.spec, raw));
    else issues.push({ path: name, message: "unknown parameter (the names are those of the CLI flags, as listed by featpure options)" });
  }
  if (issues.length) throw new ConfigError(issues);
  return layer;
}

/**
 * The configuration that flag/value pairs describe, over optional lower layers (a preset, a config
 * file), with the defaults of the selected data source and mode under all of them, exactly as
 * `featpure run` resolves its flags: switching --mode changes every mode default the flags leave
 * alone. Throws ConfigError whose paths name the flag and field (`eps-linf (eval.epsLinf)`).
 */
export function configFromFlags(pairs: Iterable<[string, string]>, ...below: (DeepPartial<Config> | unknown)[]): Config {
  const layer = layerFromFlags(pairs);
  try {
    return resolveConfig(...below, layer);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const flagOf = new Map(flagSpecs().map((f) => [f.path, f.flag]));
    throw new ConfigError(
      e.issues.map((i) => ({ path: flagOf.has(i.path) ? `${flagOf.get(i.path)} (${i.path})` : i.path, message: i.message })),
    );
  }
}

/** Describes a config issue in the user's terms: the flag when the field has one. */
export function describeIssue(issue: ConfigIssue, source: "flags" | "file"): string {
  const flag = flagSpecs().find((f) => f.path === issue.path)?.flag;
  return source === "flags" && flag ? `--${flag} (${issue.path}): ${issue.message}` : `${issue.path}: ${issue.message}`;
}
