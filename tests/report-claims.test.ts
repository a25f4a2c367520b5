import { describe, expect, it } from "vitest";
import { SCHEMA } from "../src/config/schema.js";
import { judgeClaims, PAPER_MODES } from "../src/report/claims.js";
import { claimsTable, seedTable, sweepTable } from "../src/report/seedTables.js";
import { paperLikeLines, resultLine } from "./report-fixtures.js";

const available = SCHEMA.mode.values as readonly string[];
const supervised = (lines: Parameters<typeof judgeClaims>[0]) => judgeClaims(lines).filter((c) => c.mode === "supervised");

describe("claims of the paper", () => {
  it("are supported by results that look like the paper's", () => {
    const claims = supervised(paperLikeLines(5));
    expect(claims.map((c) => c.id)).toEqual(["purifies", "vulnerable", "inherits"]);
    for (const c of claims) expect(c.verdict, c.id).toBe("supported");
    const purifies = claims[0];
    expect(purifies.effect!.mean).toBeCloseTo(0.52, 10);
    expect(purifies.effect!.wins).toBe(5);
    expect(purifies.also["participation ratio clean - adv"].mean).toBeGreaterThan(70);
  });

  it("are not supported when the arms do not differ, or go the other way", () => {
    const same = { purity: 0.3, participation: 20, preClean: 0.95, preRobust: 0.6, downClean: 0.9, downRobust: 0.5 };
    const noisy = Array.from({ length: 4 }, (_, i) => resultLine(i + 1, same, { ...same, purity: 0.3 + (i % 2 ? 0.05 : -0.05), downRobust: 0.5 + (i % 2 ? 0.1 : -0.1) }));
    for (const c of supervised(noisy)) expect(c.verdict, c.id).toBe("not supported");
  });

  it("need comparable downstream clean accuracy for inheritance", () => {
    const lines = paperLikeLines(4).map((l) => ({ ...l, arms: l.arms.map((a) => (a.arm === "adv" ? { ...a, downstream: { ...a.downstream, clean: 0.8 } } : a)) }));
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
      expect(forMode).toHaveLength(3);
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
    expect(c.rows[0][2]).toMatch(/^top-1 purity adv - clean: \+0\.520 \[0\.520, 0\.520\], > 0 in 5\/5 pairs\nparticipation ratio clean - adv: \+/);
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

function numbers(eps: number) {
  return { purity: 0.2 + 4 * eps / 3, participation: 10, preClean: 1, preRobust: 0.5, downClean: 1, downRobust: 0.5 };
}
