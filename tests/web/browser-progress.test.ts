// The page's progress bar: phases weighed by their cost, so that half the bar is about half the run.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/api.js";
import { phaseCosts, ProgressModel } from "../../web/progress.js";

describe("page progress model", () => {
  it("lists the library's phases in run order, the adversarial pre-training dearer by its PGD steps", () => {
    const cfg = resolveConfig({});
    const phases = phaseCosts(cfg);
    expect(phases.map((p) => `${p.arm}:${p.phase}`)).toEqual([
      "clean:pretrain",
      "clean:downstream",
      "clean:evaluate",
      "adv:pretrain",
      "adv:downstream",
      "adv:evaluate",
    ]);
    expect(phases[3].cost / phases[0].cost).toBe(1 + cfg.adv.steps);
    expect(phaseCosts(resolveConfig({ optim: { steps: 2000 } }))[0].cost).toBe(2 * phases[0].cost);
    expect(phaseCosts(resolveConfig({ train: "adv" })).map((p) => p.arm)).toEqual(["adv", "adv", "adv"]);
    for (const p of phases) expect(p.cost).toBeGreaterThan(0);
  });

  it("moves from 0 to 1 without going back, and never past the phase it has heard of", () => {
    const cfg = resolveConfig({ optim: { steps: 10 } });
    const model = new ProgressModel(cfg, 0);
    const costs = phaseCosts(cfg);
    const total = costs.reduce((s, p) => s + p.cost, 0);
    let last = 0;
    let t = 0;
    for (const arm of ["clean", "adv"] as const) {
      for (let s = 1; s <= 10; s++) {
        model.update({ arm, phase: "pretrain", done: s, total: 10 }, (t += 10));
        const f = model.fraction(t + 1000);
        expect(f).toBeGreaterThanOrEqual(last);
        last = f;
      }
      model.update({ arm, phase: "downstream", done: 1, total: 1 }, (t += 10));
      model.update({ arm, phase: "evaluate", done: 0, total: 2 }, (t += 10));
      // Extrapolated at the measured rate, but capped at the end of the evaluation phase.
      const before = costs.slice(0, arm === "clean" ? 3 : 6).reduce((s, p) => s + p.cost, 0);
      expect(model.fraction(t + 1e9)).toBeCloseTo(before / total, 12);
      model.update({ arm, phase: "evaluate", done: 2, total: 2 }, (t += 10));
    }
    expect(model.fraction(t)).toBe(1);
    expect(model.secondsLeft(t)).toBe(0);
  });
});
