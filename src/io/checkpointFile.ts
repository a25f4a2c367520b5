// Training checkpoints: the configuration and, per pre-training arm, the full state of its training
// loop (a finished arm has step = optim.steps). Stored in the container of container.ts.
import type { Config } from "../config/types.js";
import type { Arm } from "../train/pretrainers.js";
import type { TrainState } from "../train/trainState.js";
import type { RngState } from "../rng.js";
import { VERSION } from "../version.js";
import { decodeContainer, encodeContainer, FileFormatError, section, type SectionData } from "../files/container.js";
import { expectKind, isArm, storedConfig, storedCurve } from "./fileKinds.js";

export interface RunCheckpoint {
  config: Config;
  arms: Partial<Record<Arm, TrainState>>;
}

interface ArmMeta {
  step: number;
  params: string[];
  optimizerT: number;
  moments: number;
  rngs: Record<string, RngState>;
  source: { rng: RngState; pos: number; hasOrder: boolean };
  curve: TrainState["curve"];
}

export function encodeCheckpoint(ck: RunCheckpoint): Uint8Array {
  const arms: Record<string, ArmMeta> = {};
  const sections: [string, SectionData][] = [];
  for (const [arm, s] of Object.entries(ck.arms) as [Arm, TrainState][]) {
    arms[arm] = {
      step: s.step,
      params: Object.keys(s.params),
      optimizerT: s.optimizer.t,
      moments: s.optimizer.moments.length,
      rngs: s.rngs,
      source: { rng: s.source.rng, pos: s.source.pos, hasOrder: s.source.order !== null },
      curve: s.curve,
    };
    for (const [name, v] of Object.entries(s.params)) sections.push([`${arm}.param.${name}`, v]);
    s.optimizer.moments.forEach((m, i) => sections.push([`${arm}.moment.${i}`, m]));
    if (s.source.order) sections.push([`${arm}.order`, s.source.order]);
  }
  return encodeContainer({ kind: "checkpoint", featpureVersion: VERSION, config: ck.config, arms }, sections);
}

export function decodeCheckpoint(bytes: Uint8Array): RunCheckpoint {
  const c = decodeContainer(bytes);
  expectKind(c, "checkpoint");
  const config = storedConfig(c);
  const metaArms = c.meta.arms;
  if (typeof metaArms !== "object" || metaArms === null)
    throw new FileFormatError("bad metadata", 'expected the training state of each arm under "arms"');
  const arms: Partial<Record<Arm, TrainState>> = {};
  for (const [arm, raw] of Object.entries(metaArms as Record<string, ArmMeta>)) {
    if (!isArm(arm)) throw new FileFormatError("bad metadata", `unknown arm ${JSON.stringify(arm)} (expected clean or adv)`);
    const m = raw;
    if (
      typeof m !== "object" ||
      m === null ||
      !Number.isInteger(m.step) ||
      m.step < 0 ||
      m.step > config.optim.steps ||
      !Array.isArray(m.params) ||
      !Number.isInteger(m.moments) ||
      !Number.isInteger(m.optimizerT) ||
      typeof m.source !== "object" ||
      m.source === null ||
      typeof m.rngs !== "object" ||
      m.rngs === null
    ) {
      throw new FileFormatError("bad metadata", `the state of arm ${arm} is incomplete or out of range`);
    }
    arms[arm] = {
      step: m.step,
      params: Object.fromEntries(m.params.map((p) => [p, section<Float32Array>(c, `${arm}.param.${p}`, "f32")])),
      optimizer: {
        t: m.optimizerT,
        moments: Array.from({ length: m.moments }, (_, i) => section<Float32Array>(c, `${arm}.moment.${i}`, "f32")),
      },
      rngs: m.rngs,
      source: { rng: m.source.rng, pos: m.source.pos, order: m.source.hasOrder ? section<Int32Array>(c, `${arm}.order`, "i32") : null },
      curve: storedCurve(m.curve),
    };
  }
  return { config, arms };
}
