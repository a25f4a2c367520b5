// Regenerates the marked blocks and generated files of the documentation, or lists the stale ones.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/files/atomic.js";
import { BLOCKS, FILES } from "./blocks.js";
import { DocsInput } from "./input.js";
import { findBlocks, rewriteBlocks } from "./markers.js";

/** The Markdown files that may hold generated blocks: the top level's and docs/'s. */
export function markdownFiles(root: string): string[] {
  const list = (dir: string) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((f) => f.endsWith(".md"))
          .sort()
          .map((f) => (dir === "." ? f : `${dir}/${f}`))
      : [];
  return [...list("."), ...list("docs")];
}

/**
 * A file's text with its blocks regenerated. An unknown block name is an error naming the file; a block
 * whose sources cannot be rendered keeps its text and is reported through `failed`.
 */
export function regenerate(
  text: string,
  file: string,
  input: DocsInput,
  failed: (name: string, error: unknown) => void = (_name, error) => {
    throw error;
  },
): string {
  return rewriteBlocks(text, file, (name, body) => {
    const block = BLOCKS[name];
    if (!block) throw new Error(`${file}: unknown generated block "${name}" (the registry is scripts/docs/blocks.ts)`);
    try {
      return block.render(input);
    } catch (e) {
      failed(name, e);
      return body;
    }
  });
}

export interface Stale {
  file: string;
  /** Blocks whose committed text differs from what their sources generate; empty for a whole generated file. */
  blocks: string[];
  /** Blocks or files that could not be generated from their sources, with the reason. */
  errors: string[];
}

interface Outcome extends Stale {
  current: string | null;
  next: string;
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** What every document and generated file is, and what its committed sources make of it. */
async function outcomes(root: string, input: DocsInput): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const file of markdownFiles(root)) {
    const current = readFileSync(join(root, file), "utf8");
    const errors: string[] = [];
    const next = regenerate(current, file, input, (name, e) => errors.push(`${name}: ${reason(e)}`));
    const after = findBlocks(next, file);
    const blocks = findBlocks(current, file)
      .filter((b, i) => b.body !== after[i].body)
      .map((b) => b.name);
    out.push({ file, current, next, blocks, errors });
  }
  for (const [file, g] of Object.entries(FILES)) {
    const path = join(root, file);
    const current = existsSync(path) ? readFileSync(path, "utf8") : null;
    try {
      out.push({ file, current, next: await g.render(input), blocks: [], errors: [] });
    } catch (e) {
      out.push({ file, current, next: current ?? "", blocks: [], errors: [reason(e)] });
    }
  }
  return out;
}

const isStale = (o: Outcome) => o.errors.length > 0 || o.next !== o.current;

/** Every file or block whose committed text differs from what the committed sources generate, or that they cannot generate. */
export async function staleDocs(root: string, input = new DocsInput(root)): Promise<Stale[]> {
  return (await outcomes(root, input)).filter(isStale).map(({ file, blocks, errors }) => ({ file, blocks, errors }));
}

/** Rewrites what is stale (atomically, file by file); returns what it rewrote and what it could not generate. */
export async function writeDocs(root: string): Promise<{ written: string[]; errors: string[] }> {
  const written: string[] = [];
  const errors: string[] = [];
  for (const o of await outcomes(root, new DocsInput(root))) {
    errors.push(...o.errors.map((e) => `${o.file}: ${e}`));
    if (o.next !== o.current) {
      writeFileAtomic(join(root, o.file), o.next);
      written.push(o.file);
    }
  }
  return { written, errors };
}
