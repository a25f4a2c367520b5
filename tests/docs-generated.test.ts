// The documentation's measured tables and figures equal what the committed JSON generates (npm run docs),
// so a number cannot be edited by hand or drift from the run it came from.
import { describe, expect, it } from "vitest";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BLOCKS, FILES } from "../scripts/docs/blocks.js";
import { markdownFiles, regenerate, staleDocs } from "../scripts/docs/generate.js";
import { DocsInput } from "../scripts/docs/input.js";
import { findBlocks, rewriteBlocks } from "../scripts/docs/markers.js";

const root = new URL("..", import.meta.url).pathname;

/** A copy of the documents and their sources, to edit without touching the repository. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "featpure-docs-"));
  const sources = [...Object.values(BLOCKS), ...Object.values(FILES)].flatMap((b) => b.sources);
  for (const f of new Set([...markdownFiles(root), ...sources, ...Object.keys(FILES)])) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  return dir;
}

describe("generated documentation", () => {
  it("is what the committed JSON generates (run npm run docs after a new bench or reproduce run)", async () => {
    expect(await staleDocs(root)).toEqual([]);
  });

  it("uses every registered block, and its sources are committed", () => {
    const used = new Set(markdownFiles(root).flatMap((f) => findBlocks(readFileSync(join(root, f), "utf8"), f).map((b) => b.name)));
    expect(Object.keys(BLOCKS).filter((name) => !used.has(name))).toEqual([]);
    for (const b of [...Object.values(BLOCKS), ...Object.values(FILES)])
      for (const s of b.sources) expect(existsSync(join(root, s)), s).toBe(true);
  });

  it("fails when a generated table is edited by hand, naming the file and the block", async () => {
    const dir = scratchCopy();
    try {
      const readme = join(dir, "README.md");
      const text = readFileSync(readme, "utf8");
      const claims = findBlocks(text, "README.md").find((b) => b.name === "reproduce-claims");
      expect(claims?.body).toMatch(/\| supported/);
      writeFileSync(readme, text.replace(claims!.body, claims!.body.replace("| supported", "| supported, and then some")));
      expect(await staleDocs(dir)).toEqual([{ file: "README.md", blocks: ["reproduce-claims"] }]);
      // Text outside the markers is the author's to change.
      writeFileSync(readme, text.replace("# featpure", "# featpure, edited"));
      expect(await staleDocs(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails when a source changes under a committed table or figure", async () => {
    const dir = scratchCopy();
    try {
      const bench = join(dir, "docs/speed-bench.json");
      const r = JSON.parse(readFileSync(bench, "utf8"));
      r.peers[0].featpureSpeedup *= 2;
      writeFileSync(bench, JSON.stringify(r));
      expect((await staleDocs(dir)).map((s) => s.blocks).flat()).toContain("speed-summary");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("marked blocks", () => {
  const render = (name: string) => `<${name}>`;

  it("replace only the text between their markers", () => {
    const text = "a\n<!-- generated:x -->\nold\n<!-- /generated -->\nb\n<!-- generated:y -->\n<!-- /generated -->\n";
    expect(rewriteBlocks(text, "t.md", render)).toBe(
      "a\n<!-- generated:x -->\n<x>\n<!-- /generated -->\nb\n<!-- generated:y -->\n<y>\n<!-- /generated -->\n",
    );
    expect(findBlocks(text, "t.md")).toEqual([
      { name: "x", body: "old" },
      { name: "y", body: "" },
    ]);
  });

  it("refuse an unterminated block, a nested one, and an unknown name", () => {
    expect(() => findBlocks("x\n<!-- generated:a -->\nrest", "t.md")).toThrow("t.md:2: <!-- generated:a --> has no <!-- /generated -->");
    expect(() => findBlocks("<!-- generated:a -->\n<!-- generated:b -->\n<!-- /generated -->", "t.md")).toThrow("not closed");
    expect(() => regenerate("<!-- generated:nope -->\n<!-- /generated -->", "t.md", new DocsInput(root))).toThrow(
      'unknown generated block "nope"',
    );
  });
});
