// Pre-trained encoders: the network of one pre-training arm with everything needed to adapt it to
// new tasks without retraining — the full configuration (so the pre-training data can be
// regenerated from config + seed), the curve, and the dictionary atoms and label direction
// themselves (so downstream tasks never depend on regenerating them). In the container of container.ts.
import type { Config } from "../config/types.js";
import { featureCount } from "../config/validate.js";
import type { NetShape } from "../engine/layout.js";
import type { Dictionary } from "../data/dictionary.js";
import type { Arm } from "../train/pretrainers.js";
import type { CurvePoint } from "../train/curve.js";
import { decodeContainer, encodeContainer, FileFormatError, section, type SectionData } from "../files/container.js";
import { expectKind, isArm, storedConfig, storedCurve } from "./fileKinds.js";

export interface Encoder {
  /** featpure version that wrote the file. */
  version: string;
  config: Config;
  arm: Arm;
  shape: NetShape;
  params: { W: Float32Array; thr: Float32Array; A: Float32Array; c: Float32Array | null };
  curve: CurvePoint[];
  pretrainMs: number;
  /** Dictionary and pre-training label direction of the data the encoder was trained on. */
  truth: { dict: Dictionary; theta: Float64Array };
}

export function encodeEncoder(e: Encoder): Uint8Array {
  const { dict } = e.truth;
  const sections: [string, SectionData][] = [
    ["W", e.params.W],
    ["thr", e.params.thr],
    ["A", e.params.A],
  ];
  if (e.params.c) sections.push(["c", e.params.c]);
  sections.push(["dictionary", dict.atoms], ["theta", e.truth.theta]);
  return encodeContainer(
    {
      kind: "encoder",
      featpureVersion: e.version,
      config: e.config,
      seed: e.config.seed,
      arm: e.arm,
      shape: e.shape,
      outputBias: e.params.c !== null,
      dataset: {
        source: e.config.data.source,
        dictionary: dict.kind,
        d: dict.d,
        D: dict.D,
        streams: { dictionary: "dictionary", theta: "theta" },
      },
      curve: e.curve,
      pretrainMs: e.pretrainMs,
    },
    sections,
  );
}

export function decodeEncoder(bytes: Uint8Array): Encoder {
  const c = decodeContainer(bytes);
  expectKind(c, "encoder");
  const config = storedConfig(c);
  const m = c.meta;
  if (!isArm(m.arm)) throw new FileFormatError("bad metadata", `arm must be clean or adv, found ${JSON.stringify(m.arm)}`);
  const d = config.data.dim,
    width = config.model.width,
    D = featureCount(config);
  const shape: NetShape = { d, m: width, C: 1, activation: config.model.activation };
  const s = m.shape as NetShape | undefined;
  if (!s || s.d !== d || s.m !== width || s.C !== 1 || s.activation !== shape.activation) {
    throw new FileFormatError(
      "bad metadata",
      `the network shape must match the stored configuration (d=${d}, m=${width}, C=1, ${shape.activation})`,
    );
  }
  const outputBias = m.outputBias === true;
  if (outputBias !== config.model.outputBias)
    throw new FileFormatError("bad metadata", "outputBias disagrees with the stored configuration");
  const pretrainMs = typeof m.pretrainMs === "number" && m.pretrainMs >= 0 ? m.pretrainMs : 0;
  return {
    version: typeof m.featpureVersion === "string" ? m.featpureVersion : "unknown",
    config,
    arm: m.arm,
    shape,
    params: {
      W: section(c, "W", "f32", width * d),
      thr: section(c, "thr", "f32", width),
      A: section(c, "A", "f32", width),
      c: outputBias ? section(c, "c", "f32", 1) : null,
    },
    curve: storedCurve(m.curve),
    pretrainMs,
    truth: {
      dict: { kind: config.data.dictionary, d, D, atoms: section(c, "dictionary", "f64", D * d) },
      theta: section(c, "theta", "f64", D),
    },
  };
}
