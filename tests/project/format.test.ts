// The formatter's check, inside npm test: every file Prettier covers (.prettierignore says which) parses
// and is formatted, so that the code stays as the one commit that formatted it left it.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";

const root = new URL("../..", import.meta.url).pathname;

/** Tracked and new (not ignored) files that Prettier formats, with the parser it infers for each. */
async function covered(): Promise<{ file: string; parser: string }[]> {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  const out: { file: string; parser: string }[] = [];
  for (const file of files) {
    const info = await prettier.getFileInfo(join(root, file), { ignorePath: join(root, ".prettierignore") });
    if (!info.ignored && info.inferredParser) out.push({ file, parser: info.inferredParser });
  }
  return out;
}

describe("prettier", () => {
  it("covers the TypeScript sources and none of the generated or AssemblyScript files", async () => {
    const files = (await covered()).map((c) => c.file);
    expect(files).toContain("src/api.ts");
    expect(files).toContain("bin/featpure.ts");
    expect(files.filter((f) => /^(assembly|dist|build|docs\/results)\/|\.md$/.test(f))).toEqual([]);
  });

  it("finds every covered file formatted (npm run format fixes it)", async () => {
    const options = await prettier.resolveConfig(join(root, "src/api.ts"));
    expect(options?.printWidth).toBe(140);
    const unformatted: string[] = [];
    for (const { file, parser } of await covered()) {
      const text = readFileSync(join(root, file), "utf8");
      // check() throws on a file it cannot parse, which would also stop npm run format.
      if (!(await prettier.check(text, { ...options, parser, filepath: join(root, file) }))) unformatted.push(file);
    }
    expect(unformatted).toEqual([]);
  }, 120_000);
});
