// Tables over seeds (mean and 95% t-interval per mode and arm) and of the judged claims, as plain
// TableData that the CLI renders with cli-table3 and the HTML report as <table>.
import type { ResultLine } from "../sweep/results.js";
import type { TableData } from "./tables.js";
import { configValue, gridAccuracy, groupByModeArm, type ArmSample } from "./aggregate.js";
import { modeLabel, sweptPenalties, type ClaimResult, type SensitivityResult } from "./claims.js";
import type { SensitivityPoint } from "../experiments/headSensitivity.js";
import type { AdaptResult } from "../experiments/adapt.js";
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
    out.push({
      name: `downstream: robust at ${g.norm} eps=${g.eps}`,
      value: (s) => gridAccuracy(s.arm.downstream, g.norm, g.eps),
      range: UNIT,
    });
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
    rows: rows(lines).map((r) => [r.name, ...groups.map((g) => cell(r, g.samples))]),
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
        ? [`${effectName(c.id)}: ${formatPaired(c.effect)}`, ...Object.entries(c.also).map(([k, v]) => `${k}: ${formatPaired(v)}`)].join(
            "\n",
          )
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
    case "gap":
      return "inheritance gap after adversarial pre-training (clean-linear - adv-linear)";
  }
}

/** Each claim at each penalty of the head-penalty sweep: the main effect and the verdict. */
export function sensitivityTable(results: readonly SensitivityResult[]): TableData {
  const penalties = results[0]?.penalties.map((p) => p.l2) ?? [];
  const mark = (v: string) => (v === "supported" ? "supported" : v === "not run" ? "not run" : "NOT supported");
  return {
    title:
      "Head-penalty sensitivity: each claim with the clean head (and a contrastive probe) refitted at each l2 penalty on the same encoders (main effect, paired over seeds [95% t-interval])",
    head: ["claim", "mode", ...penalties.map((l2) => `l2 = ${l2}`), "across the range"],
    rows: results.map((r) => [
      r.id,
      r.mode,
      ...r.penalties.map((p) => (p.effect ? `${formatPaired(p.effect)}\n${mark(p.verdict)}` : mark(p.verdict))),
      r.summary,
    ]),
  };
}

/** Downstream clean and robust accuracy of the refitted clean head at each penalty, per mode and arm, and how far the robust number moves. */
export function headlineSensitivityTable(lines: readonly ResultLine[]): TableData {
  const penalties = sweptPenalties(lines);
  const rowsOut: string[][] = [];
  for (const g of groupByModeArm(lines)) {
    const at = (l2: number, f: (s: SensitivityPoint) => number) =>
      tInterval(
        g.samples.map((s) => {
          const p = s.arm.headSensitivity?.find((x) => x.l2 === l2);
          return p ? f(p) : NaN;
        }),
      );
    const robust = penalties.map((l2) =>
      withinRange(
        at(l2, (p) => p.downstream.robust),
        UNIT,
      ),
    );
    const means = robust.map((r) => r.mean).filter(Number.isFinite);
    const label = modeLabel(g.mode, g.samples[0].line.config.data.source);
    rowsOut.push([
      `${label}, ${g.arm}`,
      "robust",
      ...robust.map((r) => formatInterval(r)),
      means.length
        ? `${num(Math.min(...means), 3)} to ${num(Math.max(...means), 3)} (${num(Math.max(...means) - Math.min(...means), 3)})`
        : "—",
    ]);
    rowsOut.push([
      `${label}, ${g.arm}`,
      "clean",
      ...penalties.map((l2) =>
        formatInterval(
          withinRange(
            at(l2, (p) => p.downstream.clean),
            UNIT,
          ),
        ),
      ),
      "",
    ]);
  }
  const h = lines[0]?.arms[0].downstream.headline;
  return {
    title: `Downstream accuracy of the clean head against its l2 penalty (robust: PGD at ${h ? `${h.norm} eps=${h.eps}` : "the headline radius"}), mean [95% t-interval] over seeds`,
    head: ["pre-training", "accuracy", ...penalties.map((l2) => `l2 = ${l2}`), "robust: range of means (spread)"],
    rows: rowsOut,
  };
}

/** Every downstream adaptation of the lines, per mode and arm: accuracies at the headline radius, training time and FLOPs. */
export function adaptationTable(lines: readonly ResultLine[]): TableData {
  const modes = [...new Set(lines.flatMap((l) => l.arms.flatMap((a) => (a.adaptations ?? []).map((x) => x.mode))))];
  const rowsOut: string[][] = [];
  for (const g of groupByModeArm(lines)) {
    for (const mode of modes) {
      const of = g.samples.map((s) => s.arm.adaptations?.find((x) => x.mode === mode));
      if (of.some((x) => x === undefined)) continue;
      const xs = of as AdaptResult[];
      const accuracy = (f: (x: AdaptResult) => number) => formatInterval(withinRange(tInterval(xs.map(f)), UNIT));
      const seconds = formatInterval(tInterval(g.samples.map((s) => (s.arm.timingsMs.adaptTraining?.[mode] ?? NaN) / 1000)), 2);
      rowsOut.push([
        `${modeLabel(g.mode, g.samples[0].line.config.data.source)}, ${g.arm}`,
        mode,
        accuracy((x) => x.eval.clean),
        accuracy((x) => x.eval.headline.accuracy),
        accuracy((x) => x.eval.headline.strongAccuracy),
        seconds,
        formatInterval(tInterval(xs.map((x) => x.flops / 1e9)), 2),
      ]);
    }
  }
  const h = lines[0]?.arms[0].downstream.headline;
  const at = h ? `${h.norm} eps=${h.eps}` : "the headline radius";
  return {
    title: "Downstream adaptations on the same encoders, same attacks and test samples: mean [95% t-interval] over seeds",
    head: ["pre-training", "adaptation", "clean accuracy", `robust at ${at}`, `strong check at ${at}`, "training s", "training GFLOP"],
    rows: rowsOut,
  };
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
  return {
    title: `Against ${field}: mean [95% t-interval] over seeds`,
    head: [field, "pre-training", ...metrics.map((m) => m.name)],
    rows: out,
  };
}

function headlineAt(lines: readonly ResultLine[]): string {
  const h = lines[0].arms[0].downstream.headline;
  return `${h.norm} eps=${h.eps}`;
}
