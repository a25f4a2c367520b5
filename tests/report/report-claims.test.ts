import { describe, expect, it } from "vitest";
import { SCHEMA } from "../../src/config/schema.js";
import { judgeClaims, judgeSensitivity, PAPER_MODES } from "../../src/report/claims.js";
import {
  adaptationTable,
  claimsTable,
  headlineSensitivityTable,
  seedTable,
  sensitivityTable,
  sweepTable,
} from "../../src/report/seedTables.js";
import { paperLikeLines, resultLine } from "./report-fixtures.js";

const available = SCHEMA.mode.values as readonly string[];
const supervised = (lines: Parameters<typeof judgeClaims>[0]) => judgeClaims(lines).filter((c) => c.mode === "supervised");

describe("claims of the paper", () => {
  it("are supported by results that look like the paper's", () => {
    const claims = supervised(paperLikeLines(5));
    expect(claims.map((c) => c.id)).toEqual(["purifies", "vulnerable", "inherits", "gap"]);
    for (const c of claims) expect(c.verdict, c.id).toBe("supported");
    const purifies = claims[0];
    expect(purifies.effect!.mean).toBeCloseTo(0.52, 10);
    expect(purifies.effect!.wins).toBe(5);
    expect(purifies.also["participation ratio clean - adv"].mean).toBeGreaterThan(70);
  });

  it("are not supported when the arms do not differ, or go the other way", () => {
    const same = { purity: 0.3, participation: 20, preClean: 0.95, preRobust: 0.6, downClean: 0.9, downRobust: 0.5 };
    const noisy = Array.from({ length: 4 }, (_, i) =>
      resultLine(i + 1, same, { ...same, purity: 0.3 + (i % 2 ? 0.05 : -0.05), downRobust: 0.5 + (i % 2 ? 0.1 : -0.1) }),
    );
    for (const c of supervised(noisy)) expect(c.verdict, c.id).toBe(c.id === "gap" ? "not run" : "not supported");
  });

  it("need comparable downstream clean accuracy for inheritance", () => {
    const lines = paperLikeLines(4).map((l) => ({
      ...l,
      arms: l.arms.map((a) => (a.arm === "adv" ? { ...a, downstream: { ...a.downstream, clean: 0.8 } } : a)),
    }));
    const inherits = supervised(lines).find((c) => c.id === "inherits")!;
    expect(inherits.effect!.lo).toBeGreaterThan(0);
    expect(inherits.verdict).toBe("not supported");
  });

  it("say 'not run' for purification on real data, where no dictionary gives a purity, and judge the rest", () => {
    const lines = paperLikeLines(5).map((l) => ({ ...l, arms: l.arms.map((a) => ({ ...a, purity: null })) }));
    const claims = supervised(lines);
    expect(claims.find((c) => c.id === "purifies")).toMatchObject({ verdict: "not run", effect: null });
    expect(claims.find((c) => c.id === "purifies")!.note).toMatch(/no known dictionary/);
    expect(claims.find((c) => c.id === "inherits")!.verdict).toBe("supported");
  });

  it("give no verdict beyond 'not supported' on a single seed", () => {
    const [c] = supervised(paperLikeLines(1));
    expect(c.verdict).toBe("not supported");
    expect(c.note).toMatch(/one seed/);
  });

  it("say 'not run' for a mode without results and for a mode this build lacks", () => {
    const claims = judgeClaims([]);
    for (const mode of PAPER_MODES) {
      const forMode = claims.filter((c) => c.mode === mode);
      expect(forMode).toHaveLength(4);
      for (const c of forMode) {
        expect(c.verdict).toBe("not run");
        expect(c.note).toMatch(available.includes(mode) ? /no .* results/ : /this build has no/);
      }
    }
  });

  it("pair separate clean and adv runs that agree in everything but train", () => {
    const lines = paperLikeLines(3).flatMap((l) => l.arms.map((a) => ({ ...l, config: { ...l.config, train: a.arm }, arms: [a] })));
    const claims = supervised(lines);
    expect(claims[0].effect!.n).toBe(3);
    expect(claims[0].verdict).toBe("supported");
  });

  it("render as tables with mean [interval] cells", () => {
    const t = seedTable(paperLikeLines(5));
    expect(t.head).toEqual(["metric", "supervised, clean pre-training", "supervised, adv pre-training"]);
    expect(t.rows[0]).toEqual(["runs (seeds)", "5", "5"]);
    expect(t.rows.find((r) => r[0].startsWith("top-1 purity"))![2]).toMatch(/^0\.66\d \[0\.6\d\d, 0\.6\d\d\]$/);
    expect(t.rows.some((r) => r[0] === "downstream: robust at linf eps=0.05")).toBe(true);
    const c = claimsTable(judgeClaims(paperLikeLines(5)));
    expect(c.rows[0][2]).toMatch(
      /^top-1 purity adv - clean: \+0\.520 \[0\.520, 0\.520\], > 0 in 5\/5 pairs\nparticipation ratio clean - adv: \+/,
    );
    expect(c.rows[0][3]).toMatch(/^supported/);
  });

  it("tabulate a sweep one row per value (in numeric order) and arm", () => {
    const lines = [0.3, 0].flatMap((eps) => paperLikeLines(2).map((l) => resultLine(l.seed, numbers(eps), numbers(eps), { adv: { eps } })));
    const t = sweepTable(lines, "adv.eps");
    expect(t.rows.map((r) => r.slice(0, 3))).toEqual([
      ["adv.eps=0", "supervised, clean", "2"],
      ["adv.eps=0", "supervised, adv", "2"],
      ["adv.eps=0.3", "supervised, clean", "2"],
      ["adv.eps=0.3", "supervised, adv", "2"],
    ]);
    const purity = t.head.indexOf("top-1 purity (mean over live neurons)");
    expect(t.rows[3][purity]).toBe("0.600 [0.600, 0.600]");
    expect(t.head.filter((h) => h.startsWith("downstream: robust at"))).toEqual(["downstream: robust at l2 eps=0.2"]);
  });
});

describe("the inheritance gap", () => {
  const gapOf = (lines: Parameters<typeof judgeClaims>[0]) => supervised(lines).find((c) => c.id === "gap")!;

  it("is clean-linear minus adv-linear robust accuracy on the same encoder, paired over seeds", () => {
    const g = gapOf(paperLikeLines(5));
    // adv arm: downRobust 0.86 + w against advLinear 0.88 + w; clean arm: 0.4 + w against 0.7.
    expect(g.effect!.mean).toBeCloseTo(-0.02, 10);
    expect(g.also["gap after clean pre-training"].mean).toBeCloseTo(-0.3 + (0.01 * [0, 1, 2, 0, 1].reduce((a, b) => a + b)) / 5, 10);
    expect(g.verdict).toBe("supported");
    expect(g.note).toMatch(/small after adversarial pre-training: holds; larger after clean pre-training: holds/);
  });

  it("is not supported, and says which part fails, when the clean head falls far behind after adversarial pre-training", () => {
    const lines = paperLikeLines(5).map((l) =>
      resultLine(
        l.seed,
        {
          purity: 0.14,
          participation: 90,
          preClean: 0.97,
          preRobust: 0.5,
          downClean: 0.93,
          downRobust: 0.4,
          advLinearRobust: 0.45 + 0.01 * (l.seed % 2),
        },
        {
          purity: 0.66,
          participation: 11,
          preClean: 0.99,
          preRobust: 0.9,
          downClean: 0.99,
          downRobust: 0.7,
          advLinearRobust: 0.85 + 0.01 * (l.seed % 3),
        },
      ),
    );
    const g = gapOf(lines);
    expect(g.effect!.hi).toBeLessThan(-0.05);
    expect(g.verdict).toBe("not supported");
    expect(g.note).toMatch(/small after adversarial pre-training: does not hold; larger after clean pre-training: does not hold/);
  });

  it("says 'not run' without an adv-linear head", () => {
    const lines = paperLikeLines(3).map((l) => ({
      ...l,
      arms: l.arms.map((a) => ({ ...a, adaptations: a.adaptations.filter((x) => x.mode === "clean-linear") })),
    }));
    expect(gapOf(lines)).toMatchObject({ verdict: "not run", effect: null, note: expect.stringMatching(/adv-linear/) });
  });

  it("judges digits apart from the synthetic data, under their own label", () => {
    const digits = paperLikeLines(3).map((l) =>
      resultLine(
        l.seed,
        { purity: 0, participation: 0, preClean: 0.9, preRobust: 0.2, downClean: 0.9, downRobust: 0.2, advLinearRobust: 0.5 },
        { purity: 0, participation: 0, preClean: 0.9, preRobust: 0.6, downClean: 0.9, downRobust: 0.6, advLinearRobust: 0.61 },
        { data: { source: "mnist" } },
      ),
    );
    const claims = judgeClaims([...paperLikeLines(3), ...digits]);
    const g = claims.find((c) => c.id === "gap" && c.mode === "supervised (digits)")!;
    expect(g.effect!.mean).toBeCloseTo(-0.01, 10);
    expect(claims.find((c) => c.id === "gap" && c.mode === "supervised")!.effect!.n).toBe(3);
  });

  it("tabulates every adaptation with its cost", () => {
    const t = adaptationTable(paperLikeLines(3));
    expect(t.rows.map((r) => r.slice(0, 2))).toEqual([
      ["supervised, clean", "clean-linear"],
      ["supervised, clean", "adv-linear"],
      ["supervised, adv", "clean-linear"],
      ["supervised, adv", "adv-linear"],
    ]);
    expect(t.rows[1][3]).toBe("0.700 [0.700, 0.700]");
    expect(t.rows[1][6]).toBe("0.10 [0.10, 0.10]");
  });
});

describe("head-penalty sensitivity", () => {
  // The adv arm's clean head is more robust than the clean arm's at small penalties only.
  const lines = paperLikeLines(4).map((l) =>
    resultLine(
      l.seed,
      {
        purity: 0.14,
        participation: 90,
        preClean: 0.97,
        preRobust: 0.5,
        downClean: 0.93,
        downRobust: 0.4,
        advLinearRobust: 0.5,
        sensitivity: [
          { l2: 0, clean: 0.95, robust: 0.4 + 0.01 * (l.seed % 2) },
          { l2: 0.05, clean: 0.9, robust: 0.6 + 0.01 * (l.seed % 3) },
        ],
      },
      {
        purity: 0.66,
        participation: 11,
        preClean: 0.99,
        preRobust: 0.9,
        downClean: 0.99,
        downRobust: 0.86,
        advLinearRobust: 0.88,
        sensitivity: [
          { l2: 0, clean: 0.99, robust: 0.8 },
          { l2: 0.05, clean: 0.97, robust: 0.55 },
        ],
      },
    ),
  );

  it("judges every claim again at each penalty and says where it holds", () => {
    const s = judgeSensitivity(lines).filter((r) => r.mode === "supervised");
    const inherits = s.find((r) => r.id === "inherits")!;
    expect(inherits.penalties.map((p) => p.verdict)).toEqual(["supported", "not supported"]);
    expect(inherits.penalties[1].effect!.mean).toBeLessThan(0);
    expect(inherits.summary).toBe("supported at l2 = 0 only");
    const purifies = s.find((r) => r.id === "purifies")!;
    expect(purifies).toMatchObject({
      dependsOnHead: false,
      summary: expect.stringMatching(/^supported at every penalty \(2\); does not involve the head/),
    });
    // The gap uses the refitted clean head against the same adv-linear head: 0.8 - 0.88 at l2 = 0.
    const gap = s.find((r) => r.id === "gap")!;
    expect(gap.penalties[0].effect!.mean).toBeCloseTo(-0.08, 10);
  });

  it("reports how far the clean head's robust accuracy moves across the penalties", () => {
    const t = headlineSensitivityTable(lines);
    expect(t.head.slice(2)).toEqual(["l2 = 0", "l2 = 0.05", "robust: range of means (spread)"]);
    const adv = t.rows.find((r) => r[0] === "supervised, adv" && r[1] === "robust")!;
    expect(adv[4]).toBe("0.550 to 0.800 (0.250)");
    expect(sensitivityTable(judgeSensitivity(lines)).rows.find((r) => r[0] === "inherits")![4]).toBe("supported at l2 = 0 only");
  });

  it("is empty without a sweep", () => {
    expect(judgeSensitivity(paperLikeLines(3))).toEqual([]);
  });
});

function numbers(eps: number) {
  return { purity: 0.2 + (4 * eps) / 3, participation: 10, preClean: 1, preRobust: 0.5, downClean: 1, downRobust: 0.5 };
}
