// Every option of `featpure run`, grouped by section, as plain data: `featpure options` prints it
// wrapped to the terminal (or as JSON for tools), and `npm run docs` writes docs/options.md from it.
// The fields themselves come from the schema's public description (flagSpecs); this module only groups
// and lays them out.
import { accepted, defaultText, flagSpecs, modeDefaultText } from "./flags.js";

export const OPTION_SECTIONS = ["data", "model", "optimiser", "adversarial", "contrastive", "downstream", "evaluation", "engine"] as const;
export type OptionSection = (typeof OPTION_SECTIONS)[number];

/** Section of a config path: the first rule whose prefix matches (exact field or `prefix.`). */
const SECTION_RULES: [prefix: string, section: OptionSection][] = [
  ["seed", "data"],
  ["data", "data"],
  ["mnist", "data"],
  ["mode", "model"],
  ["train", "model"],
  ["model", "model"],
  ["optim", "optimiser"],
  ["logEvery", "optimiser"],
  ["adv", "adversarial"],
  ["contrastive", "contrastive"],
  ["downstream", "downstream"],
  ["eval", "evaluation"],
  ["metrics", "evaluation"],
  ["backend", "engine"],
  ["threads", "engine"],
  ["incrementalForward", "engine"],
];

const SECTION_TITLES: Record<OptionSection, string> = {
  data: "Data: the synthetic sparse-coding model or the digits",
  model: "Model and pre-training arms",
  optimiser: "Optimiser",
  adversarial: "Adversarial pre-training",
  contrastive: "Contrastive pre-training (mode contrastive)",
  downstream: "Downstream head",
  evaluation: "Evaluation: attacks and purification metrics",
  engine: "Engine: kernel build and threads",
};

export interface OptionEntry {
  flag: string;
  /** Dotted config field. */
  path: string;
  kind: string;
  accepts: string;
  default: string;
  /** Defaults that depend on the mode, e.g. "contrastive: 0.3"; empty when none. */
  modeDefaults: string;
  doc: string;
  /** The choice is a reconstruction of the paper's model, not its stated setting (docs/model.md). */
  reconstruction: boolean;
}

export interface OptionGroup {
  section: OptionSection;
  title: string;
  options: OptionEntry[];
}

/** The section of a config path; undefined for a path no rule covers (a test keeps that from happening). */
export function sectionOf(path: string): OptionSection | undefined {
  return SECTION_RULES.find(([p]) => path === p || path.startsWith(p + "."))?.[1];
}

export function optionGroups(): OptionGroup[] {
  const groups = OPTION_SECTIONS.map((section) => ({ section, title: SECTION_TITLES[section], options: [] as OptionEntry[] }));
  for (const f of flagSpecs()) {
    const section = sectionOf(f.path);
    if (section === undefined) throw new Error(`option --${f.flag} (${f.path}) belongs to no section of src/cli/options.ts`);
    groups[OPTION_SECTIONS.indexOf(section)].options.push({
      flag: f.flag,
      path: f.path,
      kind: f.spec.kind,
      accepts: accepted(f.spec),
      default: defaultText(f.spec),
      modeDefaults: modeDefaultText(f.path),
      doc: f.spec.doc,
      reconstruction: f.spec.reconstruction === true,
    });
  }
  return groups.filter((g) => g.options.length > 0);
}

/** Greedy word wrap; a word longer than the width is cut, so no line ever exceeds it. */
export function wrap(text: string, width: number, indent: string, firstIndent = indent): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let fresh = true;
  for (const raw of text.split(/\s+/).filter((w) => w !== "")) {
    let word = raw;
    if (!fresh && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
      fresh = true;
    }
    while (line.length + (fresh ? 0 : 1) + word.length > width) {
      const room = Math.max(1, width - line.length - (fresh ? 0 : 1));
      lines.push(line + (fresh ? "" : " ") + word.slice(0, room));
      word = word.slice(room);
      line = indent;
      fresh = true;
    }
    line += (fresh ? "" : " ") + word;
    fresh = false;
  }
  if (!fresh || lines.length === 0) lines.push(line);
  return lines;
}

/** Narrower than this, the indented layout stops making sense. */
export const MIN_COLUMNS = 40;

/** The terminal's width, 80 when stdout is not a terminal. */
export function terminalColumns(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? Math.max(MIN_COLUMNS, stream.columns) : 80;
}

function defaultsText(o: OptionEntry): string {
  return `default ${o.default}${o.modeDefaults ? ` (${o.modeDefaults})` : ""}`;
}

/** The grouped options as text, every line at most `columns` wide. */
export function formatOptions(groups: OptionGroup[], columns: number): string {
  const width = Math.max(MIN_COLUMNS, columns);
  const out = ["Options of featpure run (also its config fields; * marks a reconstruction of the paper's model, docs/model.md)"].flatMap(
    (t) => wrap(t, width, ""),
  );
  for (const g of groups) {
    out.push("", ...wrap(g.title, width, ""));
    for (const o of g.options) {
      out.push(...wrap(`--${o.flag}${o.reconstruction ? " *" : ""}  ${o.accepts}; ${defaultsText(o)}`, width, "      ", "  "));
      out.push(...wrap(`${o.doc} [${o.path}]`, width, "      "));
    }
  }
  return out.join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** docs/options.md's tables: one per section. */
export function optionsMarkdown(groups: OptionGroup[]): string {
  const out: string[] = [];
  for (const g of groups) {
    out.push(`## ${g.title}`, "", "| flag | config field | accepts | default | meaning |", "| --- | --- | --- | --- | --- |");
    for (const o of g.options) {
      const def = o.modeDefaults ? `${o.default} (${o.modeDefaults})` : o.default;
      out.push(
        `| \`--${o.flag}\` | \`${o.path}\` | ${cell(o.accepts)} | ${cell(def)} | ${cell(o.doc)}${o.reconstruction ? " *(reconstruction)*" : ""} |`,
      );
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}
