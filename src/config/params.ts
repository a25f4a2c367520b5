// Configuration from name=value pairs named like the CLI flags: the web page's URL parameters
// (`?width=50&eps-l2=0.1,0.2`). Parsed as the CLI parses flags and checked by the same schema.
import { flagSpecs, parseFlag } from "../cli/flags.js";
import type { Config } from "./types.js";
import { ConfigError, resolveConfig, setPath, type ConfigIssue } from "./validate.js";

/** Throws ConfigError naming each unknown or bad parameter (path: the parameter name and its field). */
export function configFromParams(params: Iterable<[string, string]>): Config {
  const byFlag = new Map(flagSpecs().map((f) => [f.flag, f]));
  const layer: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [name, raw] of params) {
    const f = byFlag.get(name);
    if (f) setPath(layer, f.path, parseFlag(f.spec, raw));
    else issues.push({ path: name, message: "unknown parameter (the names are those of the CLI flags, as listed by featpure options)" });
  }
  if (issues.length) throw new ConfigError(issues);
  try {
    return resolveConfig(layer);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const flagOf = new Map(flagSpecs().map((f) => [f.path, f.flag]));
    throw new ConfigError(e.issues.map((i) => ({ path: flagOf.has(i.path) ? `${flagOf.get(i.path)} (${i.path})` : i.path, message: i.message })));
  }
}
