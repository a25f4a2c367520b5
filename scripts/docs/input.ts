// The committed files the documents are generated from, read once per run from the repository root.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readResults, type ResultLine } from "../../src/sweep/results.js";

export class DocsInput {
  private readonly cache = new Map<string, unknown>();

  constructor(readonly root: string) {}

  /** A JSON file written by featpure (for example `featpure bench --json`). */
  json<T>(path: string): T {
    return this.cached(path, () => JSON.parse(readFileSync(join(this.root, path), "utf8"))) as T;
  }

  /** A results file of JSON lines written by `featpure reproduce` or `featpure sweep`. */
  resultLines(path: string): ResultLine[] {
    return this.cached(path, () => {
      const r = readResults(join(this.root, path));
      if (r.lines.length === 0) throw new Error(`${path}: no result lines`);
      return r.lines;
    }) as ResultLine[];
  }

  private cached(path: string, read: () => unknown): unknown {
    if (!this.cache.has(path)) this.cache.set(path, read());
    return this.cache.get(path);
  }
}
