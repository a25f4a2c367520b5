// `featpure options`: every flag in one of the eight sections, text that fits the terminal, JSON for tools.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { flagSpecs } from "../../src/config/flags.js";
import { formatOptions, OPTION_SECTIONS, optionGroups, optionsMarkdown, sectionOf, terminalColumns, wrap } from "../../src/cli/options.js";

const bin = new URL("../../dist/bin/featpure.js", import.meta.url).pathname;

describe("option groups", () => {
  it("put every flag in exactly one section, in the sections' order", () => {
    const groups = optionGroups();
    expect(groups.map((g) => g.section)).toEqual([...OPTION_SECTIONS]);
    const flags = groups.flatMap((g) => g.options.map((o) => o.flag));
    expect(flags.sort()).toEqual(
      flagSpecs()
        .map((f) => f.flag)
        .sort(),
    );
    for (const f of flagSpecs()) expect(sectionOf(f.path), f.path).toBeDefined();
  });

  it("place fields by their config path", () => {
    expect(sectionOf("adv.eps")).toBe("adversarial");
    expect(sectionOf("eval.restarts")).toBe("evaluation");
    expect(sectionOf("threads")).toBe("engine");
    expect(sectionOf("trainThreshold")).toBeUndefined(); // a prefix matches whole names only ("train" is not "train*")
  });
});

describe("wrap", () => {
  it("keeps every word, in order, within the width, cutting only words longer than a line", () => {
    const text = "a bb ccc " + "x".repeat(37) + " dddd eeeee, ffffff";
    for (const width of [8, 12, 20, 41]) {
      const lines = wrap(text, width, "   ", " ");
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
      expect(lines[0].startsWith(" ")).toBe(true);
      expect(lines.slice(1).every((l) => l.startsWith("   "))).toBe(true);
      const words = text.split(" ");
      const longCut = lines.join(" ").split(/\s+/).filter(Boolean).join("");
      expect(longCut).toBe(words.join(""));
    }
    expect(wrap("one two three", 80, "  ")).toEqual(["  one two three"]);
  });
});

describe("formatOptions", () => {
  it.each([40, 64, 80, 100, 137])("fits %i columns and names every flag with its default", (columns) => {
    const text = formatOptions(optionGroups(), columns);
    const lines = text.split("\n");
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(columns);
    for (const f of flagSpecs()) expect(text).toMatch(new RegExp(`^  --${f.flag}\\b`, "m"));
    expect(text).toContain("Adversarial pre-training");
    expect(text).toMatch(/--eps [^\n]*default 0\.2/);
  });

  it("uses the terminal's width, and 80 columns when not a terminal", () => {
    expect(terminalColumns({ isTTY: false, columns: 200 })).toBe(80);
    expect(terminalColumns({ isTTY: true, columns: 123 })).toBe(123);
    expect(terminalColumns({ isTTY: true, columns: 10 })).toBe(40);
  });

  it("writes one Markdown table per section, a row per flag", () => {
    const md = optionsMarkdown(optionGroups());
    expect(md.match(/^## /gm)).toHaveLength(OPTION_SECTIONS.length);
    expect(md.match(/^\| `--/gm)).toHaveLength(flagSpecs().length);
    expect(md).toContain("| `--norm` | `adv.norm` | l2\\|linf | l2 |");
  });
});

describe("featpure options (the built CLI)", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, "options", ...args], { encoding: "utf8", timeout: 30_000 });

  it("prints no line over 80 columns when stdout is not a terminal", () => {
    const r = cli();
    expect(r.status).toBe(0);
    const long = r.stdout.split("\n").filter((l) => l.length > 80);
    expect(long).toEqual([]);
    expect(r.stdout).toContain("--threads");
  });

  it("prints the groups as JSON with --json", () => {
    const r = cli("--json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(optionGroups());
  });
});
