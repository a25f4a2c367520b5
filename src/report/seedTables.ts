// Tables over seeds (mean and 95% t-interval per mode and arm) and of the judged claims, as plain
// TableData that the CLI renders with cli-table3 and the HTML report as <table>.
import type { ResultLine } from "../sweep/results.js";
import type { TableData } from "./tables.js";
import { configValue, gridAccuracy, groupByModeArm, type ArmSample } from "./aggregate.js";
import type { ClaimResult } from "./claims.js";
import { tInterval, withinRange, type Interval, type Paired } from "./statistics.js";

/** Fixed digits; a value that rounds to zero is written 0.000, never -0.000. */
const num = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits).replace(/^-(0\.?0*)$/, "$1") : "—");

export function formatInterval(i: Interval, digits = 3): string {
  if (i.n === 0 || !Number.isFinite(i.mean)) return "—";
  return i.n < 2 ? num(i.mean, digits) : `${num(i.mean, digits)} [${num(i.lo, digits)}, ${num(i.hi, digits)}]`;
}

function formatPaired(p: Paired, digits = 3): string {
  const sign = p.mean >= 0 ? "+" : "";
  return `${sign}${formatInterval(p, digits)}, > 0 in ${p.wins}/${p.n} pairs`;
}

interface Row {
  name: string;
  value(s: ArmSample): number;
  /** The values the quantity can take, where bounded (accuracies and purities: [0, 1]). */
  range?: readonly [number, number];
}

const UNIT = [0, 1] as const;

/** Mean [95% interval] of a row over the samples, within the row's range. */
function cell(r: Row, samples: readonly ArmSample[]): string {
  if (r.name === "runs (seeds)") return String(samples.length);
  const i = tInterval(samples.map(r.value));
  return formatInterval(r.range ? withinRange(i, r.range) : i);
}

function rows(lines: readonly ResultLine[]): Row[] {
  const first = lines[0];
  const h = first.arms[0].downstream.headline;
  const at = `${h.norm} eps=${h.eps}`;
  const out: Row[] = [
    { name: "runs (seeds)", value: () => NaN },
    { name: "top-1 purity (mean over live neurons)", value: (s) => s.arm.purity?.top1.mean ?? NaN, range: UNIT },
    { name: "participation ratio (mean)", value: (s) => s.arm.purity?.participation.mean ?? NaN },
    { name: "pre-training: clean accuracy", value: (s) => s.arm.pretrained.clean, range: UNIT },
    { name: `pre-training: robust accuracy at ${at}`, value: (s) => s.arm.pretrained.headline.accuracy, range: UNIT },
    { name: "downstream: clean accuracy", value: (s) => s.arm.downstream.clean, range: UNIT },
  ];
  for (const g of first.arms[0].downstream.grid) {
    out.push({ name: `downstream: robust at ${g.norm} eps=${g.eps}`, value: (s) => gridAccuracy(s.arm.downstream, g.norm, g.eps), range: UNIT });
  }
  out.push({
    name: `downstream: strong check at ${at} (PGD-${h.strongSteps} x ${h.strongRestarts})`,
    value: (s) => s.arm.downstream.headline.strongAccuracy,
    range: UNIT,
  });
  return out;
}

/** Mean [95% interval] over seeds of every headline quantity, one column per mode and arm. */
export function seedTable(lines: readonly ResultLine[]): TableData {
  if (lines.length === 0) return { title: "No results", head: ["metric"], rows: [] };
  const groups = groupByModeArm(lines);
  return {
    title: "Mean [95% t-interval] over seeds",
    head: ["metric", ...groups.map((g) => `${g.mode}, ${g.arm} pre-training`)],
    rows: rows(lines).map((r) => [
      r.name,
      ...groups.map((g) => cell(r, g.samples)),
    ]),
  };
}

export function claimsTable(claims: readonly ClaimResult[]): TableData {
  return {
    title: "Claims of the paper (paired over seeds: difference of means [95% t-interval])",
    head: ["claim", "mode", "measured effect", "verdict"],
    rows: claims.map((c) => [
      c.claim,
      c.mode,
      c.effect
        ? [`${effectName(c.id)}: ${formatPaired(c.effect)}`, ...Object.entries(c.also).map(([k, v]) => `${k}: ${formatPaired(v)}`)].join("\n")
        : c.note,
      c.verdict === "not run" ? c.verdict : `${c.verdict} (${c.note})`,
    ]),
  };
}

function effectName(id: ClaimResult["id"]): string {
  switch (id) {
    case "purifies":
      return "top-1 purity adv - clean";
    case "vulnerable":
      return "pre-trained accuracy drop under attack, clean - adv";
    case "inherits":
      return "downstream robust accuracy adv - clean";
  }
}

/** One row per value of a swept field (and arm): the headline quantities, mean [95% interval] over seeds. */
export function sweepTable(lines: readonly ResultLine[], field: string): TableData {
  const valueOf = (l: ResultLine) => configValue(l.config, field);
  const values = [...new Set(lines.map((l) => JSON.stringify(valueOf(l))))].sort((a, b) => Number(a) - Number(b));
  const metrics: Row[] = rows(lines).filter((r) => !r.name.startsWith("downstream: robust at") || r.name.endsWith(headlineAt(lines)));
  const out: string[][] = [];
  for (const v of values) {
    for (const g of groupByModeArm(lines.filter((l) => JSON.stringify(valueOf(l)) === v))) {
      out.push([`${field}=${v}`, `${g.mode}, ${g.arm}`, ...metrics.map((m) => cell(m, g.samples))]);
    }
  }
  return { title: `Against ${field}: mean [95% t-interval] over seeds`, head: [field, "pre-training", ...metrics.map((m) => m.name)], rows: out };
}

function headlineAt(lines: readonly ResultLine[]): string {
  const h = lines[0].arms[0].downstream.headline;
  return `${h.norm} eps=${h.eps}`;
}
