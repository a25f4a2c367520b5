// The documentation's measured tables and figures equal what the committed JSON generates (npm run docs),
// so a number cannot be edited by hand or drift from the run it came from.
import { describe, expect, it } from "vitest";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BLOCKS, FILES, REPRODUCE } from "../../scripts/docs/blocks.js";
import { markdownFiles, regenerate, staleDocs, writeDocs, type Stale } from "../../scripts/docs/generate.js";
import { DocsInput } from "../../scripts/docs/input.js";
import { findBlocks, rewriteBlocks } from "../../scripts/docs/markers.js";

const root = new URL("../..", import.meta.url).pathname;

/** A copy of the documents and their sources, to edit without touching the repository. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "featpure-docs-"));
  const sources = [...Object.values(BLOCKS), ...Object.values(FILES)].flatMap((b) => b.sources);
  for (const f of new Set([...markdownFiles(root), ...sources, ...Object.keys(FILES)])) {
    if (!existsSync(join(root, f))) continue; // a missing source is the second test's failure
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(root, f), join(dir, f));
  }
  return dir;
}

/** A scratch copy with every block that its sources can generate regenerated, so that only the edit a test makes is stale. */
async function freshCopy(): Promise<string> {
  const dir = scratchCopy();
  await writeDocs(dir);
  return dir;
}

/** "file: block" for every stale block (render errors aside, which the first test reports). */
const staleBlocks = (stale: Stale[]) => stale.flatMap((s) => s.blocks.map((b) => `${s.file}: ${b}`));

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
    const dir = await freshCopy();
    try {
      const readme = join(dir, "README.md");
      const text = readFileSync(readme, "utf8");
      const claims = findBlocks(text, "README.md").find((b) => b.name === "reproduce-claims");
      expect(claims?.body).toMatch(/\| supported/);
      writeFileSync(readme, text.replace(claims!.body, claims!.body.replace("| supported", "| supported, and then some")));
      expect(staleBlocks(await staleDocs(dir))).toEqual(["README.md: reproduce-claims"]);
      // Text outside the markers is the author's to change.
      writeFileSync(readme, text.replace("# featpure", "# featpure, edited"));
      expect(staleBlocks(await staleDocs(dir))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails when a source changes under a committed table or figure", async () => {
    const dir = await freshCopy();
    try {
      const results = join(dir, REPRODUCE);
      const [first, ...rest] = readFileSync(results, "utf8").trimEnd().split("\n");
      const line = JSON.parse(first);
      line.arms[0].purity.top1.mean += 0.1;
      line.arms[0].downstream.clean -= 0.1;
      writeFileSync(results, [JSON.stringify(line), ...rest].join("\n") + "\n");
      const stale = await staleDocs(dir);
      expect(staleBlocks(stale)).toEqual(expect.arrayContaining(["README.md: reproduce-claims", "docs/reproduce.md: reproduce-seeds"]));
      expect(stale.map((s) => s.file)).toContain("docs/figures/robust-accuracy-vs-eps.svg");
      const bench = join(dir, "docs/speed-bench.json");
      const r = JSON.parse(readFileSync(bench, "utf8"));
      r.summary.rows[0].ratio *= 2;
      writeFileSync(bench, JSON.stringify(r));
      expect((await staleDocs(dir)).flatMap((s) => s.blocks)).toContain("speed-summary");
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

  it("keep a block whose source cannot be read, and report it", () => {
    const failed: string[] = [];
    const text = "<!-- generated:reproduce-seeds -->\nkept\n<!-- /generated -->";
    expect(regenerate(text, "t.md", new DocsInput("/nonexistent"), (name) => failed.push(name))).toBe(text);
    expect(failed).toEqual(["reproduce-seeds"]);
  });
});
