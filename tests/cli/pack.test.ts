// Embedding: the tarball `npm pack` makes installs into a fresh project, offline from the npm cache,
// and the snippet of docs/browser.md type-checks against it and runs.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

// Not plain "npm": inside npm scripts node_modules/.bin comes first on PATH, and it holds an old npm 6
// that @as-pect/cli's dependencies bring along. The npm running us, or the one beside node, is the real one.
const NPM = process.env.npm_execpath?.endsWith("npm-cli.js")
  ? [process.execPath, process.env.npm_execpath]
  : [join(dirname(process.execPath), "npm")];
const npm = (args: string[], cwd: string) =>
  execFileSync(NPM[0], [...NPM.slice(1), ...args], { cwd, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] });

/** The first TypeScript block of the docs' embedding section. */
function snippet(): string {
  const doc = readFileSync("docs/browser.md", "utf8");
  const section = doc.slice(doc.indexOf("### Embedding"));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("docs/browser.md: no ```ts block under ### Embedding");
  return m[1];
}

describe("npm pack", () => {
  it("installs into a fresh project, type-checks and runs the documented snippet, and resolves for browsers", () => {
    const dir = mkdtempSync(join(tmpdir(), "featpure-pack-"));
    try {
      // npm test has just built dist/, so the prepare script need not run again.
      const [packed] = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], process.cwd()));
      const files = (packed.files as { path: string }[]).map((f) => f.path);
      for (const f of [
        "dist/src/api.js",
        "dist/src/api.d.ts",
        "dist/browser/featpure.js",
        "dist/browser/featpure.wasm",
        "build/featpure.wasm",
        "dist/bin/featpure.js",
      ]) {
        expect(files).toContain(f);
      }
      expect(files.filter((f) => f.startsWith("dist/web/") || f.startsWith("src/") || f.startsWith("tests/"))).toEqual([]);
      // The sources are not shipped, so neither are source maps that would point at them.
      expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
      expect(files).toContain("LICENSE");

      const app = join(dir, "app");
      execFileSync("mkdir", [app]);
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
      npm(["install", join(dir, packed.filename), "--prefer-offline", "--no-audit", "--no-fund"], app);
      writeFileSync(join(app, "main.ts"), snippet());
      writeFileSync(
        join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            lib: ["ES2022", "DOM"],
            types: [],
            skipLibCheck: false,
          },
          files: ["main.ts"],
        }),
      );
      execFileSync(resolve("node_modules/.bin/tsc"), ["-p", app], { encoding: "utf8" });
      const run = spawnSync(process.execPath, ["main.js"], { cwd: app, encoding: "utf8", timeout: 60_000 });
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/^clean top-1 purity 0\.\d{3} downstream robust [\d.]+$/m);
      expect(run.stdout).toMatch(/^adv top-1 purity 0\.\d{3} downstream robust [\d.]+$/m);
      expect(run.stdout).toContain("adv: evaluate done");

      const where = (conditions: string[]) =>
        execFileSync(process.execPath, [...conditions, "--input-type=module", "-e", "console.log(import.meta.resolve('featpure'))"], {
          cwd: app,
          encoding: "utf8",
        }).trim();
      expect(where([])).toMatch(/node_modules\/featpure\/dist\/src\/api\.js$/);
      expect(where(["--conditions=browser"])).toMatch(/node_modules\/featpure\/dist\/browser\/featpure\.js$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
