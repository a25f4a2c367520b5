// Regenerates the marked blocks and generated files of the documentation, or lists the stale ones.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/io/atomic.js";
import { BLOCKS, FILES, type Block } from "./blocks.js";
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

/** A file's text with its blocks regenerated; an unknown block name is an error naming the file. */
export function regenerate(text: string, file: string, input: DocsInput, blocks: Record<string, Block> = BLOCKS): string {
  return rewriteBlocks(text, file, (name) => {
    const block = blocks[name];
    if (!block) throw new Error(`${file}: unknown generated block "${name}" (the registry is scripts/docs/blocks.ts)`);
    return block.render(input);
  });
}

export interface Stale {
  file: string;
  /** Blocks whose committed text differs from what their sources generate; empty for a whole generated file. */
  blocks: string[];
}

/** Every file or block whose committed text differs from what the committed sources generate. */
export async function staleDocs(root: string, input = new DocsInput(root)): Promise<Stale[]> {
  const stale: Stale[] = [];
  for (const file of markdownFiles(root)) {
    const text = readFileSync(join(root, file), "utf8");
    const committed = findBlocks(text, file);
    const expected = findBlocks(regenerate(text, file, input), file);
    const names = committed.filter((b, i) => b.body !== expected[i].body).map((b) => b.name);
    if (names.length) stale.push({ file, blocks: names });
  }
  for (const [file, g] of Object.entries(FILES)) {
    const path = join(root, file);
    if (!existsSync(path) || readFileSync(path, "utf8") !== (await g.render(input))) stale.push({ file, blocks: [] });
  }
  return stale;
}

/** Rewrites what is stale (atomically, file by file) and returns what it rewrote. */
export async function writeDocs(root: string): Promise<string[]> {
  const input = new DocsInput(root);
  const written: string[] = [];
  for (const file of markdownFiles(root)) {
    const text = readFileSync(join(root, file), "utf8");
    const next = regenerate(text, file, input);
    if (next !== text) {
      writeFileAtomic(join(root, file), next);
      written.push(file);
    }
  }
  for (const [file, g] of Object.entries(FILES)) {
    const path = join(root, file);
    const next = await g.render(input);
    if (!existsSync(path) || readFileSync(path, "utf8") !== next) {
      writeFileAtomic(path, next);
      written.push(file);
    }
  }
  return written;
}
