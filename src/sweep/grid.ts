// A sweep grid: a base configuration and lists of values for any config fields (dotted paths), expanded
// into cells in a fixed order, each keyed by a hash of its fully resolved configuration.
import { createHash } from "node:crypto";
import type { Config, DeepPartial } from "../config/types.js";
import { ConfigError, resolveConfig, setPath, walkSchema } from "../config/validate.js";
import { runnableConfig } from "../experiments/plan.js";

export interface GridSpec {
  base: DeepPartial<Config>;
  /** Dotted config path -> the values it takes; the cells are the cartesian product, last path fastest. */
  grid: Record<string, unknown[]>;
  /** Config layers for the cells whose grid values match `when` (for example settings for one mode only). */
  overlays?: Overlay[];
}

export interface Overlay {
  /** Grid path -> value; the overlay applies to the cells that have all of them. */
  when: Record<string, unknown>;
  set: DeepPartial<Config>;
}

export interface Cell {
  /** Position in the full expansion (before sharding). */
  index: number;
  key: string;
  /** The grid's values of this cell, by dotted path. */
  values: Record<string, unknown>;
  config: Config;
}

/** Bad input to the sweep commands (grid files, options), naming the offending path or option and what it accepts. */
export class SweepInputError extends Error {
  override name = "SweepInputError";
}

function fieldPaths(): Set<string> {
  const paths = new Set<string>();
  walkSchema((p) => paths.add(p));
  return paths;
}

/** Checks the shape of a parsed grid file; value ranges are checked when the cells are resolved. */
export function parseGrid(json: unknown): GridSpec {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new SweepInputError("the grid must be a JSON object with keys base and grid");
  const { base = {}, grid = {}, overlays = [], ...rest } = json as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length)
    throw new SweepInputError(`unknown key ${extra.map((k) => JSON.stringify(k)).join(", ")} (accepted: base, grid, overlays)`);
  if (typeof grid !== "object" || grid === null || Array.isArray(grid))
    throw new SweepInputError("grid must be an object of dotted config paths to lists of values");
  const known = fieldPaths();
  for (const [path, values] of Object.entries(grid)) {
    if (!known.has(path))
      throw new SweepInputError(
        `grid.${path}: unknown config field (use dotted paths such as adv.eps, model.width, seed; see featpure options)`,
      );
    if (!Array.isArray(values) || values.length === 0) throw new SweepInputError(`grid.${path}: must be a non-empty list of values`);
  }
  checkLayer(base, "base");
  if (!Array.isArray(overlays)) throw new SweepInputError("overlays must be a list of {when, set}");
  overlays.forEach((o: unknown, i) => {
    const { when, set } = (o ?? {}) as Partial<Overlay>;
    if (typeof when !== "object" || when === null)
      throw new SweepInputError(`overlays[${i}].when: must be an object of grid paths to values`);
    for (const path of Object.keys(when)) {
      if (!Object.hasOwn(grid, path))
        throw new SweepInputError(`overlays[${i}].when.${path}: not a path of the grid (${Object.keys(grid).join(", ")})`);
    }
    checkLayer(set, `overlays[${i}].set`);
  });
  return { base: base as DeepPartial<Config>, grid: grid as Record<string, unknown[]>, overlays: overlays as Overlay[] };
}

function checkLayer(layer: unknown, where: string): void {
  try {
    resolveConfig(layer);
  } catch (e) {
    if (e instanceof ConfigError) throw new SweepInputError(e.issues.map((i) => `${where}.${i.path}: ${i.message}`).join("\n"));
    throw e;
  }
}

/** Every cell of the grid, resolved and validated; the first invalid cell is reported with its values. */
export function expandGrid(spec: GridSpec): Cell[] {
  const paths = Object.keys(spec.grid);
  const cells: Cell[] = [];
  const counts = paths.map((p) => spec.grid[p].length);
  const total = counts.reduce((a, b) => a * b, 1);
  for (let index = 0; index < total; index++) {
    const values: Record<string, unknown> = {};
    let rest = index;
    for (let i = paths.length - 1; i >= 0; i--) {
      values[paths[i]] = spec.grid[paths[i]][rest % counts[i]];
      rest = Math.floor(rest / counts[i]);
    }
    const layer: Record<string, unknown> = {};
    for (const p of paths) setPath(layer, p, values[p]);
    let config: Config;
    try {
      const matching = (spec.overlays ?? []).filter((o) =>
        Object.entries(o.when).every(([p, v]) => canonicalJson(values[p]) === canonicalJson(v)),
      );
      config = runnableConfig(spec.base, ...matching.map((o) => o.set), layer);
    } catch (e) {
      if (e instanceof ConfigError)
        throw new SweepInputError(
          `cell ${index} ${JSON.stringify(orderedValues(paths, values))}: ${e.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
        );
      throw e;
    }
    cells.push({ index, key: configKey(config), values: orderedValues(paths, values), config });
  }
  return cells;
}

function orderedValues(paths: string[], values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(paths.map((p) => [p, values[p]]));
}

/** JSON with object keys sorted at every level, so equal configurations serialise identically. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** 16 hex digits of the SHA-256 of the canonical resolved configuration. */
export function configKey(config: Config): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 16);
}

export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/n" (0 <= i < n), as given by a Slurm array index or a Kubernetes completion index. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count)
    throw new SweepInputError(`--shard: must be i/n with integers 0 <= i < n, got ${JSON.stringify(text)}`);
  return { index, count };
}

/** Every count-th cell starting at index: the shards of one grid are disjoint and cover it. */
export function shardCells(cells: Cell[], shard: Shard): Cell[] {
  return cells.filter((c) => c.index % shard.count === shard.index);
}
