// The paper's claims, each turned into a paired comparison over seeds with an explicit criterion, and
// judged on the measured results. A claim for a mode that was not run, or that this build lacks, says so.
import { SCHEMA } from "../config/schema.js";
import type { ResultLine } from "../sweep/results.js";
import { pairArms, type ArmPair } from "./aggregate.js";
import { pairedDifference, type Paired } from "./statistics.js";
import type { ModelEval } from "../experiments/evaluate.js";
import type { HeadScore } from "../experiments/headSensitivity.js";

/** The pre-training modes of the paper, whether or not this build has each. */
export const PAPER_MODES = ["supervised", "contrastive"] as const;

export type Verdict = "supported" | "not supported" | "not run";

export interface ClaimResult {
  id: "purifies" | "vulnerable" | "inherits" | "gap";
  mode: string;
  claim: string;
  criterion: string;
  /** The main effect (a paired difference over seeds); null when not run. */
  effect: Paired | null;
  /** Other comparisons the criterion needs, by name. */
  also: Record<string, Paired>;
  verdict: Verdict;
  note: string;
}

interface ClaimSpec {
  id: ClaimResult["id"];
  claim: string;
  criterion: string;
  effect(p: ArmPair[]): Paired;
  also(p: ArmPair[]): Record<string, Paired>;
  holds(effect: Paired, also: Record<string, Paired>): boolean;
  /** Why the claim cannot be measured on these pairs; null when it can. */
  missing(p: ArmPair[]): string | null;
  /** How far each part of the criterion holds, in words, for the note. */
  parts?(effect: Paired, also: Record<string, Paired>): string;
}

const pick = (pairs: ArmPair[], f: (a: ArmPair["clean"]) => number) => [pairs.map((p) => f(p.adv)), pairs.map((p) => f(p.clean))] as const;
const drop = (e: ArmPair["clean"]["pretrained"]) => e.clean - e.headline.accuracy;
/** Downstream clean accuracy counts as comparable when adversarial pre-training costs at most this much. */
export const COMPARABLE_CLEAN = 0.05;
/** The clean head counts as nearly as robust as the adversarially trained one when it loses at most this much robust accuracy. */
export const GAP_TOLERANCE = 0.05;

/** Robust accuracy at the headline radius of one downstream adaptation, NaN when that mode was not run. */
export function adaptedRobust(a: ArmPair["clean"], mode: string): number {
  return a.adaptations?.find((x) => x.mode === mode)?.eval.headline.accuracy ?? NaN;
}
/** The inheritance gap of one arm: robust accuracy of the clean head minus that of the adversarially trained head (adv-linear). */
const gap = (a: ArmPair["clean"]) => adaptedRobust(a, "clean-linear") - adaptedRobust(a, "adv-linear");
const noDictionary = (p: ArmPair[]) =>
  p.some((x) => !x.adv.purity || !x.clean.purity) ? "not measurable on these results (no known dictionary)" : null;
const yes = (b: boolean) => (b ? "holds" : "does not hold");

const CLAIMS: ClaimSpec[] = [
  {
    id: "purifies",
    claim: "adversarial pre-training purifies the hidden neurons",
    criterion: "paired 95% intervals: top-1 purity adv - clean > 0 and participation ratio clean - adv > 0",
    effect: (p) => pairedDifference(...pick(p, (a) => a.purity?.top1.mean ?? NaN)),
    also: (p) => {
      const [adv, clean] = pick(p, (a) => a.purity?.participation.mean ?? NaN);
      return { "participation ratio clean - adv": pairedDifference(clean, adv) };
    },
    holds: (e, also) => e.lo > 0 && also["participation ratio clean - adv"].lo > 0,
    missing: noDictionary,
  },
  {
    id: "vulnerable",
    claim: "clean pre-training leaves the neurons vulnerable",
    criterion: "paired 95% interval: the pre-trained network's accuracy drop under attack at the headline radius, clean - adv > 0",
    effect: (p) => {
      const [adv, clean] = pick(p, (a) => drop(a.pretrained));
      return pairedDifference(clean, adv);
    },
    also: () => ({}),
    holds: (e) => e.lo > 0,
    missing: () => null,
  },
  {
    id: "inherits",
    claim: "a clean downstream head inherits robustness from adversarial pre-training",
    criterion: `paired 95% intervals: downstream robust accuracy at the headline radius adv - clean > 0, and downstream clean accuracy adv - clean > -${COMPARABLE_CLEAN}`,
    effect: (p) => pairedDifference(...pick(p, (a) => a.downstream.headline.accuracy)),
    also: (p) => ({ "downstream clean accuracy adv - clean": pairedDifference(...pick(p, (a) => a.downstream.clean)) }),
    holds: (e, also) => e.lo > 0 && also["downstream clean accuracy adv - clean"].lo > -COMPARABLE_CLEAN,
    missing: () => null,
  },
  {
    id: "gap",
    claim:
      "clean downstream training is enough: after adversarial pre-training the clean head is nearly as robust as an adversarially trained head, after clean pre-training it is not",
    criterion: `paired 95% intervals of the inheritance gap (downstream robust accuracy at the headline radius, clean-linear - adv-linear, same encoder): after adversarial pre-training > -${GAP_TOLERANCE}, and after adversarial minus after clean pre-training > 0`,
    effect: (p) =>
      pairedDifference(
        p.map((x) => adaptedRobust(x.adv, "clean-linear")),
        p.map((x) => adaptedRobust(x.adv, "adv-linear")),
      ),
    also: (p) => ({
      "gap after clean pre-training": pairedDifference(
        p.map((x) => adaptedRobust(x.clean, "clean-linear")),
        p.map((x) => adaptedRobust(x.clean, "adv-linear")),
      ),
      "gap adv - gap clean": pairedDifference(
        p.map((x) => gap(x.adv)),
        p.map((x) => gap(x.clean)),
      ),
    }),
    holds: (e, also) => e.lo > -GAP_TOLERANCE && also["gap adv - gap clean"].lo > 0,
    missing: (p) =>
      p.some((x) => Number.isNaN(gap(x.adv)) || Number.isNaN(gap(x.clean)))
        ? "needs downstream.adapt with clean-linear and adv-linear on both arms (featpure reproduce runs them)"
        : null,
    parts: (e, also) =>
      `small after adversarial pre-training: ${yes(e.lo > -GAP_TOLERANCE)}; larger after clean pre-training: ${yes(also["gap adv - gap clean"].lo > 0)}`,
  },
];

/** The label of a mode on one data source in the claims: the mode alone for the synthetic data. */
export function modeLabel(mode: string, source: string): string {
  return source === "sparse" ? mode : `${mode} (${source === "mnist" ? "digits" : source})`;
}

/** The clean/adv pairs of every (mode, data source) the claims are judged on, paper modes first. */
export function claimGroups(lines: readonly ResultLine[]): { mode: string; label: string; pairs: ArmPair[] }[] {
  const available = SCHEMA.mode.values as readonly string[];
  const modes = [...new Set<string>([...PAPER_MODES, ...available])];
  const sources = [...new Set<string>(["sparse", ...lines.map((l) => l.config.data.source)])];
  return sources.flatMap((source) => {
    const of = lines.filter((l) => l.config.data.source === source);
    return modes
      .filter((mode) => source === "sparse" || of.some((l) => l.config.mode === mode))
      .map((mode) => ({ mode, label: modeLabel(mode, source), pairs: pairArms(of, mode) }));
  });
}

function judge(c: ClaimSpec, mode: string, label: string, pairs: ArmPair[]): ClaimResult {
  const available = SCHEMA.mode.values as readonly string[];
  const base = { id: c.id, mode: label, claim: c.claim, criterion: c.criterion };
  if (!available.includes(mode)) return { ...base, effect: null, also: {}, verdict: "not run", note: `this build has no ${mode} mode` };
  if (pairs.length === 0)
    return { ...base, effect: null, also: {}, verdict: "not run", note: `no ${label} results with both a clean and an adversarial arm` };
  const missing = c.missing(pairs);
  // Real data: no dictionary, so no purity to compare (the purification proxies stand in for it).
  if (missing) return { ...base, effect: null, also: {}, verdict: "not run", note: missing };
  const effect = c.effect(pairs);
  const also = c.also(pairs);
  const enough = pairs.length >= 2;
  const parts = c.parts ? `; ${c.parts(effect, also)}` : "";
  return {
    ...base,
    effect,
    also,
    verdict: enough && c.holds(effect, also) ? "supported" : "not supported",
    note: enough ? `${pairs.length} clean/adv pairs${parts}` : "one seed: no interval, so no verdict beyond 'not supported'",
  };
}

/** Every claim for every paper mode and every mode of this build, on each data source of the lines. */
export function judgeClaims(lines: readonly ResultLine[]): ClaimResult[] {
  return claimGroups(lines).flatMap((g) => CLAIMS.map((c) => judge(c, g.mode, g.label, g.pairs)));
}

/** Which claims involve the fitted head (downstream head, or the contrastive encoder's probe). */
export function headDependent(id: ClaimResult["id"], pairs: ArmPair[]): boolean {
  return id === "inherits" || id === "gap" || (id === "vulnerable" && pairs.some((p) => p.adv.pretrained.probe !== undefined));
}

export interface PenaltyVerdict {
  l2: number;
  effect: Paired | null;
  also: Record<string, Paired>;
  verdict: Verdict;
}

export interface SensitivityResult {
  id: ClaimResult["id"];
  mode: string;
  claim: string;
  /** False: the claim's numbers do not involve the head, so no penalty can move them. */
  dependsOnHead: boolean;
  penalties: PenaltyVerdict[];
  /** In words: at every penalty, at none, or at which. */
  summary: string;
}

/** The pairs with every head-fitted number replaced by the head refitted with penalty l2; null where a line lacks it. */
function atPenalty(pairs: ArmPair[], l2: number): ArmPair[] | null {
  const swap = (a: ArmPair["clean"]): ArmPair["clean"] | null => {
    const p = a.headSensitivity?.find((s) => s.l2 === l2);
    if (!p) return null;
    const head = (e: ModelEval, score: HeadScore): ModelEval => ({
      ...e,
      clean: score.clean,
      headline: { ...e.headline, accuracy: score.robust },
    });
    const downstream = { ...a.downstream, ...head(a.downstream, p.downstream) };
    return {
      ...a,
      downstream,
      pretrained: p.probe ? { ...a.pretrained, ...head(a.pretrained, p.probe) } : a.pretrained,
      adaptations: a.adaptations?.map((x) => (x.mode === "clean-linear" ? { ...x, eval: head(x.eval, p.downstream) } : x)),
    };
  };
  const out: ArmPair[] = [];
  for (const p of pairs) {
    const clean = swap(p.clean),
      adv = swap(p.adv);
    if (!clean || !adv) return null;
    out.push({ clean, adv });
  }
  return out;
}

/** The penalties of the head-penalty sweep found in the lines, in increasing order. */
export function sweptPenalties(lines: readonly ResultLine[]): number[] {
  return [...new Set(lines.flatMap((l) => l.arms.flatMap((a) => (a.headSensitivity ?? []).map((s) => s.l2))))].sort((a, b) => a - b);
}

/**
 * Every claim judged again with the head refitted at each penalty of the sweep (config
 * downstream.l2Sweep), on the same encoders: whether it holds across the range.
 */
export function judgeSensitivity(lines: readonly ResultLine[]): SensitivityResult[] {
  const penalties = sweptPenalties(lines);
  if (penalties.length === 0) return [];
  const out: SensitivityResult[] = [];
  for (const g of claimGroups(lines)) {
    if (g.pairs.length === 0) continue;
    for (const c of CLAIMS) {
      const dependsOnHead = headDependent(c.id, g.pairs);
      const verdicts = penalties.map((l2): PenaltyVerdict => {
        const pairs = atPenalty(g.pairs, l2);
        if (!pairs) return { l2, effect: null, also: {}, verdict: "not run" };
        const r = judge(c, g.mode, g.label, pairs);
        return { l2, effect: r.effect, also: r.also, verdict: r.verdict };
      });
      const run = verdicts.filter((v) => v.verdict !== "not run");
      const held = run.filter((v) => v.verdict === "supported").map((v) => v.l2);
      const summary =
        run.length === 0
          ? "not run"
          : held.length === run.length
            ? `supported at every penalty (${run.length})`
            : held.length === 0
              ? `not supported at any penalty (${run.length})`
              : `supported at l2 = ${held.join(", ")} only`;
      out.push({
        id: c.id,
        mode: g.label,
        claim: c.claim,
        dependsOnHead,
        penalties: verdicts,
        summary: dependsOnHead ? summary : `${summary}; does not involve the head`,
      });
    }
  }
  return out;
}
