// How far a run has got. The library reports each phase's own steps (pre-training step s of n, the two
// evaluations of an arm), which say nothing about how long the phases take relative to each other;
// the bar weighs each phase by its cost in sample passes (a forward pass of one sample is 1, a
// backward pass 2), and extrapolates through the coarse phases at the rate measured so far.
import type { Arm, Config, Progress } from "../src/api.js";

export interface Phase {
  arm: Arm;
  phase: Progress["phase"];
  cost: number;
}

const FWD_BWD = 3;

/** The run's phases in the order the library runs them, with their costs in sample passes. */
export function phaseCosts(cfg: Config): Phase[] {
  const arms: Arm[] = cfg.train === "both" ? ["clean", "adv"] : [cfg.train];
  const views = cfg.mode === "contrastive" ? 2 : 1;
  const pgd = cfg.adv.attack === "fgm" ? 1 : cfg.adv.steps;
  const e = cfg.eval;
  const grid = e.epsL2.length + e.epsLinf.length;
  // Each model: clean accuracy, the grid's PGD with restarts, the strong check at the headline radius.
  const perModel = e.n * (1 + grid * e.restarts * (e.steps * FWD_BWD + 1) + e.strongRestarts * (e.strongSteps * FWD_BWD + 1));
  // The head fits (downstream, and the probe of a contrastive encoder) iterate over their pools; small beside the rest.
  const head = cfg.downstream.n * 20 * (cfg.mode === "contrastive" ? 2 : 1);
  return arms.flatMap((arm): Phase[] => [
    { arm, phase: "pretrain", cost: cfg.optim.steps * cfg.optim.batch * views * FWD_BWD * (arm === "adv" ? 1 + pgd : 1) },
    { arm, phase: "downstream", cost: head },
    { arm, phase: "evaluate", cost: 2 * perModel },
  ]);
}

/** Fraction done and seconds left, fed with the library's progress reports. */
export class ProgressModel {
  private readonly phases: Phase[];
  private readonly total: number;
  private index = 0;
  private within = 0;
  private readonly t0: number;
  private doneAt = 0;
  private doneTime = 0;

  /** startedAt: when the first of a row of runs (several seeds) began, for the total time. */
  constructor(
    cfg: Config,
    now: number,
    readonly startedAt = now,
  ) {
    this.phases = phaseCosts(cfg);
    this.total = this.phases.reduce((s, p) => s + p.cost, 0);
    this.t0 = now;
    this.doneTime = now;
  }

  update(p: Progress, now: number): void {
    const at = this.phases.findIndex((q) => q.arm === p.arm && q.phase === p.phase);
    if (at < 0) return;
    this.index = at;
    this.within = p.total > 0 ? p.done / p.total : 0;
    this.doneAt = this.costBefore(at) + this.within * this.phases[at].cost;
    this.doneTime = now;
  }

  private costBefore(i: number): number {
    return this.phases.slice(0, i).reduce((s, p) => s + p.cost, 0);
  }

  /** Fraction of the run's cost done at time now: the last report, advanced at the measured rate within its phase. */
  fraction(now: number): number {
    const rate = this.doneAt / Math.max(this.doneTime - this.t0, 1);
    const phaseEnd = this.costBefore(this.index + 1);
    const guess = this.doneAt > 0 ? Math.min(phaseEnd, this.doneAt + rate * (now - this.doneTime)) : 0;
    return Math.min(1, guess / this.total);
  }

  /** Seconds left at the rate so far; null until a few percent give a rate worth quoting. */
  secondsLeft(now: number): number | null {
    const f = this.fraction(now);
    if (f < 0.03) return null;
    return (((now - this.t0) / 1000) * (1 - f)) / f;
  }

  phase(): Phase {
    return this.phases[this.index];
  }
}
