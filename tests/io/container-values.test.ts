// A valid checksum says the bytes are those that were written, not that they are numbers: encoder
// and checkpoint files holding NaN or infinite weights are refused on load.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { decodeEncoder, encodeEncoder, type Encoder } from "../../src/io/encoderFile.js";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/io/checkpointFile.js";
import { FileFormatError } from "../../src/files/container.js";

const config = resolveConfig({ train: "adv", data: { dim: 4, sparsity: 1 }, model: { width: 3 } });

function encoder(W: number[]): Encoder {
  return {
    version: "test",
    config,
    arm: "adv",
    shape: { d: 4, m: 3, C: 1, activation: config.model.activation },
    params: { W: Float32Array.from(W), thr: new Float32Array(3), A: new Float32Array(3).fill(0.5), c: null },
    curve: [],
    pretrainMs: 0,
    truth: {
      dict: { kind: config.data.dictionary, d: 4, D: 4, atoms: new Float64Array(16).fill(0.5) },
      theta: new Float64Array(4).fill(1),
    },
  };
}

describe("non-finite stored values", () => {
  const finite = Array.from({ length: 12 }, (_, i) => i / 10);

  it("a finite encoder loads", () => {
    expect(decodeEncoder(encodeEncoder(encoder(finite))).params.W).toEqual(Float32Array.from(finite));
  });

  it.each([NaN, Infinity, -Infinity])("an encoder with a weight %s and a matching checksum is refused, naming the section", (bad) => {
    const W = [...finite];
    W[7] = bad;
    const bytes = encodeEncoder(encoder(W));
    expect(() => decodeEncoder(bytes)).toThrow(FileFormatError);
    expect(() => decodeEncoder(bytes)).toThrow(`bad values: "W" holds ${bad} at index 7`);
  });

  it("a checkpoint with a NaN Adam moment is refused", () => {
    const state = {
      step: 1,
      params: { W: Float32Array.from(finite) },
      optimizer: { t: 1, moments: [Float32Array.from([0, NaN])] },
      rngs: {},
      source: { rng: { s: [1, 2, 3, 4] }, pos: 0, order: null },
      curve: [],
    };
    const bytes = encodeCheckpoint({ config, arms: { adv: state as never } });
    expect(() => decodeCheckpoint(bytes)).toThrow('bad values: "adv.moment.0" holds NaN at index 1');
  });
});
