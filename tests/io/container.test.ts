// The binary container of encoders and checkpoints: exact round trips (property-based), each
// integrity check with its message, and a fuzz pass: random byte flips and truncations of real
// files always give a FileFormatError, never another exception, a hang or wrong numbers.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { crc32 } from "../../src/files/crc32.js";
import { decodeContainer, encodeContainer, FileFormatError, FORMAT_VERSION, type SectionData } from "../../src/files/container.js";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/io/checkpointFile.js";
import { decodeEncoder } from "../../src/io/encoderFile.js";
import { resolveConfig } from "../../src/config/validate.js";
import { pretrainEncoderArm } from "../../src/experiments/encoder.js";
import { encodeEncoder } from "../../src/io/encoderFile.js";
import { runArms } from "../../src/experiments/experiment.js";
import { planEncoder, planRun } from "../../src/experiments/plan.js";

const RUNS = { numRuns: 100, seed: 7 };
const tiny = resolveConfig({
  seed: 3,
  train: "adv",
  data: { dim: 8, sparsity: 2 },
  model: { width: 6 },
  optim: { steps: 12, batch: 8 },
  downstream: { n: 40 },
  eval: { n: 20, epsL2: [0.5], epsLinf: [], strongSteps: 2, strongRestarts: 1, steps: 2, restarts: 1 },
  logEvery: 4,
});

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

const section = fc.oneof(
  fc.float32Array({ maxLength: 20, noNaN: true }),
  fc.float64Array({ maxLength: 20, noNaN: true }),
  fc.int32Array({ maxLength: 20 }),
) as fc.Arbitrary<SectionData>;

describe("crc32", () => {
  it("matches the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe("container", () => {
  it("round-trips any metadata and sections bit for bit (-0 and infinities included)", () => {
    const meta = fc.dictionary(
      fc.string().filter((k) => k !== "sections" && k !== "__proto__"),
      fc.jsonValue(),
    );
    const sections = fc.uniqueArray(fc.tuple(fc.string(), section), { selector: ([name]) => name, maxLength: 5 });
    fc.assert(
      fc.property(meta, sections, (m, s) => {
        const back = decodeContainer(encodeContainer(m, s));
        expect(JSON.stringify(back.meta)).toBe(JSON.stringify(JSON.parse(JSON.stringify(m))));
        expect([...back.sections.keys()]).toEqual(s.map(([name]) => name));
        for (const [name, a] of s) {
          const b = back.sections.get(name)!;
          expect(b.constructor).toBe(a.constructor);
          expect(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).toEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
        }
      }),
      RUNS,
    );
  });

  const good = encodeContainer({ kind: "encoder", x: 1 }, [["W", new Float32Array([1, 2, 3])]]);

  it.each([
    ["an empty file", () => new Uint8Array(0), "truncated file", "at least 20 bytes"],
    [
      "a JSON file",
      () => new TextEncoder().encode('{"kind": "encoder", "config": {}}'),
      "not a featpure file",
      'expected the magic bytes "FPUR"',
    ],
    ["a truncated file", () => good.subarray(0, good.length - 7), "checksum mismatch", "truncated or corrupt"],
    ["a file cut inside the metadata", () => good.subarray(0, 30), "truncated file", "announces"],
    ["a flipped data byte", () => flip(good, good.length - 8), "checksum mismatch", "stored CRC-32"],
    [
      "a newer format version",
      () => withVersion(good, FORMAT_VERSION + 1),
      "newer format",
      `this featpure reads version ${FORMAT_VERSION}`,
    ],
  ])("rejects %s, naming the check", (_what, make, check, detail) => {
    const e = errorOf(() => decodeContainer(make()));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).check).toBe(check);
    expect((e as Error).message).toContain(detail);
  });
});

function flip(b: Uint8Array, i: number, mask = 0x10): Uint8Array {
  const c = b.slice();
  c[i] ^= mask;
  return c;
}

function withVersion(b: Uint8Array, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(4, v, true);
  return c;
}

describe("fuzzing real files", async () => {
  const saved: Uint8Array[] = [];
  await runArms(planRun(tiny), { checkpoint: { every: 5, write: (b) => saved.push(b) } });
  const files = { checkpoint: saved[saved.length - 1], encoder: encodeEncoder(await pretrainEncoderArm(planEncoder(tiny))) };
  const decoders = { checkpoint: decodeCheckpoint, encoder: decodeEncoder };

  it.each(Object.keys(files) as (keyof typeof files)[])("%s: every random flip or truncation is a FileFormatError", (kind) => {
    const bytes = files[kind];
    expect(() => decoders[kind](bytes)).not.toThrow();
    const damage = fc.oneof(
      fc.record({ at: fc.nat(bytes.length - 1), mask: fc.integer({ min: 1, max: 255 }) }).map(({ at, mask }) => flip(bytes, at, mask)),
      fc.nat(bytes.length - 1).map((n) => bytes.slice(0, n)),
      fc
        .uint8Array({ maxLength: 64 })
        .map((tail) => Uint8Array.from([...bytes, ...tail]))
        .filter((b) => b.length > bytes.length),
    );
    fc.assert(
      fc.property(damage, (b) => {
        expect(errorOf(() => decoders[kind](b))).toBeInstanceOf(FileFormatError);
      }),
      RUNS,
    );
  });

  it("an intact file of the other kind is refused by kind", () => {
    expect((errorOf(() => decodeEncoder(files.checkpoint)) as FileFormatError).message).toBe(
      "wrong kind of file: expected an encoder file, found a checkpoint file",
    );
    expect((errorOf(() => decodeCheckpoint(files.encoder)) as FileFormatError).check).toBe("wrong kind of file");
  });

  it("a checksummed file whose stored configuration is invalid names the field", () => {
    const c = decodeContainer(files.encoder);
    const meta = { ...c.meta, config: { ...(c.meta.config as object), model: { width: -3 } } };
    const e = errorOf(() => decodeEncoder(encodeContainer(meta, [...c.sections])));
    expect((e as Error).message).toContain("bad stored configuration: model.width: must be an integer");
  });

  it("checkpoints round-trip exactly", () => {
    const ck = decodeCheckpoint(files.checkpoint);
    expect(ck.config).toEqual(tiny);
    expect(encodeCheckpoint(ck)).toEqual(files.checkpoint);
  });
});

describe("atomic writes", () => {
  it("removes the temporaries of dead writers only", async () => {
    const { mkdtempSync, readdirSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { removeStaleTemporaries, writeFileAtomic } = await import("../../src/files/atomic.js");
    const dir = mkdtempSync(join(tmpdir(), "featpure-atomic-"));
    const target = join(dir, "ck.fpt");
    writeFileAtomic(target, "whole");
    const dead = 2 ** 22 + 12345; // above Linux's pid_max
    for (const name of [`ck.fpt.tmp-${dead}-1`, `ck.fpt.tmp-${process.pid}-2`, `other.fpt.tmp-${dead}-3`])
      writeFileSync(join(dir, name), "half");
    removeStaleTemporaries(target);
    expect(readdirSync(dir).sort()).toEqual(["ck.fpt", `ck.fpt.tmp-${process.pid}-2`, `other.fpt.tmp-${dead}-3`]);
  });
});
