// The complete state of a training loop between two steps, so a run can stop (checkpoint, Ctrl-C,
// a killed process) and continue with exactly the numbers an uninterrupted run would produce:
// parameters, optimiser moments and step count, every random stream the loop draws from, the batch
// source's position, and the curve so far.
import type { Arena } from "../engine/arena.js";
import type { TwoLayer } from "../model/twoLayer.js";
import type { BatchSource, SourceState } from "../data/dataset.js";
import type { Rng, RngState } from "../rng.js";
import type { Optimizer, OptimizerState } from "./optimizer.js";
import type { CurvePoint } from "./curve.js";
import { FileFormatError } from "../files/container.js";

export interface TrainState {
  /** Steps completed. */
  step: number;
  /** Network tensors by name (W, thr, A, and c when the network has an output bias). */
  params: Record<string, Float32Array>;
  optimizer: OptimizerState;
  /** The loop's own random streams by name (the batch source's is in `source`). */
  rngs: Record<string, RngState>;
  source: SourceState;
  curve: CurvePoint[];
}

/** What a training loop is told about checkpoints. */
export interface TrainingCheckpoints {
  /** Save after every this many steps; 0 saves only when interrupted and at the end. */
  every: number;
  /** The state to continue from, or null to start from step 1. */
  resume: TrainState | null;
  save(state: TrainState): void;
}

export function netTensors(arena: Arena, net: TwoLayer): [string, Float32Array][] {
  const p = net.params;
  const out: [string, Float32Array][] = [
    ["W", arena.f32(p.W)],
    ["thr", arena.f32(p.thr)],
    ["A", arena.f32(p.A)],
  ];
  if (p.c) out.push(["c", arena.f32(p.c)]);
  return out;
}

export interface TrainingParts {
  arena: Arena;
  net: TwoLayer;
  opt: Optimizer;
  rngs: Record<string, Rng>;
  source: Pick<BatchSource, "save" | "load">;
  curve: CurvePoint[];
}

export function captureTraining(parts: TrainingParts, step: number): TrainState {
  const rngs: Record<string, RngState> = {};
  for (const [name, r] of Object.entries(parts.rngs)) rngs[name] = r.state();
  return {
    step,
    params: Object.fromEntries(netTensors(parts.arena, parts.net).map(([k, v]) => [k, v.slice()])),
    optimizer: parts.opt.save(),
    rngs,
    source: parts.source.save(),
    curve: parts.curve.map((c) => ({ ...c })),
  };
}

/**
 * Puts a captured state back into freshly built parts; returns the number of steps completed. A
 * state that does not fit the parts (it came from a damaged or foreign file) is a FileFormatError.
 */
export function restoreTraining(parts: TrainingParts, s: TrainState): number {
  try {
    return restoreParts(parts, s);
  } catch (e) {
    if (e instanceof TypeError) throw new FileFormatError("bad training state", e.message);
    throw e;
  }
}

function restoreParts(parts: TrainingParts, s: TrainState): number {
  for (const [name, view] of netTensors(parts.arena, parts.net)) {
    const saved = s.params[name];
    if (!saved || saved.length !== view.length)
      throw new TypeError(`training state: tensor ${name} should hold ${view.length} values, got ${saved?.length ?? "none"}`);
    view.set(saved);
  }
  parts.opt.load(s.optimizer);
  for (const [name, r] of Object.entries(parts.rngs)) {
    if (!s.rngs[name]) throw new TypeError(`training state: no state for the random stream ${JSON.stringify(name)}`);
    r.restore(s.rngs[name]);
  }
  parts.source.load(s.source);
  parts.curve.splice(0, parts.curve.length, ...s.curve.map((c) => ({ ...c })));
  return s.step;
}
