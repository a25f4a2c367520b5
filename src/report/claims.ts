// The paper's claims, each turned into a paired comparison over seeds with an explicit criterion, and
// judged on the measured results. A claim for a mode that was not run, or that this build lacks, says so.
import { SCHEMA } from "../config/schema.js";
import type { ResultLine } from "../sweep/results.js";
import { pairArms, type ArmPair } from "./aggregate.js";
import { pairedDifference, type Paired } from "./statistics.js";

/** The pre-training modes of the paper, whether or not this build has each. */
export const PAPER_MODES = ["supervised", "contrastive"] as const;

export type Verdict = "supported" | "not supported" | "not run";

export interface ClaimResult {
  id: "purifies" | "vulnerable" | "inherits";
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
}

const pick = (pairs: ArmPair[], f: (a: ArmPair["clean"]) => number) => [pairs.map((p) => f(p.adv)), pairs.map((p) => f(p.clean))] as const;
const drop = (e: ArmPair["clean"]["pretrained"]) => e.clean - e.headline.accuracy;
/** Downstream clean accuracy counts as comparable when adversarial pre-training costs at most this much. */
export const COMPARABLE_CLEAN = 0.05;

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
  },
  {
    id: "inherits",
    claim: "a clean downstream head inherits robustness from adversarial pre-training",
    criterion: `paired 95% intervals: downstream robust accuracy at the headline radius adv - clean > 0, and downstream clean accuracy adv - clean > -${COMPARABLE_CLEAN}`,
    effect: (p) => pairedDifference(...pick(p, (a) => a.downstream.headline.accuracy)),
    also: (p) => ({ "downstream clean accuracy adv - clean": pairedDifference(...pick(p, (a) => a.downstream.clean)) }),
    holds: (e, also) => e.lo > 0 && also["downstream clean accuracy adv - clean"].lo > -COMPARABLE_CLEAN,
  },
];

/** Every claim for every paper mode and every mode of this build. */
export function judgeClaims(lines: readonly ResultLine[]): ClaimResult[] {
  const available = SCHEMA.mode.values as readonly string[];
  const modes = [...new Set<string>([...PAPER_MODES, ...available])];
  const out: ClaimResult[] = [];
  for (const mode of modes) {
    const pairs = pairArms(lines, mode);
    for (const c of CLAIMS) {
      const base = { id: c.id, mode, claim: c.claim, criterion: c.criterion };
      if (!available.includes(mode)) {
        out.push({ ...base, effect: null, also: {}, verdict: "not run", note: `this build has no ${mode} mode` });
      } else if (pairs.length === 0) {
        out.push({ ...base, effect: null, also: {}, verdict: "not run", note: `no ${mode} results with both a clean and an adversarial arm` });
      } else if (Number.isNaN(c.effect(pairs).mean)) {
        // Real data: no dictionary, so no purity to compare (the purification proxies stand in for it).
        out.push({ ...base, effect: null, also: {}, verdict: "not run", note: "not measurable on these results (no known dictionary)" });
      } else {
        const effect = c.effect(pairs);
        const also = c.also(pairs);
        const enough = pairs.length >= 2;
        out.push({
          ...base,
          effect,
          also,
          verdict: enough && c.holds(effect, also) ? "supported" : "not supported",
          note: enough ? `${pairs.length} clean/adv pairs` : "one seed: no interval, so no verdict beyond 'not supported'",
        });
      }
    }
  }
  return out;
}
